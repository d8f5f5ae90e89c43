"""The A-share trading calendar used by ``trading_days_only`` and dependency windows.

Seeded on first use from the calendar file akshare ships (1990-12-19 … end of its publishing
year, no network needed) and refreshed by the ``sync_trade_calendar`` job. Outside the covered
range, weekdays count as trading days and a warning says the calendar needs a refresh;
``coverage`` says how many future trading days are known, so the health report and an alert can
say "the calendar ends in N days" well before that happens.
"""
import datetime
import importlib.util
import json
import logging
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import Max, Min
from django.utils.translation import gettext as _

from .models import CalendarCoverage, TradingDay

logger = logging.getLogger(__name__)
BUNDLED_SOURCE = "akshare-bundled"


def _bundled_calendar_path():
    spec = importlib.util.find_spec("akshare")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(spec.submodule_search_locations[0]) / "file_fold" / "calendar.json"
    return path if path.exists() else None


def seed_from_bundled_calendar():
    """Load akshare's bundled calendar file if the calendar is empty; returns the number of days added."""
    if CalendarCoverage.objects.exists():
        return 0
    path = _bundled_calendar_path()
    if path is None:
        logger.warning("akshare's bundled calendar was not found; weekdays count as trading days")
        return 0
    days = [datetime.datetime.strptime(d, "%Y%m%d").date() for d in json.loads(path.read_text())]
    return store_trading_days(days, start=min(days), end=max(days), source=BUNDLED_SOURCE)


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
    seed_from_bundled_calendar()
    bounds = CalendarCoverage.objects.aggregate(start=Min("start"), end=Max("end"))
    return bounds["start"], bounds["end"]


def is_trading_day(day):
    """Whether ``day`` (a date) is an A-share trading day."""
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
