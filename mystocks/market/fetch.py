"""Quotes, dragon-tiger list, capital flow, statements and the trading calendar, fetched and stored."""
import datetime

import pandas as pd

from tasks_app.calendar import latest_trading_day, store_trading_days

from . import coverage, storage, validation
from .models import CapitalFlow, DragonTigerEntry, FinancialStatement, RealtimeSnapshot, Stock
from .pipeline import RunSummary, SourceChain, guarded, latest_complete_trading_day, snapshot_minute
from .sources import akshare

LHB_CHUNK_DAYS = 31  # one request per month of dragon-tiger lists: one bad month is one failed unit
FLUSH_EVERY = 100


def fetch_realtime(ctx, *, fetch_stocks, fetch_etfs):
    """Spot quotes of every stock and/or ETF, stored as snapshots of this minute."""
    kinds = [(kind, fn) for kind, fn, wanted in
             (("stock", akshare.spot_stocks, fetch_stocks), ("etf", akshare.spot_etfs, fetch_etfs)) if wanted]
    if not kinds:
        raise ValueError("nothing to fetch: fetch_stocks and fetch_etfs are both false")
    summary, at = RunSummary(), snapshot_minute()
    for i, (kind, fn) in enumerate(kinds):
        ctx.check_cancelled()
        ctx.progress(i, len(kinds), f"fetching {kind} quotes")
        frame = guarded(summary, kind, ctx.log, fn)
        if frame is not None:
            frame, skipped = validation.clean_required(frame, required=("code",))
            summary.skip(skipped, ctx.log)
            frame = frame.assign(security_type=kind, snapshot_at=at)
            counts = storage.upsert(RealtimeSnapshot, frame, keys=["security_type", "code", "snapshot_at"])
            summary.stored(counts, len(frame))
            summary.extra[f"{kind}_quotes"] = len(frame)
    ctx.progress(len(kinds), len(kinds), "done")
    summary.check("realtime quotes")
    for kind, _ in kinds:
        coverage.record(dataset=f"quotes:{kind}", dates=[at.date()])
    return summary.as_result(snapshot_at=at.isoformat())


def _date_range(start_date, end_date):
    start = datetime.date.fromisoformat(start_date) if start_date else latest_complete_trading_day()
    end = datetime.date.fromisoformat(end_date) if end_date else start
    if end < start:
        raise ValueError(f"end_date {end} is before start_date {start}")
    return start, end


def fetch_dragon_tiger(ctx, *, start_date, end_date):
    """Dragon-tiger entries between two dates (default: the latest trading day)."""
    start, end = _date_range(start_date, end_date)
    chunks = []
    while start <= end:
        chunk_end = min(start + datetime.timedelta(days=LHB_CHUNK_DAYS - 1), end)
        chunks.append((start, chunk_end))
        start = chunk_end + datetime.timedelta(days=1)
    summary = RunSummary()
    for i, (first, last) in enumerate(chunks):
        ctx.check_cancelled()
        frame = guarded(summary, f"{first}..{last}", ctx.log, akshare.dragon_tiger, first, last)
        if frame is not None:
            frame, skipped = validation.clean_required(frame, required=("code", "trade_date"))
            summary.skip(skipped, ctx.log)
        if frame is not None and not frame.empty:
            counts = storage.upsert(DragonTigerEntry, frame, keys=["code", "trade_date", "reason"])
            summary.stored(counts, len(frame))
        elif frame is not None:
            ctx.log.info("no dragon-tiger list between %s and %s", first, last)
        ctx.progress(i + 1, len(chunks), f"{first}..{last}")
    summary.check("dragon-tiger list")
    coverage.record_trading_days(dataset="dragon_tiger", start=chunks[0][0], end=chunks[-1][1])
    return summary.as_result(start_date=chunks[0][0].isoformat(), end_date=chunks[-1][1].isoformat())


def fetch_capital_flow(ctx, *, flow_types):
    """Today's capital flow ranks for stocks, industry and concept boards."""
    if not flow_types:
        raise ValueError("flow_types is empty: choose stock, sector and/or concept")
    summary, day = RunSummary(), latest_trading_day_so_far()
    for i, flow_type in enumerate(flow_types):
        ctx.check_cancelled()
        frame = guarded(summary, flow_type, ctx.log, akshare.capital_flow, flow_type)
        if frame is not None:
            frame, skipped = validation.clean_required(frame, required=("code",))
            summary.skip(skipped, ctx.log)
            frame = frame.assign(flow_type=flow_type, trade_date=day)
            frame = frame[[c for c in frame.columns if c in _FLOW_FIELDS]]
            counts = storage.upsert(CapitalFlow, frame, keys=["flow_type", "code", "trade_date"])
            summary.stored(counts, len(frame))
        ctx.progress(i + 1, len(flow_types), flow_type)
    summary.check("capital flow")
    for kind in flow_types:
        coverage.record(dataset=f"capital_flow:{kind}", dates=[day])
    return summary.as_result(trade_date=day.isoformat())


_FLOW_FIELDS = {f.name for f in CapitalFlow._meta.concrete_fields}


def latest_trading_day_so_far():
    """Today when the market opened today (intraday ranks are today's), else the last trading day."""
    return latest_trading_day(snapshot_minute().date())


def sync_statements(ctx, *, data_source, fallback, report_types, symbols):
    """Statements of ``report_types`` for ``symbols`` (default: every listed stock)."""
    if not report_types:
        raise ValueError("report_types is empty: choose balance_sheet, income_statement and/or cash_flow")
    codes = list(symbols) or list(Stock.objects.filter(status="listed").values_list("code", flat=True))
    if not codes:
        raise ValueError("no stocks known: run sync_basic_stock_info first or pass symbols")
    chain = SourceChain(data_source, fallback=fallback, log=ctx.log)
    summary, pending, units = RunSummary(), [], [(c, t) for c in codes for t in report_types]
    for i, (code, report_type) in enumerate(units):
        ctx.check_cancelled()
        frame = guarded(summary, f"{code}:{report_type}", ctx.log, chain.run, "statements", code, report_type)
        if frame is not None and not frame.empty:
            pending.append(frame.assign(statement_type=report_type, source=chain.last))
        if len(pending) >= FLUSH_EVERY or i + 1 == len(units):
            _store_statements(summary, pending)
            pending = []
        ctx.progress(i + 1, len(units), f"{code} {report_type}")
    summary.check("financial statements")
    for kind in report_types:
        coverage.record(dataset=f"statements:{kind}", codes=codes)
    result = summary.as_result(sources_used=chain.used)
    result["symbols_failed"] = sorted({unit.split(":")[0] for unit in summary.failed})
    return result


def _store_statements(summary, frames):
    if not frames:
        return
    frame, skipped = validation.clean_required(pd.concat(frames, ignore_index=True),
                                               required=("code", "report_date"))
    summary.skip(skipped)
    counts = storage.upsert(FinancialStatement, frame, keys=["code", "report_date", "statement_type"])
    summary.stored(counts, len(frame))


def sync_calendar(ctx, *, data_source, fallback, start_date=None, end_date=None):
    """Refresh the engine's trading calendar from a provider."""
    today = snapshot_minute().date()
    start = datetime.date.fromisoformat(start_date) if start_date else datetime.date(today.year - 1, 1, 1)
    end = datetime.date.fromisoformat(end_date) if end_date else datetime.date(today.year, 12, 31)
    chain = SourceChain(data_source, fallback=fallback, log=ctx.log)
    ctx.progress(0, 1, f"fetching trading days {start}..{end}")
    days = chain.run("trade_calendar", start, end)
    source = chain.last
    if source == "akshare":
        # Sina publishes the whole history up to the end of its last published year.
        start, end = min(days), datetime.date(max(days).year, 12, 31)
    stored = store_trading_days(days, start=start, end=end, source=source)
    ctx.progress(1, 1, f"{stored} trading days")
    return {"source": source, "start": start.isoformat(), "end": end.isoformat(), "trading_days": stored,
            "rows_fetched": len(days), "rows_inserted": stored, "rows_updated": 0, "rows_skipped": 0,
            "symbols_failed": []}
