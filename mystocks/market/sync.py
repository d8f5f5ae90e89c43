"""Stock list and daily bars: what ``sync_basic_stock_info`` and ``sync_daily_stock_data`` do.

Whole-market calls first: the latest trading day of every stock comes from one whole-market
snapshot (akshare's after-close spot table, ~55 requests; or baostock's all-stocks-for-a-day call,
one request), whichever source is asked first, the other as fallback. Per-stock history calls are
left for backfills (explicit dates), stocks with no bars yet (new to us) and gaps longer than a day.
"""
import bisect
import datetime
from dataclasses import dataclass

import pandas as pd
from django.db.models import Max
from django.utils import timezone

from tasks_app.calendar import is_trading_day, trading_days

from . import coverage, factors, storage, validation
from .models import Adjust, DailyBar, Stock, SyncMark
from .pipeline import (
    MARKET_CLOSE,
    RunSummary,
    SourceChain,
    guarded,
    latest_complete_trading_day,
    now_local,
)
from .sources import SourceError, akshare, baostock, other_source

MARKET_OPEN = datetime.time(9, 15)  # from the call auction on, the spot table shows today's session
BAR_FIELDS = ["code", "date", "open", "high", "low", "close", "pre_close", "volume", "amount", "turnover",
              "pct_change", "source"]

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
    frame = fill_missing_industries(frame, chain, ctx.log)
    summary = RunSummary(units=1)
    summary.stored(storage.upsert(Stock, frame, keys=["code"]), len(frame))
    summary.extra["st_periods"] = factors.record_st_from_names(
        dict(zip(frame["code"], frame["name"])), day=latest_complete_trading_day(), source=chain.last)
    for unit, error in failed.items():
        summary.fail(unit, RuntimeError(error), ctx.log)
    ctx.progress(1, 1, f"{len(frame)} stocks")
    return summary.as_result(source=chain.last)


def fill_missing_industries(frame, chain, log):
    """Blank industries (SSE's list has none) from the other source, else from what we stored before.

    A list refresh never blanks an industry we already know."""
    blank = frame["industry"].fillna("") == ""
    if not blank.any():
        return frame
    other = other_source(chain.last)
    try:
        filled = SourceChain(other, fallback=False, log=log).run("industries")
    except SourceError as exc:  # the second source is a bonus: its failure must not fail the list
        log.warning("industries from %s unavailable (%s); keeping the stored ones", other, exc)
        filled = {}
    known = dict(Stock.objects.exclude(industry="").filter(code__in=list(frame.loc[blank, "code"]))
                 .values_list("code", "industry"))
    frame = frame.copy()
    frame.loc[blank, "industry"] = [filled.get(c) or known.get(c, "") for c in frame.loc[blank, "code"]]
    log.info("industries filled for %d of %d stocks without one", int((frame.loc[blank, "industry"] != "").sum()),
             int(blank.sum()))
    return frame


@dataclass
class DayPlan:
    days: list  # trading days asked for, ascending
    closed: list  # non-trading days asked for (skipped)
    explicit: bool  # dates were given: a backfill, not incremental
    exact: bool  # a list of days: keep only those, not the range between them


def resolve_days(dates):
    """The DayPlan for the ``dates`` param: none = the latest complete trading day (incremental),
    one date = that day, two = the range between them, more = exactly those days."""
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
    for code, done in SyncMark.objects.filter(scope=bars_scope(adjust), key__in=codes).values_list(
            "key", "done_through"):
        if done and (code not in last or done > last[code]):
            last[code] = done  # fetched through that day already, with no bar (suspended)
    listed = dict(Stock.objects.filter(code__in=codes).values_list("code", "list_date"))
    earliest = end - datetime.timedelta(days=history_days)
    windows = {}
    for code in codes:
        if code in last:
            start = last[code] + datetime.timedelta(days=1)
        else:
            start = max(filter(None, [listed.get(code), earliest]))
        if start <= end:
            windows[code] = (start, end)
    return windows


def bars_scope(adjust):
    return f"bars:{adjust}"


def mark_fetched(codes, day, adjust):
    """Remember that ``codes`` were fetched through ``day``: a stock absent from a whole-market day
    (suspended) is not asked for again one by one."""
    if codes:
        storage.upsert(SyncMark, [{"scope": bars_scope(adjust), "key": c, "done_through": day,
                                   "fetched_at": timezone.now()} for c in codes], keys=["scope", "key"])


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
    summary.extra["list_dates"] = dict(Stock.objects.filter(code__in=list(windows)).values_list("code", "list_date"))
    chain = SourceChain(data_source, fallback=fallback, log=ctx.log)
    only_days = set(plan.days) if plan.exact else None
    market_day = _market_day_windows(windows, plan, adjust, bool(symbols))
    if market_day and _fetch_market_day(ctx, summary, chain.names, plan.days[-1], market_day):
        windows = {c: w for c, w in windows.items() if c not in market_day}
        mark_fetched(list(market_day), plan.days[-1], adjust)
    else:
        market_day = {}
    # A backfill stays with the chosen source; an incremental gap may use baostock's days as fallback.
    by_day_names = chain.names[:1] if plan.explicit else chain.names
    by_day, by_symbol = _split_by_day(windows, by_day_names, adjust, bool(symbols))
    if by_day and not _fetch_by_day(ctx, summary, by_day, only_days):
        ctx.log.warning("whole-market days failed; fetching those %d stocks one by one", len(by_day))
        by_symbol.update(by_day)
    elif by_day and not plan.explicit:
        mark_fetched(list(by_day), plan.days[-1], adjust)
    _fetch_by_symbol(ctx, summary, chain, by_symbol, adjust, only_days)
    summary.extra.pop("list_dates")
    summary.check("daily bars")
    start = min((s for s, _ in windows.values()), default=plan.days[-1])
    coverage.record(dataset=f"bars:{adjust}", start=start, end=plan.days[-1], codes=[*windows, *market_day])
    return summary.as_result(
        trading_days=len(plan.days), days_skipped=skipped_days, stocks=len(codes),
        stocks_up_to_date=len(codes) - len(windows) - len(market_day), stocks_by_symbol=len(by_symbol),
        sources_used=chain.used,
    )


def _market_day_windows(windows, plan, adjust, symbol_filter):
    """Windows that are exactly the plan's last day: one whole-market snapshot serves them all."""
    if adjust != Adjust.NONE or symbol_filter or (plan.explicit and len(plan.days) > 1):
        return {}
    day = plan.days[-1]
    previous = trading_days(day - datetime.timedelta(days=30), day)[-2:][0]
    return {c: w for c, w in windows.items() if w[1] == day and w[0] > previous}


def spot_table_shows(day):
    """Whether the spot table shows ``day``'s final bars now: the day's session has closed and the
    next one has not begun (a weekend or a night in between is fine)."""
    now = now_local()
    if is_trading_day(now.date()) and MARKET_OPEN <= now.time() < MARKET_CLOSE:
        return False
    return latest_complete_trading_day() == day


def _market_day_sources(names, day):
    """(source name, fetch function) for one whole-market day, in the order the run prefers."""
    found = []
    for name in names:
        if name == "akshare" and spot_table_shows(day):
            found.append(("akshare", akshare.spot_day_bars))
        elif name == "baostock":
            found.append(("baostock", lambda check_cancelled=None: baostock.daily_bars_for_day(day)))
    return found


def _fetch_market_day(ctx, summary, names, day, windows):
    """Store ``day`` for the stocks of ``windows`` from one whole-market snapshot; False if none came."""
    for name, fetch in _market_day_sources(names, day):
        ctx.progress(0, 1, f"whole market on {day} from {name}")
        frame = guarded(summary, f"{name} whole market {day}", ctx.log, fetch, check_cancelled=ctx.check_cancelled)
        if frame is None or frame.empty:
            continue
        frame = frame[frame["code"].isin(windows)].assign(date=day, source=name)
        _store_bars(summary, frame, Adjust.NONE)
        summary.extra["whole_market_days"] = summary.extra.get("whole_market_days", 0) + 1
        summary.extra["whole_market_source"] = name
        ctx.progress(1, 1, f"whole market on {day}: {len(frame)} bars")
        return True
    return False


def _split_by_day(windows, names, adjust, symbol_filter):
    """Windows baostock serves with one all-stocks call per day (few days missing), and the rest."""
    if "baostock" not in names or adjust != Adjust.NONE or symbol_filter or not windows:
        return {}, dict(windows)
    open_days = trading_days(min(s for s, _ in windows.values()), max(e for _, e in windows.values()))

    def count(start, end):
        return bisect.bisect_right(open_days, end) - bisect.bisect_left(open_days, start)

    short = {c: w for c, w in windows.items() if count(*w) <= BY_DAY_MAX_DAYS}
    return short, {c: w for c, w in windows.items() if c not in short}


def _fetch_by_day(ctx, summary, windows, only_days):
    """Whole-market days from baostock; False when any day failed (its stocks then go one by one)."""
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
    summary.extra["whole_market_days"] = summary.extra.get("whole_market_days", 0) + len(needed)
    return summary.failed_count == failures_before


def _fetch_by_symbol(ctx, summary, chain, windows, adjust, only_days):
    pending, total, fetched = [], len(windows), []
    for i, (code, (start, end)) in enumerate(sorted(windows.items())):
        ctx.check_cancelled()
        frame = guarded(summary, code, ctx.log, chain.run, "daily_bars", code, start, end, adjust=adjust)
        if frame is not None:
            fetched.append(code)
        if frame is not None and not frame.empty:
            frame = frame.assign(source=chain.last)
            pending.append(frame if only_days is None else frame[frame["date"].isin(only_days)])
        if len(pending) >= FLUSH_EVERY or i + 1 == total:
            _store_bars(summary, _concat(pending), adjust)
            pending = []
        ctx.progress(i + 1, total, code)
    if windows and only_days is None:
        mark_fetched(fetched, max(e for _, e in windows.values()), adjust)


def _concat(frames):
    frames = [f for f in frames if not f.empty]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def _store_bars(summary, frame, adjust):
    """Validate, store, and record what the bars say about ST status and ex-rights dates."""
    if frame is None or frame.empty:
        return
    frame, skipped = validation.clean_bars(frame, list_dates=summary.extra.get("list_dates"))
    summary.skip(skipped)
    if frame.empty:
        return
    if "st" in frame:
        factors.record_st_flags(frame[["code", "date", "st"]], source=str(frame["source"].iloc[0]))
    frame = frame[[c for c in BAR_FIELDS if c in frame]].assign(adjust=adjust)
    summary.stored(storage.upsert(DailyBar, frame, keys=["code", "date", "adjust"]), len(frame))
