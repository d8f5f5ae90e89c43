"""Signals over a range of past days: a backfill, so follow-up returns have a history to summarise.

The signal job stores one day; a strategy's arrays already cover every bar it loaded, so a range
costs one grid per strategy, not one run per day. Stored exactly as the daily job stores them (the
same keys), so a later daily run of a backfilled day changes nothing.
"""
import datetime

import numpy as np
import pandas as pd

from . import storage, strategies
from .analysis import strategy_grid
from .models import StrategySignal
from .pipeline import latest_complete_trading_day

MAX_DAYS = 3700  # about ten years in one run


def backfill_signals(ctx, *, strategy_names, start_date, end_date, adjust="qfq"):
    """Store the signals of ``strategy_names`` (strategies or screens) on every trading day from
    ``start_date`` to ``end_date`` (default: the latest trading day), on ``adjust``-ed prices."""
    start, end = _range(start_date, end_date)
    if not strategy_names:
        raise ValueError(f"strategies is empty: choose from {', '.join(strategies.STRATEGIES)}")
    for name in strategy_names:
        strategies.check_name(name)
    result = {"start_date": start.isoformat(), "end_date": end.isoformat(), "rows_fetched": 0, "rows_inserted": 0,
              "rows_updated": 0, "rows_skipped": 0, "symbols_failed": [], "signals": {}}
    for step, name in enumerate(strategy_names):
        ctx.check_cancelled()
        ctx.progress(step, len(strategy_names), name)
        grid = strategy_grid(name, start=start, end=end, adjust=adjust)
        rows = signal_rows(name, grid, start)
        counts = storage.upsert(StrategySignal, rows, keys=["strategy", "code", "date"])
        result["signals"][name] = rows["side"].value_counts().reindex(["buy", "sell"], fill_value=0).to_dict()
        result["rows_fetched"] += int(np.isfinite(grid.close).sum())
        result["rows_inserted"] += counts.inserted
        result["rows_updated"] += counts.updated
    ctx.progress(len(strategy_names), len(strategy_names), "done")
    return result


def _range(start_date, end_date):
    if not start_date:
        raise ValueError("start_date is required: the first day to compute signals for")
    start = datetime.date.fromisoformat(start_date)
    end = datetime.date.fromisoformat(end_date) if end_date else latest_complete_trading_day()
    if start > end:
        raise ValueError(f"start_date {start} is after end_date {end}")
    if (end - start).days > MAX_DAYS:
        raise ValueError(f"start_date … end_date spans more than {MAX_DAYS} days: split the backfill")
    return start, end


def signal_rows(name, grid, start):
    """Rows (strategy, code, date, side, close, detail) of the grid's signals on days from ``start``;
    a bar marked both buy and sell keeps the sell, as the daily job's upsert does."""
    first = next((t for t, day in enumerate(grid.dates) if day >= start), len(grid.dates))
    parts = []
    for side, marks in (("buy", grid.buy[:, first:]), ("sell", grid.sell[:, first:])):
        rows, cols = np.nonzero(marks)
        parts.append(pd.DataFrame({
            "strategy": name, "code": np.asarray(grid.codes, dtype=object)[rows],
            "date": np.asarray(grid.dates, dtype=object)[first + cols], "side": side,
            "close": grid.close[rows, first + cols]}))
    frame = pd.concat(parts, ignore_index=True).drop_duplicates(["code", "date"], keep="last")
    return frame.assign(detail=[{} for _ in range(len(frame))])
