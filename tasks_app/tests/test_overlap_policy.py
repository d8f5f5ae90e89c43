"""concurrency_policy: skip records a skipped run while one is active; queue runs it afterwards."""
import pytest

from tasks_app.dispatch import run_task_now
from tasks_app.models import Status, TaskExecution
from tasks_app.testing import make_definition, wait_until

pytestmark = pytest.mark.django_db(transaction=True)


def _row(execution):
    return TaskExecution.objects.get(pk=execution.pk)


def test_skip_records_the_second_run_as_skipped_with_the_reason(start_worker):
    task = make_definition("sleep", params={"seconds": 3}, concurrency_policy="skip")
    start_worker()
    first = run_task_now(task=task)
    second = run_task_now(task=task)
    assert second.status == Status.SKIPPED
    assert second.skip_reason == f"overlap: execution #{first.pk} is still pending" or \
        second.skip_reason == f"overlap: execution #{first.pk} is still running"
    wait_until(lambda: _row(first).status == Status.SUCCESS, timeout=20, message="first run")


def test_queue_runs_the_second_after_the_first_ends(start_worker):
    task = make_definition("sleep", params={"seconds": 2}, concurrency_policy="queue")
    start_worker(concurrency=2)
    first = run_task_now(task=task)
    second = run_task_now(task=task)
    assert _row(second).wait_reason == f"queued behind execution #{first.pk}"
    wait_until(lambda: _row(second).status == Status.SUCCESS, timeout=30, message="second run")
    assert _row(second).started_at >= _row(first).finished_at


def test_allow_runs_both_at_once(start_worker):
    task = make_definition("sleep", params={"seconds": 2}, concurrency_policy="allow")
    start_worker(concurrency=2)
    first, second = run_task_now(task=task), run_task_now(task=task)
    wait_until(lambda: _row(first).status == _row(second).status == Status.SUCCESS, timeout=30, message="both")
    assert _row(second).started_at < _row(first).finished_at
