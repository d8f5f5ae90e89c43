"""Indicator, signal and backtest jobs on the synthetic sample market, through the runner."""
import datetime

import numpy as np
import pytest
from django.core.management import call_command

from mystocks.market import compute, indicators, jobs
from mystocks.market.models import BacktestRun, DailyBar, IndicatorValue, Stock, StrategySignal
from tasks_app.models import Status
from tasks_app.testing import run_job_inline

pytestmark = pytest.mark.django_db(transaction=True)
END = datetime.date(2024, 12, 31)


@pytest.fixture
def sample_market():
    call_command("load_sample_market", stocks=6, days=160, end=END)


def test_sample_market_is_labelled_and_reloads_idempotently(sample_market):
    call_command("load_sample_market", stocks=6, days=160, end=END)
    assert Stock.objects.count() == 6 and DailyBar.objects.count() == 6 * 160
    stock = Stock.objects.first()
    assert stock.code.startswith("SMP") and "synthetic" in stock.name and stock.source == "sample"


def test_indicators_for_all_stocks_then_only_new_bars(sample_market):
    everything = list(indicators.INDICATOR_COLUMNS)
    first = run_job_inline("calculate_technical_indicators",
                           {"indicators": everything, "periods": ["daily", "weekly", "monthly"]})
    assert first.status == Status.SUCCESS, first.error
    assert IndicatorValue.objects.filter(period="daily").count() == 6 * 160
    assert IndicatorValue.objects.filter(period="monthly").values("date").distinct().count() in (8, 9)
    again = run_job_inline("calculate_technical_indicators", {"indicators": everything})
    assert again.result["rows_inserted"] == 0 and again.result["daily"]["inserted"] == 0

    last = DailyBar.objects.filter(code="SMP001").latest("date")
    new_day = last.date + datetime.timedelta(days=3)
    DailyBar.objects.bulk_create([DailyBar(code=b.code, date=new_day, open=b.close, high=b.close * 1.02,
                                           low=b.close * 0.99, close=b.close * 1.01, pre_close=b.close,
                                           volume=b.volume, amount=b.amount)
                                  for b in DailyBar.objects.filter(date=last.date)])
    incremental = run_job_inline("calculate_technical_indicators", {"indicators": everything})
    assert incremental.result["daily"]["inserted"] == 6
    stored = IndicatorValue.objects.get(code="SMP003", date=new_day, period="daily")
    full = indicators.compute_frame(compute.load_bars(codes=["SMP003"]), everything).iloc[-1]
    for column in ("ma20", "macd_bar", "kdj_j", "rsi24", "boll_upper", "atr14", "cci14", "wr10", "obv", "maobv",
                   "dmi_adx", "sar", "cr_ma1", "vr", "asi", "stochrsi_k", "supertrend", "wt2", "trix"):
        assert getattr(stored, column) == pytest.approx(full[column], abs=1e-6), column


def test_signals_of_every_strategy_on_the_last_day(sample_market):
    names = list(jobs.STRATEGIES)
    execution = run_job_inline("calculate_strategy_signals", {"strategies": names, "trade_date": "2024-12-31"})
    assert execution.status == Status.SUCCESS, execution.error
    assert set(execution.result["signals"]) == set(names)
    stored = StrategySignal.objects.count()
    assert stored == sum(s["buy"] + s["sell"] for s in execution.result["signals"].values())
    run_job_inline("calculate_strategy_signals", {"strategies": names, "trade_date": "2024-12-31"})
    assert StrategySignal.objects.count() == stored


def test_backtest_stores_curve_trades_and_metrics_once_per_input(sample_market):
    params = {"strategy_id": "ma_crossover", "start_date": "2024-06-01", "end_date": "2024-12-31",
              "initial_capital": 1_000_000}
    execution = run_job_inline("run_backtest", params)
    assert execution.status == Status.SUCCESS, execution.error
    run = BacktestRun.objects.get()
    assert run.trade_count == run.trades.count() > 0
    assert run.equity_curve[0][0] >= "2024-06-01" and len(run.equity_curve) == execution.result["days"]
    assert execution.progress_done == execution.progress_total == execution.result["days"]
    assert {"total_return", "annual_return", "max_drawdown", "sharpe", "win_rate"} <= set(run.metrics)
    shares = [t.shares for t in run.trades.all()]
    assert all(s % 100 == 0 for s in shares)
    assert np.isclose(run.final_equity, run.equity_curve[-1][1], atol=0.01)
    run_job_inline("run_backtest", params)
    assert BacktestRun.objects.count() == 1


def test_backtest_without_a_strategy_fails_clearly():
    execution = run_job_inline("run_backtest", {})
    assert execution.status == Status.FAILED
    assert execution.error.startswith("ValueError: strategy_id is required")
