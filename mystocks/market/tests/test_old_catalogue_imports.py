"""The old task manager's tasks.yaml, exactly as it shipped, imports and every task runs once."""
import datetime
from pathlib import Path

import pytest
import responses
from django.core.management import call_command
from django.utils import timezone

from mystocks.market.models import Stock
from tasks_app.catalogue_yaml import import_catalogue
from tasks_app.models import Status, TaskDefinition, TaskGroup
from tasks_app.testing import run_definition_inline

from . import eastmoney as em

pytestmark = pytest.mark.django_db(transaction=True)
OLD_FILE = Path(__file__).parent / "fixtures" / "old_tasks.yaml"
OLD_CACHE = "/tmp/mystocks_cache"


def _import():
    report = import_catalogue(OLD_FILE.read_text(encoding="utf-8"))
    assert report.ok, report.errors
    return report


def test_the_old_file_imports_as_is_and_says_how_each_key_was_read(settings):
    report = _import()
    assert len(report.created) == 10 and len(report.groups_created) == 3
    backtest = TaskDefinition.objects.get(task_id="run_strategy_backtest")
    params = backtest.params
    assert (params["start_date"], params["end_date"], params["strategy_id"]) == (None, None, "")
    assert backtest.task_module == "app.tasks.backtest"
    assert "tasks[9] (run_strategy_backtest).params.start_date: empty string read as not set" in report.notes
    assert any(n.startswith("tasks[0] (daily_data_sync).task_module: 'app.tasks.data_sync' kept for reference")
               for n in report.notes)
    assert TaskGroup.objects.get(group_id="market_data_fetch").execution_mode == "parallel"


def test_a_cleanup_path_outside_the_cache_roots_is_a_warning_then_refused_with_the_same_words(settings, tmp_path):
    report = _import()
    [warning] = report.warnings
    assert warning.startswith("tasks[2] (monthly_cache_cleanup).params.cleanup_paths: refusing cleanup path")
    assert OLD_CACHE in warning and "MYSTOCKS_CACHE_ROOTS" in warning
    execution = run_definition_inline(TaskDefinition.objects.get(task_id="monthly_cache_cleanup"))
    assert execution.status == Status.FAILED
    assert warning.split(": ", 1)[1] in execution.error


def test_adding_the_old_folder_to_the_cache_roots_lets_the_cleanup_run(settings, tmp_path):
    settings.MYSTOCKS_CACHE_ROOTS = [OLD_CACHE]
    report = _import()
    assert report.warnings == []
    execution = run_definition_inline(TaskDefinition.objects.get(task_id="monthly_cache_cleanup"))
    assert execution.status == Status.SUCCESS, execution.error
    assert execution.result["paths"] == [str(Path(OLD_CACHE).resolve())]


def _replay_market():
    em.add_sse_list("主板A股", [("600000", "浦发银行", "19991110")])
    em.add_sse_list("科创板", [("688001", "华兴源创", "20190722")])
    em.add_szse_list([("000001", "平安银行", "1991-04-03", "J 金融业")])
    em.add_bse_list([("920001", "北交样例", "20211115", "制造业")])
    for code in ("600000", "688001", "000001", "920001"):
        em.add_kline(code, [(datetime.date(2024, 1, 2).isoformat(), 10, 10.1, 10.2, 9.9, 1000, 1e6, 1, 0.5, 0.05, 0.3)])
    responses.get(em.SPOT_URL, json=em.clist([em.spot_row("000001", "平安银行", 9.21, -1.92)]))
    responses.get(em.ETF_URL, json=em.clist([em.etf_row("510300", "沪深300ETF", 3.512)]))
    responses.get(em.FLOW_URL, json=em.clist([em.flow_row("000001", "平安银行", 1.5e7)]))
    responses.get(em.DATACENTER_URL, json=em.DATACENTER_EMPTY)
    for code in ("600000", "688001", "000001", "920001"):
        for report in ("balance_sheet", "income_statement", "cash_flow"):
            em.add_statement(code, report, [em.statement_row(code, "2023-12-31", TOTAL_ASSETS=1e9)])


@responses.activate
def test_every_imported_task_runs_once(settings):
    settings.MYSTOCKS_CACHE_ROOTS = [OLD_CACHE]
    _import()
    _replay_market()
    call_command("load_sample_market", stocks=4, days=300, end=timezone.localdate())
    outcomes = {}
    for definition in TaskDefinition.objects.order_by("pk"):
        runtime = {"strategy_id": "ma_crossover"} if definition.task_id == "run_strategy_backtest" else None
        execution = run_definition_inline(definition, runtime)
        outcomes[definition.task_id] = (execution.status, execution.error[:200])
    assert {tid: status for tid, (status, _) in outcomes.items()} == dict.fromkeys(outcomes, Status.SUCCESS), outcomes
    assert Stock.objects.filter(code="600000").exists()
