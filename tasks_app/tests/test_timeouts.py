"""timeout is a soft limit the job can clean up from; a hard limit kills a job that ignores it."""
import time

import pytest

from tasks_app.dispatch import run_task_now
from tasks_app.models import Status, TaskExecution
from tasks_app.testing import make_definition, wait_until

pytestmark = pytest.mark.django_db(transaction=True)


def _finished(execution):
    row = TaskExecution.objects.get(pk=execution.pk)
    return row if row.is_finished else None


def test_the_soft_limit_ends_the_job_as_timeout_and_its_work_stops(start_worker, tmp_path):
    marker = tmp_path / "late-write"
    task = make_definition("test_write_after", params={"seconds": 6, "path": str(marker)}, timeout=2)
    start_worker()
    execution = run_task_now(task=task)
    row = wait_until(lambda: _finished(execution), timeout=20, message="timeout")
    assert row.status == Status.TIMEOUT and "timed out after 2s" in row.error
    assert 1.5 <= row.duration < 4
    time.sleep(5)
    assert not marker.exists()


def test_the_hard_limit_kills_a_job_that_ignores_the_soft_one(start_worker, tmp_path, settings):
    settings.MYSTOCKS_HARD_TIME_LIMIT_GRACE = 2  # as in the worker's environment
    marker = tmp_path / "late-write"
    task = make_definition(
        "test_write_after", params={"seconds": 10, "path": str(marker), "ignore_soft_limit": True}, timeout=2,
    )
    start_worker()
    execution = run_task_now(task=task)
    row = wait_until(lambda: _finished(execution), timeout=20, message="hard timeout")
    assert row.status == Status.TIMEOUT and "hard time limit" in row.error
    assert "ignoring the soft time limit" in row.log
    time.sleep(8)
    assert not marker.exists()
