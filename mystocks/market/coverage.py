"""What data is present: per-dataset summary rows the jobs keep, so no view counts millions of rows.

Each job that writes market rows calls ``record`` at its end with the days (or day range) and codes
it wrote. ``record`` recounts just those days with one aggregate query on the date index and moves
the affected stocks' first/last day, so the coverage page and API read a few thousand summary rows
whatever the size of the bar table. ``rebuild`` recounts a whole dataset once (an existing install,
or after rows were deleted by hand).
"""
import datetime
from dataclasses import dataclass, field

import pandas as pd
from django.db.models import Count, F, Max, Min
from django.db.models.functions import TruncDate
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from tasks_app.calendar import trading_days

from . import storage
from .models import (
    AdjustFactor,
    CapitalFlow,
    CoverageDay,
    CoverageStock,
    DailyBar,
    DragonTigerEntry,
    FinancialStatement,
    FlowType,
    IndicatorValue,
    RealtimeSnapshot,
    StatementType,
    StrategySignal,
)
from .strategies import STRATEGIES


@dataclass(frozen=True)
class Dataset:
    """One dataset of the coverage page.

    ``per_trading_day``: one row per stock per trading day is expected (bars, indicators), so a day
    is complete when every listed stock is present. ``presence``: a day counts once a job has run
    for it, however many rows it brought (signals, dragon-tiger). Neither: no day grid (statements
    per report period, factors per ex-date); only stocks and first/last dates are shown.
    """

    key: str
    label: str
    model: type
    date_field: str
    job: str = ""
    where: dict = field(default_factory=dict)
    per_trading_day: bool = False
    presence: bool = False
    backfill: bool = False  # a job can bring missing days/stocks again (quotes and flow ranks are "now" only)
    code_field: str = "code"

    @property
    def daily(self):
        return self.per_trading_day or self.presence

    def rows(self):
        return self.model.objects.filter(**self.where)

    def day_expression(self):
        """The day of a row: the date field, or the local date of a timestamp (quotes)."""
        if self.date_field == "snapshot_at":
            return TruncDate("snapshot_at")
        return F(self.date_field)

    def day_lookup(self):
        return "snapshot_at__date" if self.date_field == "snapshot_at" else self.date_field


def _datasets():
    sets = [
        Dataset("bars:none", _("Daily bars (unadjusted)"), DailyBar, "date", "sync_daily_stock_data",
                {"adjust": "none"}, per_trading_day=True, backfill=True),
        Dataset("bars:hfq", _("Daily bars (back-adjusted, stored)"), DailyBar, "date", "sync_daily_stock_data",
                {"adjust": "hfq"}, per_trading_day=True, backfill=True),
        Dataset("factors", _("Adjustment factors"), AdjustFactor, "date", "sync_adjust_factors", backfill=True),
    ]
    sets += [Dataset(f"statements:{value}", format_lazy("{} · {}", _("Statements"), label), FinancialStatement,
                     "report_date", "sync_financial_statements", {"statement_type": value}, backfill=True)
             for value, label in StatementType.choices]
    sets += [
        Dataset("quotes:stock", _("Realtime quotes (stocks)"), RealtimeSnapshot, "snapshot_at",
                "fetch_realtime_market_data", {"security_type": "stock"}, presence=True),
        Dataset("quotes:etf", _("Realtime quotes (ETFs)"), RealtimeSnapshot, "snapshot_at",
                "fetch_realtime_market_data", {"security_type": "etf"}, presence=True),
        Dataset("dragon_tiger", _("Dragon-tiger list"), DragonTigerEntry, "trade_date", "fetch_longhubang_data",
                presence=True, backfill=True),
    ]
    sets += [Dataset(f"capital_flow:{kind}", format_lazy("{} · {}", _("Capital flow"), label), CapitalFlow,
                     "trade_date", "fetch_capital_flow_data", {"flow_type": kind}, presence=True)
             for kind, label in FlowType.choices]
    sets += [
        Dataset("indicators:daily", _("Indicators (daily)"), IndicatorValue, "date",
                "calculate_technical_indicators", {"period": "daily"}, per_trading_day=True, backfill=True),
        Dataset("indicators:weekly", _("Indicators (weekly)"), IndicatorValue, "date",
                "calculate_technical_indicators", {"period": "weekly"}, backfill=True),
        Dataset("indicators:monthly", _("Indicators (monthly)"), IndicatorValue, "date",
                "calculate_technical_indicators", {"period": "monthly"}, backfill=True),
    ]
    sets += [Dataset(f"signals:{name}", format_lazy("{} · {}", _("Signals"), name), StrategySignal, "date",
                     "calculate_strategy_signals", {"strategy": name}, presence=True, backfill=True)
             for name in STRATEGIES]
    return {d.key: d for d in sets}


DATASETS = _datasets()


def tracked(key):
    """Whether ``key`` has a summary (named strategies do; free-form indicator screens do not)."""
    return key in DATASETS


def get_dataset(key):
    """The Dataset for ``key``; a ValueError naming the known keys otherwise."""
    try:
        return DATASETS[key]
    except KeyError:
        raise ValueError(f"unknown dataset {key!r}; one of {', '.join(DATASETS)}") from None


def record(*, dataset, dates=None, start=None, end=None, codes=None):
    """Recount ``dataset`` on the days a job just wrote and move its stocks' first/last day.

    Give the days as ``dates`` (any iterable of dates) or as a ``start``…``end`` range; with neither,
    only the per-stock first/last days of ``codes`` are refreshed (datasets without a day grid).
    A day given but holding no rows is recorded with 0 stocks: the job ran for it and found nothing.
    """
    spec = get_dataset(dataset)
    if codes is not None and not len(codes):
        return  # the job wrote nothing
    days = sorted({_as_date(d) for d in dates}) if dates is not None else None
    rows = spec.rows()
    if days is not None:
        if not days:
            return
        rows = rows.filter(**{f"{spec.day_lookup()}__in": days})
    elif start or end:
        rows = _in_range(rows, spec, start, end)
    if spec.daily and (days is not None or start or end):
        _count_days(spec, rows, days)
    _move_stock_bounds(spec, rows, codes)


def record_trading_days(*, dataset, start, end, codes=None):
    """``record`` for every trading day from ``start`` to ``end``: a presence dataset's empty days count as done."""
    record(dataset=dataset, dates=trading_days(_as_date(start), _as_date(end)), codes=codes)


def _as_date(value):
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, pd.Timestamp):
        return value.date()
    return datetime.date.fromisoformat(str(value))


def _in_range(rows, spec, start, end):
    lookup = spec.day_lookup()
    if start:
        rows = rows.filter(**{f"{lookup}__gte": _as_date(start)})
    if end:
        rows = rows.filter(**{f"{lookup}__lte": _as_date(end)})
    return rows


def _count_days(spec, rows, days):
    counted = (rows.annotate(day=spec.day_expression()).values("day")
               .annotate(stocks=Count(spec.code_field, distinct=True), n=Count("pk")).order_by())
    counts = {_as_date(r["day"]): (r["stocks"], r["n"]) for r in counted}
    for day in days or []:
        counts.setdefault(day, (0, 0))
    if not counts:
        return
    frame = pd.DataFrame([{"dataset": spec.key, "date": day, "stocks": s, "rows": n}
                          for day, (s, n) in counts.items()])
    storage.upsert(CoverageDay, frame, keys=["dataset", "date"])


def _move_stock_bounds(spec, rows, codes):
    if codes is not None:
        codes = list({str(c) for c in codes})
        if not codes:
            return
        rows = rows.filter(**{f"{spec.code_field}__in": codes})
    bounds = (rows.values(spec.code_field).annotate(first=Min(spec.day_expression()), last=Max(spec.day_expression()))
              .order_by())
    new = {r[spec.code_field]: (_as_date(r["first"]), _as_date(r["last"])) for r in bounds}
    if not new:
        return
    old = dict((c, (f, la)) for c, f, la in CoverageStock.objects.filter(dataset=spec.key, code__in=list(new))
               .values_list("code", "first_date", "last_date"))
    frame = pd.DataFrame([{"dataset": spec.key, "code": code,
                           "first_date": min(first, old.get(code, (first, last))[0]),
                           "last_date": max(last, old.get(code, (first, last))[1])}
                          for code, (first, last) in new.items()])
    storage.upsert(CoverageStock, frame, keys=["dataset", "code"])


def rebuild(*, keys=None):
    """Recount datasets from scratch (all by default); returns {key: days counted}."""
    done = {}
    for key in keys or list(DATASETS):
        spec = get_dataset(key)
        CoverageDay.objects.filter(dataset=key).delete()
        CoverageStock.objects.filter(dataset=key).delete()
        days = None
        if spec.daily:
            days = sorted({_as_date(d) for d in spec.rows().annotate(day=spec.day_expression())
                           .values_list("day", flat=True).distinct().order_by()})
            if days:
                record(dataset=key, start=days[0], end=days[-1])
        else:
            record(dataset=key, codes=None)
        done[key] = len(days or [])
    return done
