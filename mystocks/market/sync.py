"""Stock list and daily bars: what ``sync_basic_stock_info`` and ``sync_daily_stock_data`` do."""
import bisect
import datetime
from dataclasses import dataclass

import pandas as pd
from django.db.models import Max

from . import coverage, storage
from .models import Adjust, DailyBar, Stock
from .pipeline import RunSummary, SourceChain, guarded, latest_complete_trading_day, now_local

FLUSH_EVERY = 200  # symbols per upsert: big enough for COPY to pay off, small enough to keep memory flat
BY_DAY_MAX_DAYS = 10  # baostock serves a whole day in one call; worth it when few days are missing


def sync_stock_list(ctx, *, data_source, fallback=True, include_delisted=False):
    """Upsert every A-share (code, name, exchange, industry, listing date, status)."""
    chain = SourceChain(data_source, fallback=fallback, log=ctx.log)
    ctx.progress(0, 1, f"fetching the stock list from {data_source}")
    frame = chain.run("stock_list", include_delisted=include_delisted)
    failed = frame.attrs.get("failed", {})
    frame = frame.assign(source=chain.last, updated_at=now_local())
    if not include_delisted:
        frame = frame[frame["status"] == "listed"]
    summary = RunSummary(units=1)
    summary.stored(storage.upsert(Stock, frame, keys=["code"]), len(frame))
    for unit, error in failed.items():
        summary.fail(unit, RuntimeError(error), ctx.log)
    ctx.progress(1, 1, f"{len(frame)} stocks")
    return summary.as_result(source=chain.last)


@dataclass
class DayPlan:
    days: list  # trading days asked for, ascending
    closed: list  # non-trading days asked for (skipped)
    explicit: bool  # dates were given: a backfill, not incremental
    exact: bool  # a list of days: keep only those, not the range between them


def resolve_days(dates):
    """The DayPlan for the ``dates`` param: none = the latest complete trading day (incremental),
    one date = that day, two = the range between them, more = exactly those days."""
    from tasks_app.calendar import trading_days

    parsed = sorted({datetime.date.fromisoformat(str(d)) for d in dates or []})
    if not parsed:
        return DayPlan([latest_complete_trading_day()], [], explicit=False, exact=False)
    if len(parsed) == 2:
        wanted = [parsed[0] + datetime.timedelta(days=i) for i in range((parsed[1] - parsed[0]).days + 1)]
    else:
        wanted = parsed
    open_days = set(trading_days(wanted[0], wanted[-1]))
    return DayPlan([d for d in wanted if d in open_days], [d for d in wanted if d not in open_days],
                   explicit=True, exact=len(parsed) > 2)


def plan_windows(codes, days, *, explicit, adjust, history_days):
    """{code: (start, end)} still to fetch; incremental windows start after each stock's last bar."""
    end = days[-1]
    if explicit:
        return {code: (days[0], end) for code in codes}
    last = dict(DailyBar.objects.filter(adjust=adjust, code__in=codes).values("code")
                .annotate(last=Max("date")).values_list("code", "last"))
    listed = dict(Stock.objects.filter(code__in=codes).values_list("code", "list_date"))
    earliest = end - datetime.timedelta(days=history_days)
    windows = {}
    for code in codes:
        start = last[code] + datetime.timedelta(days=1) if code in last else max(filter(None, [listed.get(code), earliest]))
        if start <= end:
            windows[code] = (start, end)
    return windows


def sync_daily_bars(ctx, *, data_source, fallback, symbols, dates, adjust=Adjust.NONE, history_days=400):
    """Fetch and upsert daily bars; returns the run summary dict."""
    plan = resolve_days(dates)
    skipped_days = [d.isoformat() for d in plan.closed]
    if not plan.days:
        ctx.log.info("no trading day among %s: nothing to fetch", skipped_days)
        return RunSummary().as_result(days_skipped=skipped_days, trading_days=0)
    codes = list(symbols) or list(Stock.objects.filter(status="listed").values_list("code", flat=True))
    if not codes:
        raise ValueError("no stocks known: run sync_basic_stock_info first (or set include_basic) or pass symbols")
    windows = plan_windows(codes, plan.days, explicit=plan.explicit, adjust=adjust, history_days=history_days)
    ctx.log.info("%d of %d stocks need bars up to %s", len(windows), len(codes), plan.days[-1])
    summary = RunSummary()
    chain = SourceChain(data_source, fallback=fallback, log=ctx.log)
    only_days = set(plan.days) if plan.exact else None
    by_day, by_symbol = _split_by_day(windows, data_source, adjust, bool(symbols))
    if by_day and not _fetch_by_day(ctx, summary, by_day, only_days):
        ctx.log.warning("whole-market days failed; fetching those %d stocks one by one", len(by_day))
        by_symbol.update(by_day)
    _fetch_by_symbol(ctx, summary, chain, by_symbol, adjust, only_days)
    summary.check("daily bars")
    coverage.record(dataset=f"bars:{adjust}", start=min((s for s, _ in windows.values()), default=None), end=plan.days[-1], codes=list(windows))
    return summary.as_result(
        trading_days=len(plan.days), days_skipped=skipped_days, stocks=len(codes),
        stocks_up_to_date=len(codes) - len(windows), sources_used=chain.used,
    )


def _split_by_day(windows, data_source, adjust, symbol_filter):
    """Windows baostock serves with one all-stocks call per day (few days missing), and the rest."""
    if data_source != "baostock" or adjust != Adjust.NONE or symbol_filter or not windows:
        return {}, dict(windows)
    from tasks_app.calendar import trading_days

    open_days = trading_days(min(s for s, _ in windows.values()), max(e for _, e in windows.values()))

    def count(start, end):
        return bisect.bisect_right(open_days, end) - bisect.bisect_left(open_days, start)

    short = {c: w for c, w in windows.items() if count(*w) <= BY_DAY_MAX_DAYS}
    return short, {c: w for c, w in windows.items() if c not in short}


def _fetch_by_day(ctx, summary, windows, only_days):
    """Whole-market days from baostock; False when any day failed (its stocks then go one by one)."""
    from tasks_app.calendar import trading_days

    from .sources import baostock

    first, last = min(s for s, _ in windows.values()), max(e for _, e in windows.values())
    needed = [d for d in trading_days(first, last) if only_days is None or d in only_days]
    starts = {c: w[0] for c, w in windows.items()}
    failures_before = summary.failed_count
    for i, day in enumerate(needed):
        ctx.check_cancelled()
        frame = guarded(summary, f"day {day}", ctx.log, baostock.daily_bars_for_day, day)
        if frame is not None and not frame.empty:
            start = frame["code"].map(starts)
            frame = frame[start.notna() & (frame["date"] >= start.fillna(day))].assign(source="baostock")
            _store_bars(summary, frame, Adjust.NONE)
        ctx.progress(i + 1, len(needed), f"whole market on {day}")
    summary.extra["whole_market_days"] = len(needed)
    return summary.failed_count == failures_before


def _fetch_by_symbol(ctx, summary, chain, windows, adjust, only_days):
    pending, total = [], len(windows)
    for i, (code, (start, end)) in enumerate(sorted(windows.items())):
        ctx.check_cancelled()
        frame = guarded(summary, code, ctx.log, chain.run, "daily_bars", code, start, end, adjust=adjust)
        if frame is not None and not frame.empty:
            frame = frame.assign(source=chain.last)
            pending.append(frame if only_days is None else frame[frame["date"].isin(only_days)])
        if len(pending) >= FLUSH_EVERY or i + 1 == total:
            _store_bars(summary, _concat(pending), adjust)
            pending = []
        ctx.progress(i + 1, total, code)


def _concat(frames):
    frames = [f for f in frames if not f.empty]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def _store_bars(summary, frame, adjust):
    if frame is None or frame.empty:
        return
    frame = frame.assign(adjust=adjust)
    summary.stored(storage.upsert(DailyBar, frame, keys=["code", "date", "adjust"]), len(frame))
