"""The trading calendar used by ``trading_days_only`` and dependency windows.

The engine knows no market of its own. An app registers a seed with ``register_seed``: a function
returning ``(source, open days)`` of a calendar it can read without the network (or None when it
has none), used once, on first use, while the calendar is empty. The app keeps it current with
``store_trading_days`` (e.g. from a job). Without a seed, and outside the covered range, weekdays
count as trading days and a warning says so; ``coverage`` says how many future trading days are
known, so the health report and an alert can say "the calendar ends in N days" well before that
happens.
"""
import datetime
import logging

from django.conf import settings
from django.db import transaction
from django.db.models import Max, Min
from django.utils.translation import gettext as _

from .models import CalendarCoverage, TradingDay

logger = logging.getLogger(__name__)
_seed = None


def register_seed(loader):
    """Fill the empty calendar from ``loader()``, which returns ``(source, open dates)`` or None.

    One seed per project (the app that knows the market registers it in its ``AppConfig.ready()``);
    registering another one replaces it.
    """
    global _seed
    _seed = loader


def registered_seed():
    """The loader ``register_seed`` was given, or None."""
    return _seed


def seed_calendar():
    """Load the registered seed if the calendar is empty; returns the number of days added."""
    if CalendarCoverage.objects.exists():
        return 0
    if _seed is None:
        logger.warning("no trading calendar seed is registered; weekdays count as trading days")
        return 0
    seeded = _seed()  # None: the seed has nothing here, and its app says why
    if not seeded or not seeded[1]:
        return 0
    source, days = seeded
    return store_trading_days(days, start=min(days), end=max(days), source=source)


@transaction.atomic
def store_trading_days(open_dates, *, start, end, source):
    """Make the open days between ``start`` and ``end`` (inclusive) exactly ``open_dates``."""
    open_dates = sorted({d for d in open_dates if start <= d <= end})
    TradingDay.objects.filter(date__gte=start, date__lte=end).delete()
    TradingDay.objects.bulk_create([TradingDay(date=d, source=source) for d in open_dates], batch_size=2000)
    coverage = CalendarCoverage.objects.filter(source=source).first()
    if coverage:
        start, end = min(start, coverage.start), max(end, coverage.end)
    CalendarCoverage.objects.update_or_create(source=source, defaults={"start": start, "end": end})
    return len(open_dates)


def covered_range():
    seed_calendar()
    bounds = CalendarCoverage.objects.aggregate(start=Min("start"), end=Max("end"))
    return bounds["start"], bounds["end"]


def is_trading_day(day):
    """Whether ``day`` (a date) is a trading day."""
    start, end = covered_range()
    if start is None or not (start <= day <= end):
        logger.warning("trading calendar does not cover %s; treating weekdays as open", day)
        return day.weekday() < 5
    return TradingDay.objects.filter(date=day).exists()


def trading_days(start, end):
    """The trading days between ``start`` and ``end`` inclusive, as a sorted list of dates."""
    covered_start, covered_end = covered_range()
    days = set(TradingDay.objects.filter(date__gte=start, date__lte=end).values_list("date", flat=True))
    day = start
    while day <= end:
        if covered_start is None or not (covered_start <= day <= covered_end):
            if day.weekday() < 5:
                days.add(day)
        day += datetime.timedelta(days=1)
    return sorted(days)


def latest_trading_day(on_or_before):
    """The most recent trading day on or before the given date."""
    day = on_or_before
    for _attempt in range(40):
        if is_trading_day(day):
            return day
        day -= datetime.timedelta(days=1)
    return on_or_before


def min_future_days():
    """Known future trading days below which the calendar counts as running out (default 30)."""
    return int(getattr(settings, "MYSTOCKS_CALENDAR_MIN_FUTURE_DAYS", 30))


def coverage(*, today=None):
    """How far the calendar reaches: {"end", "days_left", "future_trading_days", "ok"}.

    ``days_left``: calendar days from ``today`` to the last covered day; ``ok`` is false when
    fewer than ``min_future_days()`` trading days after today are known.
    """
    today = today or datetime.date.today()
    _, end = covered_range()
    if end is None:
        return {"end": None, "days_left": None, "future_trading_days": 0, "ok": False,
                "min_future_days": min_future_days()}
    future = TradingDay.objects.filter(date__gt=today, date__lte=end).count()
    return {"end": end.isoformat(), "days_left": (end - today).days, "future_trading_days": future,
            "ok": future >= min_future_days(), "min_future_days": min_future_days()}


def beyond_coverage(day):
    """The reason text when ``day`` lies outside the known calendar (so a policy can say it guessed)."""
    start, end = covered_range()
    if start is not None and start <= day <= end:
        return ""
    if end:
        return _("the trading calendar ends %(end)s; weekdays count as open") % {"end": end.isoformat()}
    return _("no trading calendar is loaded; weekdays count as open")
