"""Every task of the default catalogue, end to end through the runner, on a small simulated market."""
from pathlib import Path

import pytest

from mystocks.market.models import (
    AdjustFactor,
    DailyBar,
    FinancialStatement,
    IndicatorValue,
)
from mystocks.market.simulated import load
from tasks_app.catalogue_yaml import import_catalogue
from tasks_app.models import Status, TaskDefinition
from tasks_app.testing import run_definition_inline

pytestmark = pytest.mark.django_db(transaction=True)
CATALOGUE = Path(__file__).resolve().parents[3] / "fixtures" / "tasks.yaml"
EXTRA = {"run_strategy_backtest": {"strategy_id": "ma_crossover"}}


def test_every_default_task_succeeds_on_the_simulated_market(simulated):
    market, http, server = simulated(stocks=60, days=150)
    load.load(market, bars_until=market.days[-2], statements=False)
    assert import_catalogue(CATALOGUE.read_text()).ok
    failed, results = {}, {}
    for definition in TaskDefinition.objects.order_by("priority", "task_id"):
        execution = run_definition_inline(definition, EXTRA.get(definition.task_id))
        results[definition.task_id] = execution.result
        if execution.status != Status.SUCCESS:
            failed[definition.task_id] = execution.error[:300]
    assert not failed and len(results) == 14
    assert DailyBar.objects.filter(date=market.today).count() == len(market.day_frame(market.today))
    assert FinancialStatement.objects.exists() and IndicatorValue.objects.filter(date=market.today).exists()
    assert results["sync_adjust_factors"]["factor_days"] == 5 and AdjustFactor.objects.exists()
    assert results["daily_data_sync"]["whole_market_days"] == 1
