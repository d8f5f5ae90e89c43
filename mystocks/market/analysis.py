"""The signal and backtest jobs: bars → strategies → stored signals, or → a simulated portfolio.

Strategies see prices adjusted as asked (qfq by default), so an ex-rights day is no false drop;
the portfolio trades at the real prices, with the stock's corporate actions credited (``backtest``).
"""
import datetime
import hashlib
import json
from dataclasses import dataclass

import numpy as np
import pandas as pd
from django.db import transaction

from . import adjust as adjusting
from . import backtest, coverage, rules, storage, strategies
from .adjust import load_bars
from .indicators import Panel
from .models import BacktestRun, BacktestTrade, CorporateAction, Stock, StockStatusPeriod, StrategySignal
from .pipeline import latest_complete_trading_day

# MA250 on the first bar of 回踩年线's 60-bar window needs 309 bars (~480 calendar days) before the day.
WARMUP_DAYS = 520


def to_grid(bars, buy, sell, panel, *, list_dates=None):
    """Date-aligned codes × dates arrays from right-aligned panel signals (a missing bar is NaN).

    ``bars`` are the prices traded at; ``list_dates`` ({code: date}) numbers each stock's trading
    days from its listing when its first bar is its listing day."""
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
        listing_day=place(_listing_days(bars, list_dates or {}), fill=0.0),
        list_dates=[(list_dates or {}).get(str(c)) for c in panel.codes],
    )


def _listing_days(bars, list_dates):
    """1-based trading day since listing for stocks whose first bar is their listing day, else 0."""
    number = bars.groupby("code").cumcount().to_numpy() + 1
    first = bars.groupby("code")["date"].transform("first")
    listed = bars["code"].map(list_dates)
    return np.where((first == listed).to_numpy(), number, 0).astype(float)


@dataclass
class MarketBars:
    """What every strategy of one run reads: the real bars, the panel of adjusted ones, listing dates."""

    raw: pd.DataFrame
    panel: Panel
    list_dates: dict


def load_market(*, start, end, codes=None, adjust=adjusting.QFQ):
    """Bars from warm-up before ``start`` to ``end``, loaded once for all the strategies of a run."""
    since = start - datetime.timedelta(days=WARMUP_DAYS)
    raw = load_bars(adjust=adjusting.NONE, since=since, until=end, codes=codes or None)
    if raw.empty:
        raise ValueError(f"no daily bars between {since} and {end}: run sync_daily_stock_data "
                         "(or load_sample_market) first")
    panel = Panel(adjusting.adjust_bars(raw, adjust=adjust))
    listed = adjusting.for_codes(Stock.objects.filter(list_date__isnull=False), [str(c) for c in panel.codes])
    return MarketBars(raw=raw, panel=panel, list_dates=dict(listed.values_list("code", "list_date")))


def strategy_grid(name, *, start=None, end=None, codes=None, adjust=adjusting.QFQ, market=None):
    """Signals of ``name`` on ``adjust``-ed prices, on a grid of the real prices (``market`` if loaded)."""
    market = market or load_market(start=start, end=end, codes=codes, adjust=adjust)
    buy, sell = strategies.signals(name, market.panel)
    return to_grid(market.raw, buy, sell, market.panel, list_dates=market.list_dates)


def with_market_facts(grid):
    """``grid`` with each stock's ST days and the corporate actions inside its dates."""
    index = {code: i for i, code in enumerate(grid.codes)}
    dates = np.array(grid.dates, dtype="datetime64[D]")
    actions = _event_actions(grid, index, dates)
    actions.update({key: a for key, a in _factor_only_actions(grid, index, dates).items() if key not in actions})
    grid.st, grid.actions = _st_days(grid, index, dates), actions
    _reference_prices(grid)
    return grid


def _st_days(grid, index, dates):
    """codes × dates: True on the days a ``StockStatusPeriod`` (ends inclusive) covers."""
    st = np.zeros((len(grid.codes), len(grid.dates)), dtype=bool)
    periods = adjusting.for_codes(StockStatusPeriod.objects, grid.codes).values_list("code", "start", "end")
    for code, start, end in periods:
        if code not in index:
            continue
        first = np.searchsorted(dates, np.datetime64(start, "D"), side="left")
        last = len(dates) if end is None else np.searchsorted(dates, np.datetime64(end, "D"), side="right")
        st[index[code], first:last] = True
    return st


def _event_actions(grid, index, dates):
    """{(code index, date index): Action} of the stored corporate actions inside the grid's dates."""
    events = CorporateAction.objects.filter(ex_date__gte=grid.dates[0], ex_date__lte=grid.dates[-1])
    actions = {}
    for row in adjusting.for_codes(events, grid.codes).values():
        if row["code"] not in index:
            continue
        t = int(np.searchsorted(dates, np.datetime64(row["ex_date"], "D"), side="left"))
        actions[(index[row["code"]], t)] = backtest.Action(
            cash_dividend=row["cash_dividend"], bonus_ratio=row["bonus_ratio"],
            rights_ratio=row["rights_ratio"], rights_price=row["rights_price"])
    return actions


def _factor_only_actions(grid, index, dates):
    """Ex-dates known only by a factor step (no ``CorporateAction`` row): applied as a bonus ratio of
    the step − 1, i.e. whatever the event paid is reinvested at the reference price, so holding
    through it keeps its value as the adjusted prices do (fractions of a share are dropped)."""
    factors = adjusting.load_factors(codes=grid.codes)
    if factors.empty:
        return {}
    previous = factors.groupby("code")["back_factor"].shift().fillna(1.0)
    step = factors["back_factor"] / previous
    day = np.array(factors["date"].tolist(), dtype="datetime64[D]")
    inside = (day >= dates[0]) & (day <= dates[-1]) & (np.abs(step - 1) > 1e-9).to_numpy()
    inside &= factors["code"].isin(index).to_numpy()
    out = {}
    for code, when, ratio in zip(factors["code"][inside], day[inside], step[inside]):
        t = int(np.searchsorted(dates, when, side="left"))
        out[(index[code], t)] = backtest.Action(bonus_ratio=float(ratio) - 1)
    return out


def _reference_prices(grid):
    """On ex-dates, the previous close limits are computed from is the reference price. A provider that
    gave none, or gave the plain previous close, gets the exchanges' formula instead."""
    grid.pre_close = np.array(grid.pre_close, dtype=float)  # a copy: the caller's array may be read-only
    for (i, t), action in grid.actions.items():
        before = grid.close[i, :t][~np.isnan(grid.close[i, :t])]
        if not before.size:
            continue
        stated = grid.pre_close[i, t]
        if np.isnan(stated) or abs(stated - before[-1]) < 0.005:
            grid.pre_close[i, t] = backtest.reference_price(float(before[-1]), action)


def calculate_signals(ctx, *, strategy_names, trade_date, adjust=adjusting.QFQ):
    """Store the buy/sell signals of each strategy on ``trade_date`` (default: the latest trading day),
    computed on ``adjust``-ed prices; a signal's ``close`` is the real close."""
    adjusting.check_mode(adjust)
    if not strategy_names:
        raise ValueError(f"strategies is empty: choose from {', '.join(strategies.STRATEGIES)}")
    for name in strategy_names:  # all checked before anything is stored
        strategies.check_name(name)
    day = datetime.date.fromisoformat(trade_date) if trade_date else latest_complete_trading_day()
    result = {"trade_date": day.isoformat(), "rows_fetched": 0, "rows_inserted": 0, "rows_updated": 0,
              "rows_skipped": 0, "symbols_failed": [], "signals": {}}
    market = load_market(start=day, end=day, adjust=adjust)
    for step, name in enumerate(strategy_names):
        ctx.check_cancelled()
        ctx.progress(step, len(strategy_names), name)
        grid = strategy_grid(name, market=market)
        if grid.dates[-1] != day:
            raise ValueError(f"no bars on {day} (latest stored: {grid.dates[-1]}): nothing to signal")
        rows = _signal_rows(name, grid, day)
        counts = storage.upsert(StrategySignal, rows, keys=["strategy", "code", "date"])
        if coverage.tracked(f"signals:{name}"):
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
                 adjust=adjusting.QFQ):
    """Backtest ``strategy_id`` between the dates; store the run with its equity curve and trades."""
    adjusting.check_mode(adjust)
    if not strategy_id:
        raise ValueError(f"strategy_id is required: one of {', '.join(strategies.STRATEGIES)}")
    strategies.check_name(strategy_id)
    if initial_capital <= 0:
        raise ValueError("initial_capital must be positive")
    end = datetime.date.fromisoformat(end_date) if end_date else latest_complete_trading_day()
    start = datetime.date.fromisoformat(start_date) if start_date else end - datetime.timedelta(days=365)
    if start > end:
        raise ValueError(f"start_date {start} is after end_date {end}")
    if start < rules.first_tabulated_day():
        raise ValueError(f"start_date {start} is before {rules.first_tabulated_day()}, where the fee rules start")
    grid = _clip(strategy_grid(strategy_id, start=start, end=end, codes=symbols, adjust=adjust), start)
    grid = with_market_facts(grid)
    ctx.log.info("backtest %s on %d stocks × %d days (signals on %s prices)",
                 strategy_id, len(grid.codes), len(grid.dates), adjust)
    result = backtest.simulate(grid, capital=initial_capital, max_positions=max_positions,
                               on_day=lambda done, total, day: _on_day(ctx, done, total, day))
    figures = backtest.metrics(result, initial_capital)
    params = {"strategy_id": strategy_id, "start": start, "end": end, "capital": initial_capital,
              "symbols": sorted(symbols), "max_positions": max_positions, "adjust": adjust}
    run = _store_run(ctx, params, result, figures)
    return {"backtest_id": run.pk, "strategy_id": strategy_id, "start_date": start.isoformat(),
            "end_date": end.isoformat(), "adjust": adjust, "days": len(grid.dates), "stocks": len(grid.codes),
            **figures}


def _on_day(ctx, done, total, day):
    ctx.progress(done, total, f"{day}")
    if done % 20 == 0:
        ctx.check_cancelled()


def _clip(grid, start):
    first = next((i for i, d in enumerate(grid.dates) if d >= start), None)
    if first is None:
        raise ValueError(f"no bars on or after {start}")
    return grid.clipped(first)


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
