"""Adjustment factors, ex-rights events and ST periods: fetched whole-market where a provider allows,
and stored so prices can be adjusted on read (see ``models.AdjustFactor``).

Sources, cheapest first:
- baostock ``query_daily_adjust_factor(day)``: every stock's factor rows with an ex-date that day,
  one call a day (incremental); ``query_adjust_factor(code, …)`` per stock for backfills;
- akshare ``stock_fhps_em(report period)``: every stock's dividend / bonus plan with its ex-date,
  one call per report period, stored as ``CorporateAction``; the factor of an event is then derived
  from the stored bars: ``prev_close / pre_close`` of the ex-date (the exchange's ex-rights reference
  price), or from the event's terms when that bar is missing;
- ST periods from the stock list's names (ST / *ST prefix) and from baostock's daily ``isST`` flag.
"""
import datetime

import numpy as np
import pandas as pd
from django.db import transaction
from django.utils import timezone

from tasks_app.calendar import trading_days

from . import coverage, storage, validation
from .models import (
    AdjustFactor,
    CorporateAction,
    DailyBar,
    Stock,
    StockStatusPeriod,
    SyncMark,
)
from .pipeline import RunSummary, SourceChain, guarded, latest_complete_trading_day
from .sources import akshare, baostock
from .statements import resolve_periods

ST_PREFIXES = ("*ST", "ST")


def st_status_of(name):
    """"*ST", "ST" or None from a stock's short name."""
    name = (name or "").replace(" ", "").upper()
    for prefix in ST_PREFIXES:
        if name.startswith((prefix, "S" + prefix)):
            return prefix
    return None


# --- ST periods ---------------------------------------------------------------------------------------

@transaction.atomic
def record_st_from_names(names, *, day, source):
    """Open a period for stocks whose name says ST on ``day`` and close the ones whose name no longer
    does (ending the day before). Returns the number of periods opened or closed."""
    open_periods = {p.code: p for p in StockStatusPeriod.objects.filter(end__isnull=True, code__in=list(names))}
    changed = 0
    for code, name in names.items():
        status, current = st_status_of(name), open_periods.get(code)
        if current and current.status == status:
            continue
        if current:
            current.end = max(current.start, day - datetime.timedelta(days=1))
            current.save(update_fields=["end"])
            changed += 1
        if status:
            StockStatusPeriod.objects.update_or_create(code=code, start=day,
                                                       defaults={"status": status, "end": None, "source": source})
            changed += 1
    return changed


def record_st_flags(frame, *, source):
    """Periods from per-day ST flags (columns code, date, st), e.g. baostock's ``isST``.

    A run of flagged days continues the stock's open period when it starts the frame, and closes it
    when an unflagged day follows; ST vs *ST comes from the stock's current name."""
    frame = frame.sort_values(["code", "date"])
    flagged = set(frame.loc[frame["st"].astype(bool), "code"])
    open_periods = {p.code: p for p in StockStatusPeriod.objects.filter(end__isnull=True, code__in=list(
        set(frame["code"])))}
    touched = flagged | set(open_periods)
    if not touched:
        return 0
    names = dict(Stock.objects.filter(code__in=list(touched)).values_list("code", "name"))
    changed = 0
    with transaction.atomic():
        for code, rows in frame[frame["code"].isin(touched)].groupby("code", sort=False):
            changed += _apply_flags(code, list(rows["date"]), list(rows["st"].astype(bool)),
                                    open_periods.get(code), st_status_of(names.get(code)) or "ST", source)
    return changed


def _apply_flags(code, dates, flags, current, status, source):
    changed = 0
    for i, (day, flag) in enumerate(zip(dates, flags)):
        if flag and current is None:
            current, _ = StockStatusPeriod.objects.update_or_create(
                code=code, start=day, defaults={"status": status, "end": None, "source": source})
            changed += 1
        elif not flag and current is not None:
            current.end = max(current.start, dates[i - 1] if i else day - datetime.timedelta(days=1))
            current.save(update_fields=["end"])
            current = None
            changed += 1
    return changed


# --- factors and events -------------------------------------------------------------------------------

def store_factors(frame, *, source):
    """Upsert factor rows (code, date, back_factor, fore_factor); returns UpsertCounts."""
    if frame.empty:
        return storage.UpsertCounts()
    rows = frame[["code", "date", "back_factor", "fore_factor"]].assign(source=source)
    counts = storage.upsert(AdjustFactor, rows, keys=["code", "date"])
    coverage.record(dataset="factors", codes=rows["code"].unique())
    return counts


def store_events(frame, *, source):
    """Upsert ex-rights events (code, ex_date, cash_dividend, bonus_ratio[, rights_ratio, rights_price])."""
    if frame.empty:
        return storage.UpsertCounts()
    columns = [c for c in ("code", "ex_date", "cash_dividend", "bonus_ratio", "rights_ratio", "rights_price")
               if c in frame]
    return storage.upsert(CorporateAction, frame[columns].assign(source=source), keys=["code", "ex_date"])


def reference_price(prev_close, *, cash=0.0, bonus=0.0, rights_ratio=0.0, rights_price=None):
    """The exchange's ex-rights reference price, rounded half up to the cent."""
    value = (prev_close - cash + (rights_price or 0) * rights_ratio) / (1 + bonus + rights_ratio)
    return float(np.floor(value * 100 + 0.5 + 1e-9) / 100)


def derive_factors(codes, *, source):
    """Rebuild the factor rows of ``codes`` from their stored events and raw bars; returns rows written.

    Each event multiplies the cumulative factor by ``prev_close / pre_close`` of its ex-date (the
    bar's own reference price when stored, the event's terms otherwise). Events with no bar before
    them (before our history starts) are left out: they cannot change prices we hold.
    """
    events = pd.DataFrame(CorporateAction.objects.filter(code__in=list(codes)).order_by("code", "ex_date").values())
    if events.empty:
        return 0
    written = []
    for code, rows in events.groupby("code"):
        factor = 1.0
        for event in rows.to_dict("records"):
            ratio = _event_ratio(code, event)
            if ratio is None:
                continue
            factor *= ratio
            written.append({"code": code, "date": event["ex_date"], "back_factor": factor, "fore_factor": None})
    if written:
        store_factors(pd.DataFrame(written), source=source)
    return len(written)


def _event_ratio(code, event):
    before = DailyBar.objects.filter(code=code, adjust="none", date__lt=event["ex_date"]).order_by("-date").first()
    if before is None:
        return None
    on = DailyBar.objects.filter(code=code, adjust="none", date=event["ex_date"]).first()
    reference = on.pre_close if on is not None and on.pre_close else reference_price(
        before.close, cash=event["cash_dividend"], bonus=event["bonus_ratio"],
        rights_ratio=event["rights_ratio"], rights_price=event["rights_price"])
    return before.close / reference if reference > 0 else None


def mark_days(scope, days, *, rows=0):
    """Record that whole-market ``days`` of ``scope`` were fetched (so the next run skips them)."""
    marks = [{"scope": scope, "key": d.isoformat(), "done_through": d, "complete": True,
              "fetched_at": timezone.now(), "rows": rows} for d in days]
    if marks:
        storage.upsert(SyncMark, marks, keys=["scope", "key"])


def days_done(scope, days):
    keys = [d.isoformat() for d in days]
    return {datetime.date.fromisoformat(k) for k in
            SyncMark.objects.filter(scope=scope, key__in=keys, complete=True).values_list("key", flat=True)}


# --- the job -------------------------------------------------------------------------------------------

FACTOR_DAYS_SCOPE = "factors:day"
DIVIDEND_SCOPE = "events:period"


def recent_report_periods(today, *, count=2):
    """The last ``count`` annual / half-year report periods (the ones whose plans are paid now)."""
    periods = []
    year = today.year
    while len(periods) < count:
        for period in (datetime.date(year, 12, 31), datetime.date(year, 6, 30)):
            if period < today and len(periods) < count:
                periods.append(period)
        year -= 1
    return periods


def sync_factors(ctx, *, data_source, fallback, days, symbols, with_events, event_periods=()):
    """Fetch and store adjustment factors (and, ``with_events``, the ex-rights events).

    Incremental: one whole-market factor call per trading day among the last ``days`` not yet done.
    ``symbols``: a per-stock backfill of those stocks' whole factor history instead.
    ``event_periods`` (one report period or the first and last of a range): the dividend plans of
    those half-year and annual periods instead of the two recent ones (a backfill of the events).
    """
    summary = RunSummary()
    chain = SourceChain(data_source, fallback=fallback, log=ctx.log)
    end = latest_complete_trading_day()
    if symbols:
        _factors_by_symbol(ctx, summary, chain, symbols, end)
    elif "baostock" in chain.names:
        wanted = trading_days(end - datetime.timedelta(days=days * 2 + 10), end)[-days:]
        todo = [d for d in wanted if d not in days_done(FACTOR_DAYS_SCOPE, wanted)]
        _factors_by_day(ctx, summary, todo)
    if with_events or "baostock" not in chain.names:
        periods = ([p for p in resolve_periods(event_periods, end) if p.month in (6, 12)] if event_periods
                   else recent_report_periods(end))
        _events_by_period(ctx, summary, periods, derive="baostock" not in chain.names)
    summary.check("adjustment factors")
    return summary.as_result(sources_used=chain.used)


def _factors_by_day(ctx, summary, todo):
    for i, day in enumerate(todo):
        ctx.check_cancelled()
        frame = guarded(summary, f"factors {day}", ctx.log, baostock.adjust_factors_for_day, day)
        if frame is not None:
            frame, skipped = validation.clean_required(frame, required=("code", "date", "back_factor"),
                                                       positive=("back_factor",))
            summary.skip(skipped, ctx.log)
            summary.stored(store_factors(frame, source="baostock"), len(frame))
            mark_days(FACTOR_DAYS_SCOPE, [day], rows=len(frame))
        ctx.progress(i + 1, len(todo), f"factors on {day}")
    summary.extra["factor_days"] = len(todo)


def _factors_by_symbol(ctx, summary, chain, symbols, end):
    for i, code in enumerate(symbols):
        ctx.check_cancelled()
        frame = guarded_call(summary, ctx, code, chain.run, "adjust_factors", code, datetime.date(1990, 1, 1), end)
        if frame is not None:
            frame, skipped = validation.clean_required(frame, required=("code", "date", "back_factor"),
                                                       positive=("back_factor",))
            summary.skip(skipped, ctx.log)
            summary.stored(store_factors(frame, source=chain.last), len(frame))
        ctx.progress(i + 1, len(symbols), code)


def guarded_call(summary, ctx, unit, fn, *args):
    return guarded(summary, unit, ctx.log, fn, *args)


def _events_by_period(ctx, summary, periods, *, derive):
    """Dividend / bonus plans of the recent report periods from akshare, stored as events; with
    ``derive`` (no factor source) the factors of the stocks with new events are rebuilt from them."""
    for period in periods:
        ctx.check_cancelled()
        frame = guarded_call(summary, ctx, f"events {period}", akshare.dividends_for_period, period)
        if frame is None:
            continue
        frame, skipped = validation.clean_required(frame, required=("code", "ex_date"))
        summary.skip(skipped, ctx.log)
        summary.stored(store_events(frame, source="akshare"), len(frame))
        summary.extra["events"] = summary.extra.get("events", 0) + len(frame)
        if derive and not frame.empty:
            summary.extra["factors_derived"] = summary.extra.get("factors_derived", 0) + derive_factors(
                set(frame["code"]), source="derived")
