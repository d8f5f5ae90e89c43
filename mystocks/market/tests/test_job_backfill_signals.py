"""A backfill of signals over a range stores what the daily signal job stores day by day."""
import datetime

import pytest
from django.core.management import call_command

from mystocks.market.models import DailyBar, StrategySignal
from tasks_app.models import Status
from tasks_app.testing import run_job_inline

pytestmark = pytest.mark.django_db(transaction=True)
NAMES = ["ma_crossover", "kdj_overbought", "boll_touch"]


def stored():
    return set(StrategySignal.objects.values_list("strategy", "code", "date", "side"))


def test_a_range_backfill_equals_the_daily_job_run_on_each_day():
    call_command("load_sample_market", stocks=6, days=160, end=datetime.date(2024, 12, 31))
    days = sorted(set(DailyBar.objects.values_list("date", flat=True)))[-12:]
    backfill = run_job_inline("backfill_strategy_signals", {
        "strategies": NAMES[:2], "screens": NAMES[2:], "start_date": days[0].isoformat(),
        "end_date": days[-1].isoformat()})
    assert backfill.status == Status.SUCCESS, backfill.error
    from_backfill = stored()
    assert from_backfill and {d for _, _, d, _ in from_backfill} <= set(days)
    assert backfill.result["rows_inserted"] == len(from_backfill)

    StrategySignal.objects.all().delete()
    for day in days:
        daily = run_job_inline("calculate_strategy_signals", {"strategies": NAMES[:2], "screens": NAMES[2:],
                                                              "trade_date": day.isoformat()})
        assert daily.status == Status.SUCCESS, daily.error
    assert stored() == from_backfill


def test_a_backfill_needs_a_start_date():
    execution = run_job_inline("backfill_strategy_signals", {"strategies": ["ma_crossover"]})
    assert execution.status == Status.FAILED and "start_date is required" in execution.error
