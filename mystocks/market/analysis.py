"""The signal and backtest jobs: bars → strategies → stored signals, or → a simulated portfolio."""
import datetime
import hashlib
import json

import numpy as np
from django.db import transaction

from . import backtest, coverage, storage, strategies
from .compute import load_bars
from .indicators import Panel
from .models import BacktestRun, BacktestTrade, StrategySignal
from .runs import latest_complete_trading_day

WARMUP_DAYS = 400  # MA60 / 60-bar platforms and EMA warm-up before the first day that matters


def to_grid(bars, buy, sell, panel):
    """Date-aligned codes × dates arrays from right-aligned panel signals (a missing bar is NaN)."""
    dates = sorted(set(bars["date"]))
    index = {d: i for i, d in enumerate(dates)}
    rows = np.repeat(np.arange(len(panel.codes)), panel.counts)
    cols = np.array([index[d] for d in bars["date"]])
    shape = (len(panel.codes), len(dates))

    def place(values, fill=np.nan):
        out = np.full(shape, fill, dtype=float if fill is not False else bool)
        out[rows, cols] = values
        return out

    return backtest.Grid(
        dates=dates, codes=[str(c) for c in panel.codes],
        open=place(bars["open"].to_numpy()), close=place(bars["close"].to_numpy()),
        pre_close=place(bars["pre_close"].fillna(bars.groupby("code")["close"].shift()).to_numpy()),
        buy=place(panel.gather(buy), fill=False), sell=place(panel.gather(sell), fill=False),
    )


def strategy_grid(name, *, start, end, codes=None, adjust="none"):
    since = start - datetime.timedelta(days=WARMUP_DAYS)
    bars = load_bars(adjust=adjust, since=since, until=end, codes=codes or None)
    if bars.empty:
        raise ValueError(f"no daily bars between {since} and {end}: run sync_daily_stock_data "
                         "(or load_sample_market) first")
    panel = Panel(bars)
    buy, sell = strategies.signals(name, panel)
    return to_grid(bars, buy, sell, panel)


def calculate_signals(ctx, *, strategy_names, trade_date):
    """Store the buy/sell signals of each strategy on ``trade_date`` (default: the latest trading day)."""
    if not strategy_names:
        raise ValueError(f"strategies is empty: choose from {', '.join(strategies.STRATEGIES)}")
    day = datetime.date.fromisoformat(trade_date) if trade_date else latest_complete_trading_day()
    result = {"trade_date": day.isoformat(), "rows_fetched": 0, "rows_inserted": 0, "rows_updated": 0,
              "rows_skipped": 0, "symbols_failed": [], "signals": {}}
    for step, name in enumerate(strategy_names):
        ctx.check_cancelled()
        ctx.progress(step, len(strategy_names), name)
        grid = strategy_grid(name, start=day, end=day)
        if grid.dates[-1] != day:
            raise ValueError(f"no bars on {day} (latest stored: {grid.dates[-1]}): nothing to signal")
        rows = _signal_rows(name, grid, day)
        counts = storage.upsert(StrategySignal, rows, keys=["strategy", "code", "date"])
        coverage.record(dataset=f"signals:{name}", dates=[day])
        result["signals"][name] = {"buy": sum(r["side"] == "buy" for r in rows),
                                   "sell": sum(r["side"] == "sell" for r in rows)}
        result["rows_fetched"] += len(grid.codes)
        result["rows_inserted"] += counts.inserted
        result["rows_updated"] += counts.updated
    ctx.progress(len(strategy_names), len(strategy_names), "done")
    return result


def _signal_rows(name, grid, day):
    t = len(grid.dates) - 1
    rows = []
    for side, marks in (("buy", grid.buy[:, t]), ("sell", grid.sell[:, t])):
        for i in np.flatnonzero(marks):
            rows.append({"strategy": name, "code": grid.codes[i], "date": day, "side": side,
                         "close": float(grid.close[i, t]), "detail": {}})
    return rows


def run_key(params):
    return hashlib.sha256(json.dumps(params, sort_keys=True, default=str).encode()).hexdigest()[:64]


def run_backtest(ctx, *, strategy_id, start_date, end_date, initial_capital, symbols, max_positions=10,
                 adjust="none"):
    """Backtest ``strategy_id`` between the dates; store the run with its equity curve and trades."""
    if not strategy_id:
        raise ValueError(f"strategy_id is required: one of {', '.join(strategies.STRATEGIES)}")
    if strategy_id not in strategies.STRATEGIES:
        raise ValueError(f"unknown strategy_id {strategy_id!r}; choose one of {', '.join(strategies.STRATEGIES)}")
    if initial_capital <= 0:
        raise ValueError("initial_capital must be positive")
    end = datetime.date.fromisoformat(end_date) if end_date else latest_complete_trading_day()
    start = datetime.date.fromisoformat(start_date) if start_date else end - datetime.timedelta(days=365)
    if start > end:
        raise ValueError(f"start_date {start} is after end_date {end}")
    grid = _clip(strategy_grid(strategy_id, start=start, end=end, codes=symbols, adjust=adjust), start)
    ctx.log.info("backtest %s on %d stocks × %d days", strategy_id, len(grid.codes), len(grid.dates))
    result = backtest.simulate(grid, capital=initial_capital, max_positions=max_positions,
                               on_day=lambda done, total, day: _on_day(ctx, done, total, day))
    figures = backtest.metrics(result, initial_capital)
    params = {"strategy_id": strategy_id, "start": start, "end": end, "capital": initial_capital,
              "symbols": sorted(symbols), "max_positions": max_positions, **({"adjust": adjust} if adjust != "none" else {})}
    run = _store_run(ctx, params, result, figures)
    return {"backtest_id": run.pk, "strategy_id": strategy_id, "start_date": start.isoformat(),
            "end_date": end.isoformat(), "days": len(grid.dates), "stocks": len(grid.codes), **figures}


def _on_day(ctx, done, total, day):
    ctx.progress(done, total, f"{day}")
    if done % 20 == 0:
        ctx.check_cancelled()


def _clip(grid, start):
    first = next((i for i, d in enumerate(grid.dates) if d >= start), None)
    if first is None:
        raise ValueError(f"no bars on or after {start}")
    return backtest.Grid(
        dates=grid.dates[first:], codes=grid.codes,
        **{k: getattr(grid, k)[:, first:] for k in ("open", "close", "pre_close", "buy", "sell")},
    )


@transaction.atomic
def _store_run(ctx, params, result, figures):
    fields = {k: figures.get(k) for k in ("final_equity", "total_return", "annual_return", "max_drawdown",
                                         "sharpe", "win_rate", "trade_count")}
    run, _ = BacktestRun.objects.update_or_create(run_key=run_key(params), defaults={
        "strategy_id": params["strategy_id"], "start_date": params["start"], "end_date": params["end"],
        "initial_capital": params["capital"], "symbols": params["symbols"], **fields,
        "equity_curve": [[d.isoformat(), round(e, 2)] for d, e in result.equity],
        "metrics": figures, "execution_id": ctx.execution.id if ctx.execution else None,
    })
    run.trades.all().delete()  # a re-run replaces the trades of the same backtest
    BacktestTrade.objects.bulk_create([BacktestTrade(run=run, seq=n, **trade) for n, trade in enumerate(result.trades)])
    return run
