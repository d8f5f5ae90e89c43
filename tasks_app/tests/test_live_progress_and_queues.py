"""Log lines and progress show while a job runs; each task's queue routes it to the right workers."""
import datetime

import pytest

from tasks_app.calendar import is_trading_day, trading_days
from tasks_app.dispatch import run_task_now
from tasks_app.models import Status, TaskExecution
from tasks_app.testing import make_definition, wait_until

pytestmark = pytest.mark.django_db(transaction=True)


def test_log_and_progress_are_visible_while_the_job_runs(start_worker):
    task = make_definition("sleep", params={"seconds": 6})
    start_worker()
    execution = run_task_now(task=task)

    def partial():
        row = TaskExecution.objects.get(pk=execution.pk)
        return row if row.status == Status.RUNNING and row.progress_done and "slept 1s" in row.log else None

    row = wait_until(partial, timeout=20, message="a running execution with progress and log lines")
    assert row.progress_total == 6 and row.heartbeat_at is not None
    assert "slept 5s" not in row.log
    wait_until(lambda: TaskExecution.objects.get(pk=execution.pk).status == Status.SUCCESS, timeout=20)


def test_a_task_runs_only_on_workers_that_consume_its_queue(start_worker):
    task = make_definition("noop", queue="compute")
    start_worker(queues="default,fetch", name="no-compute")
    execution = run_task_now(task=task)
    other = run_task_now(task=make_definition("noop", queue="fetch"))
    wait_until(lambda: TaskExecution.objects.get(pk=other.pk).status == Status.SUCCESS, timeout=20)
    assert TaskExecution.objects.get(pk=execution.pk).status == Status.PENDING
    start_worker(queues="compute", name="compute")
    row = wait_until(lambda: TaskExecution.objects.filter(pk=execution.pk, status=Status.SUCCESS).first(), timeout=20)
    assert row.worker_host


def test_the_calendar_is_seeded_offline_with_real_exchange_holidays():
    assert is_trading_day(datetime.date(2026, 9, 30))
    assert not is_trading_day(datetime.date(2026, 10, 1)), "National Day"
    assert not is_trading_day(datetime.date(2026, 11, 28)), "a Saturday"
    october = trading_days(datetime.date(2026, 10, 1), datetime.date(2026, 10, 9))
    assert datetime.date(2026, 10, 5) not in october and datetime.date(2026, 10, 9) in october
