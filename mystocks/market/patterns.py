"""Candlestick patterns: TA-Lib's 61 CDL functions over the whole market, one C call per pattern.

TA-Lib's functions take one series. Calling them per stock costs 61 × 5,000 Python→C calls; instead
every stock's bars go into one long series, each stock preceded by ``PAD`` copies of its first bar,
and each pattern runs once over it. A stock's first ``lookback`` bars are then blanked, as a call on
the stock alone leaves them (TA-Lib outputs 0 until it has the pattern's lookback), so no output
depends on a neighbour: from bar ``lookback`` on, every bar a pattern reads (its candles and the
averages of body and shadow sizes over up to 10 earlier bars) is the stock's own.
A test proves the outputs equal TA-Lib called per stock.

TA-Lib's C functions release the GIL, so the 61 long calls run on all cores at once (threads);
per-stock calls could not, their Python overhead holds the GIL.

Values are TA-Lib's: +100 bullish, −100 bearish, ±80 a weaker engulfing / harami (bodies sharing an
edge), ±200 a confirmed hikkake; 0 (no pattern) is not kept.
Names: the function names, with the Chinese names InStock shows (``pattern_names.PATTERNS``).
"""
import datetime
import functools
import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd
import talib
from django.db import transaction
from talib import abstract

from . import indicators, storage
from .compute import load_bars
from .models import PatternHit
from .pattern_names import PATTERNS

# Calendar days loaded before the first day to detect: at least 14 bars of the period (the longest
# lookback) even across the Spring Festival closure.
WARMUP_DAYS = {"daily": 45, "weekly": 130, "monthly": 480}
AGGREGATE = {"weekly": indicators.weekly_bars, "monthly": indicators.monthly_bars}
PAD = 16  # bars between two stocks in the long series; more than any pattern's lookback (≤ 14) + 1


@functools.cache
def lookback(name):
    """Bars TA-Lib needs before its first output for ``name`` (candle averaging periods included)."""
    return abstract.Function(name).lookback


def check_names(names):
    unknown = [n for n in names if n not in PATTERNS]
    if unknown or not names:
        raise ValueError(f"patterns must be some of TA-Lib's {len(PATTERNS)} CDL functions; got {unknown or 'none'}")


class LongSeries:
    """Bars sorted by (code, date) laid end to end, each stock after PAD copies of its first bar."""

    def __init__(self, frame):
        codes = frame["code"].to_numpy()
        n = len(codes)
        starts = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]]) if n else np.array([], int)
        stocks = len(starts)
        stock_of_row = np.repeat(np.arange(stocks), np.diff(np.r_[starts, n]))
        self.position_in_stock = np.arange(n) - starts[stock_of_row]
        self.real = np.arange(n) + PAD * (stock_of_row + 1)  # where input row i lands
        source = np.empty(n + PAD * stocks, dtype=np.intp)
        source[self.real] = np.arange(n)
        pads = np.repeat(starts + PAD * np.arange(stocks), PAD) + np.tile(np.arange(PAD), stocks)
        source[pads] = np.repeat(starts, PAD)
        self.ohlc = [np.ascontiguousarray(frame[k].to_numpy(dtype=float)[source])
                     for k in ("open", "high", "low", "close")]

    def run(self, name):
        """TA-Lib's output of ``name`` for every input row (0 where a per-stock call has none yet)."""
        out = getattr(talib, name)(*self.ohlc)[self.real]
        out[self.position_in_stock < lookback(name)] = 0
        return out


def detect(frame, names, keep=None):
    """Hits of the patterns ``names`` in bars sorted by (code, date): a frame of code, date, pattern,
    value (only non-zero values; only rows where ``keep``, a boolean mask over the input, holds)."""
    check_names(names)
    if frame.empty:
        return pd.DataFrame(columns=["code", "date", "pattern", "value"])
    series = LongSeries(frame)
    keep = np.ones(len(frame), bool) if keep is None else np.asarray(keep, bool)
    codes, dates = frame["code"].to_numpy(), frame["date"].to_numpy()

    def hits_of(name):
        values = series.run(name)
        hit = np.flatnonzero((values != 0) & keep)
        return hit, values[hit]

    with ThreadPoolExecutor(max_workers=min(len(names), os.cpu_count() or 1)) as pool:
        found = list(pool.map(hits_of, names))
    rows = np.concatenate([hit for hit, _ in found])
    return pd.DataFrame({
        "code": codes[rows], "date": dates[rows],
        "pattern": np.repeat(np.array(names, dtype=object), [len(hit) for hit, _ in found]),
        "value": np.concatenate([values for _, values in found]).astype(np.int16),
    })


# --- the job ------------------------------------------------------------------------------------

def detect_and_store(ctx, *, names, periods, symbols, start_date, adjust):
    """Detect ``names`` on every bar from ``start_date`` (default: the last day already detected,
    redone, or all history the first time) and replace the stored hits of those days and patterns."""
    check_names(names)
    result = {"adjust": adjust, "rows_fetched": 0, "rows_inserted": 0, "rows_updated": 0, "rows_deleted": 0,
              "rows_skipped": 0, "symbols_failed": []}
    for step, period in enumerate(periods):
        ctx.check_cancelled()
        ctx.progress(step, len(periods), f"{period}: loading bars")
        start = datetime.date.fromisoformat(start_date) if start_date else _resume_from(period)
        bars = _load(period, start, symbols, adjust)
        hits = detect(bars, names, keep=(bars["date"] >= start).to_numpy() if start else None)
        deleted, counts = _replace(hits, period=period, names=names, start=start, symbols=symbols)
        ctx.log.info("%s: %d bars from %s, %d pattern hits stored", period, len(bars), start or "the start", len(hits))
        result[period] = {"bars": len(bars), "from": start.isoformat() if start else None, "hits": len(hits),
                          "by_pattern": hits["pattern"].value_counts().to_dict()}
        result["rows_fetched"] += len(bars)
        result["rows_inserted"] += counts.inserted
        result["rows_deleted"] += deleted
    ctx.progress(len(periods), len(periods), "done")
    return result


def _resume_from(period):
    """The latest day with any stored hit of the period (some pattern fires somewhere in the market
    every day), redone; a backfill of patterns not run before needs ``start_date``."""
    return PatternHit.objects.filter(period=period).order_by("-date").values_list("date", flat=True).first()


def _load(period, start, symbols, adjust):
    since = start - datetime.timedelta(days=WARMUP_DAYS[period]) if start else None
    bars = load_bars(adjust=adjust, since=since, codes=symbols or None)
    if period in AGGREGATE and not bars.empty:
        bars = AGGREGATE[period](bars)
    return bars


@transaction.atomic
def _replace(hits, *, period, names, start, symbols):
    """Hits of the re-detected days replace the stored ones (a corrected bar can remove a pattern)."""
    stale = PatternHit.objects.filter(period=period, pattern__in=names)
    if start:
        stale = stale.filter(date__gte=start)
    if symbols:
        stale = stale.filter(code__in=symbols)
    deleted, _ = stale.delete()
    return deleted, storage.upsert(PatternHit, hits.assign(period=period), keys=["code", "date", "period", "pattern"])
