"""The offline demo (`make demo`): a simulated market plus a few days of real executions of the jobs.

Only ever runs with MYSTOCKS_DEMO on (a separate database under var/demo/), so a real install never
mixes simulated rows into its data; every page then carries a "simulated data" banner.
"""
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from tasks_app.dispatch import merge_params
from tasks_app.models import TaskDefinition, TaskExecution, Trigger
from tasks_app.runner import run_execution

from . import sample
from .models import DailyBar

# Signals on every 5th of the last 120 trading days: the signals page then has returns after 1…60 days.
SIGNAL_DAYS, SIGNAL_EVERY = 120, 5


def load_market(*, stocks, days):
    """The simulated market: one call, so a richer generator can take its place."""
    return sample.load(stocks=stocks, days=days)


def run_inline(task_id, params=None):
    """One execution of a catalogue task through the engine's runner, in this process."""
    task = TaskDefinition.objects.get(task_id=task_id)
    execution = TaskExecution.objects.create(task=task, trigger=Trigger.MANUAL, params=merge_params(task, params))
    run_execution(execution.pk)
    execution.refresh_from_db()
    return execution


def fill(*, stocks=60, days=600, log=print):
    """Load the market, then compute indicators, signals on past days and a backtest through the jobs."""
    if not settings.MYSTOCKS_DEMO:
        raise ImproperlyConfigured("the demo loads simulated data only with MYSTOCKS_DEMO=true (make demo)")
    loaded = load_market(stocks=stocks, days=days)
    log(f"simulated market {loaded['first_day']}…{loaded['last_day']}: {loaded['bars']}")
    trading = sorted(DailyBar.objects.filter(code=sample.sample_codes(1)[0]).values_list("date", flat=True))
    runs = [run_inline("calc_technical_indicators", {"full_recompute": True})]
    for day in trading[-SIGNAL_DAYS::SIGNAL_EVERY]:
        runs.append(run_inline("calc_strategy_signals", {
            "strategies": ["ma_crossover", "macd_divergence", "kdj_overbought", "turtle_trade"],
            "trade_date": day.isoformat()}))
    runs.append(run_inline("run_strategy_backtest", {
        "strategy_id": "ma_crossover", "start_date": trading[-min(250, len(trading))].isoformat(),
        "end_date": trading[-1].isoformat()}))
    for run in runs:
        log(f"#{run.pk} {run.task.task_id}: {run.status} {run.error[:200] if run.error else ''}")
    return runs
