"""A small market for the page, API and browser tests: the sample generator plus signals, a backtest
and the tasks that fill each dataset. One call, so a richer simulated market can replace it."""
from tasks_app.testing import make_definition

from .. import coverage, sample
from ..models import AdjustFactor, BacktestRun, DailyBar, SignalReturn, StrategySignal


def load_market(*, stocks=6, days=160):
    """The sample market with coverage rows; returns its trading days (ascending)."""
    sample.load(stocks=stocks, days=days)
    return sorted(DailyBar.objects.filter(code="SMP001").values_list("date", flat=True))


def add_signals(strategy, day, codes, side="buy"):
    closes = dict(DailyBar.objects.filter(date=day, code__in=codes, adjust="none").values_list("code", "close"))
    for code in codes:
        StrategySignal.objects.create(strategy=strategy, code=code, date=day, side=side, close=closes[code])
    coverage.record(dataset=f"signals:{strategy}", dates=[day])


def add_signal_return(strategy, code, day, *, basis="close", side="buy", **returns):
    """A stored follow-up row as the compute_signal_returns job writes it (returns in percent)."""
    complete = all(returns.get(f"ret_{n}") is not None for n in (1, 3, 5, 10, 20, 60))
    return SignalReturn.objects.create(strategy=strategy, code=code, date=day, basis=basis, side=side,
                                       entry_date=day, entry_price=10.0, complete=complete, **returns)


def add_backtest(days, capital=1_000_000.0):
    curve = [[d.isoformat(), capital * (1 + 0.001 * i)] for i, d in enumerate(days)]
    return BacktestRun.objects.create(
        run_key=f"test-{days[0]}-{days[-1]}", strategy_id="ma_crossover", start_date=days[0], end_date=days[-1],
        initial_capital=capital, final_equity=curve[-1][1], total_return=curve[-1][1] / capital - 1,
        annual_return=0.1, max_drawdown=0.0, sharpe=1.2, win_rate=0.5, trade_count=0, equity_curve=curve)


def backfill_tasks():
    return {
        "bars": make_definition("sync_daily_stock_data", task_id="daily_data_sync",
                                params={"data_source": "baostock"}),
        "backtest": make_definition("run_backtest", task_id="run_strategy_backtest"),
    }


def store_factor(code, day, back_factor):
    AdjustFactor.objects.update_or_create(code=code, date=day, defaults={"back_factor": back_factor})
