"""import_tasks / export_tasks: the old task manager's YAML in and out, all or nothing."""
import io
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django_celery_beat.models import PeriodicTask

from tasks_app.catalogue_yaml import export_catalogue, import_catalogue
from tasks_app.models import AuditLog, TaskDefinition, TaskGroup

pytestmark = pytest.mark.django_db
CATALOGUE = Path(settings.BASE_DIR) / "fixtures" / "tasks.yaml"

VALID_TASK = """
  - task_id: {task_id}
    task_name: 测试任务
    task_type: manual
    task_function: noop
"""


def _import(text, **kwargs):
    return import_catalogue(text, **kwargs)


def test_the_default_catalogue_imports_twelve_tasks_and_three_groups():
    report = _import(CATALOGUE.read_text())
    assert report.ok, report.errors
    assert TaskDefinition.objects.count() == 14 and TaskGroup.objects.count() == 3
    daily = TaskDefinition.objects.get(task_id="daily_data_sync")
    assert (daily.job, daily.cron_expression, daily.timeout, daily.retry_count) == (
        "sync_daily_stock_data", "0 16 * * 1-5", 3600, 3)
    assert daily.params["data_source"] == "akshare" and daily.tags == ["daily", "data_sync", "important"]
    assert TaskDefinition.objects.get(task_id="sync_financial_data").dependencies == ["sync_basic_stock_info"]
    assert TaskGroup.objects.get(group_id="daily_job").member_task_ids() == [
        "daily_data_sync", "sync_adjust_factors", "sync_basic_stock_info", "sync_financial_data",
        "calc_technical_indicators", "calc_strategy_signals", "detect_candlestick_patterns", "calc_signal_returns",
    ]
    assert TaskGroup.objects.get(group_id="market_data_fetch").execution_mode == "parallel"
    assert PeriodicTask.objects.filter(name__startswith="mystocks:task:").count() == 5


def test_export_then_import_into_an_empty_database_then_export_is_identical():
    _import(CATALOGUE.read_text())
    first = export_catalogue()
    TaskGroup.objects.all().delete()
    TaskDefinition.objects.all().delete()
    assert _import(first).ok
    assert export_catalogue() == first


BAD_DOCUMENTS = [
    ("tasks:\n  - task_id: a\n    task_name: a: b\n    task_type: manual\n", "YAML syntax error at line 3"),
    ("version: 1\ntask: []\n", "document.task: unknown key"),
    (VALID_TASK.format(task_id="a").replace("task_type: manual", "task_typo: manual"), "task_typo: unknown key"),
    (VALID_TASK.format(task_id="a").replace("    task_name: 测试任务\n", ""), "(a).task_name: is required"),
    (VALID_TASK.format(task_id="a") + "    timeout: '600'\n", "(a).timeout: must be int, got str"),
    (VALID_TASK.format(task_id="a").replace("noop", "app.tasks.evil"), "(a).task_function: unknown job"),
    (VALID_TASK.format(task_id="a") + "    params: {seconds: 3}\n", "(a).params: seconds: not a parameter"),
    (VALID_TASK.format(task_id="a") + "    schedule: {schedule_type: cron, cron_expression: '0 25 * * *'}\n",
     "(a).schedule.cron_expression"),
    (VALID_TASK.format(task_id="a") + "    schedule: {schedule_type: interval, interval_seconds: 0}\n",
     "(a).schedule.interval_seconds: must be greater than 0"),
    (VALID_TASK.format(task_id="a") + "    schedule: {schedule_type: once}\n",
     "(a).schedule.start_time: a 'once' schedule needs start_time"),
    (VALID_TASK.format(task_id="a") + "    schedule: {schedule_type: interval, interval_seconds: 5, "
     "start_time: '2026-02-01 00:00:00', end_time: '2026-01-01 00:00:00'}\n", "(a).schedule.end_time: must be after"),
    (VALID_TASK.format(task_id="a") + VALID_TASK.format(task_id="a"), "tasks[1] (a).task_id: duplicate task_id"),
    (VALID_TASK.format(task_id="a") + "    dependencies: [ghost]\n", "dependencies: unknown task_id(s): ghost"),
    (VALID_TASK.format(task_id="a") + "    dependencies: [b]\n" + VALID_TASK.format(task_id="b")
     + "    dependencies: [a]\n", "dependency cycle: a -> b -> a"),
]


@pytest.mark.parametrize("body,expected", BAD_DOCUMENTS)
def test_each_problem_is_reported_with_its_place_and_nothing_is_written(body, expected):
    text = body if body.startswith(("tasks:", "version")) else "tasks:" + body
    report = _import(text)
    assert not report.ok
    assert any(expected in error for error in report.errors), report.errors
    assert not TaskDefinition.objects.exists()


def test_group_problems_are_reported():
    text = "tasks:" + VALID_TASK.format(task_id="a") + (
        "task_groups:\n  - group_id: g\n    group_name: G\n    tasks: [a, missing]\n    execution_mode: zigzag\n"
    )
    report = _import(text)
    assert any("task_groups[0] (g).tasks: unknown task_id(s): missing" in e for e in report.errors)
    assert any("task_groups[0] (g).execution_mode" in e for e in report.errors)
    assert not TaskDefinition.objects.exists()


def test_one_bad_task_among_good_ones_writes_nothing():
    text = "tasks:" + VALID_TASK.format(task_id="good") + VALID_TASK.format(task_id="bad") + "    priority: 5000\n"
    report = _import(text)
    assert any("(bad).priority" in e for e in report.errors)
    assert not TaskDefinition.objects.exists()


def test_dry_run_reports_without_writing_and_replace_deletes_what_is_missing():
    _import(CATALOGUE.read_text())
    text = "tasks:" + VALID_TASK.format(task_id="only_one")
    dry = _import(text, replace=True, dry_run=True)
    assert dry.ok and dry.created == ["only_one"] and "daily_data_sync" in dry.deleted
    assert TaskDefinition.objects.count() == 14
    applied = _import(text, replace=True)
    assert applied.applied
    assert list(TaskDefinition.objects.values_list("task_id", flat=True)) == ["only_one"]
    assert not PeriodicTask.objects.filter(name="mystocks:task:daily_data_sync").exists()


def test_reimporting_updates_in_place_and_keeps_history():
    _import("tasks:" + VALID_TASK.format(task_id="a"))
    task = TaskDefinition.objects.get(task_id="a")
    task.executions.create(status="success")
    report = _import("tasks:" + VALID_TASK.format(task_id="a") + "    timeout: 99\n")
    assert report.updated == ["a"]
    task.refresh_from_db()
    assert task.timeout == 99 and task.executions.count() == 1


def test_the_commands_exit_non_zero_on_errors_and_export_to_stdout(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("tasks:" + VALID_TASK.format(task_id="a").replace("noop", "nope"))
    err = io.StringIO()
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_tasks", str(bad), stderr=err)
    assert "(a).task_function: unknown job 'nope'" in err.getvalue()
    call_command("import_tasks", str(CATALOGUE), stdout=io.StringIO())
    out = io.StringIO()
    call_command("export_tasks", stdout=out)
    assert "task_id: daily_data_sync" in out.getvalue() and "每日股票数据同步" in out.getvalue()


def _audit(**filters):
    return sorted((e.action, e.target_type, e.target_id) for e in AuditLog.objects.filter(**filters))


def _chain(*, down_name="测试任务", members="[up, down]"):
    return ("tasks:" + VALID_TASK.format(task_id="up")
            + VALID_TASK.format(task_id="down").replace("测试任务", down_name)
            + f"    dependencies: [up]\ntask_groups:\n  - group_id: g\n    group_name: g\n    tasks: {members}\n")


def test_an_import_writes_one_audit_entry_per_changed_task_and_group():
    assert _import(_chain(), interface="command").applied
    assert _audit(interface="command") == [
        ("create", "group", "g"), ("create", "task", "down"), ("create", "task", "up"),
        ("import", "catalogue", ""),
    ]
    AuditLog.objects.all().delete()
    assert _import(_chain(down_name="下游", members="[down]")).applied
    assert _audit() == [("import", "catalogue", ""), ("update", "group", "g"), ("update", "task", "down")]
    assert AuditLog.objects.get(target_id="down").changes == {"task_name": ["测试任务", "下游"]}


def test_replace_deletes_a_dependency_chain_and_audits_each_deletion():
    _import("tasks:" + VALID_TASK.format(task_id="up") + VALID_TASK.format(task_id="down")
            + "    dependencies: [up]\n" + VALID_TASK.format(task_id="kept"))
    AuditLog.objects.all().delete()
    report = _import("tasks:" + VALID_TASK.format(task_id="kept"), replace=True)
    assert report.applied and report.deleted == ["down", "up"]
    assert list(TaskDefinition.objects.values_list("task_id", flat=True)) == ["kept"]
    assert _audit(action="delete") == [("delete", "task", "down"), ("delete", "task", "up")]
