"""Stop is persistent: pending runs never start, running ones end cancelled within seconds."""
import time

import pytest

from mystocks.celery import app as celery_app
from tasks_app.control import reap, stop_execution, stop_task
from tasks_app.dispatch import run_task_now
from tasks_app.models import Status, TaskExecution
from tasks_app.testing import make_definition, wait_until

pytestmark = pytest.mark.django_db(transaction=True)


def _status(execution):
    return TaskExecution.objects.get(pk=execution.pk).status


def test_a_running_sleep_is_cancelled_within_ten_seconds(start_worker):
    task = make_definition("sleep", params={"seconds": 60}, retry_count=2, retry_delay=1)
    start_worker()
    execution = run_task_now(task=task)
    wait_until(lambda: _status(execution) == Status.RUNNING, timeout=20, message="running")

    started = time.monotonic()
    assert stop_task(task) == 1
    wait_until(lambda: _status(execution) == Status.CANCELLED, timeout=10, message="cancelled")
    assert time.monotonic() - started < 10
    time.sleep(2)
    assert TaskExecution.objects.filter(task=task).count() == 1, "a cancelled attempt is not retried"


def test_a_job_that_never_polls_is_interrupted_and_stops_its_work(start_worker, tmp_path):
    marker = tmp_path / "written"
    task = make_definition("test_write_after", params={"seconds": 8, "path": str(marker)})
    start_worker()
    execution = run_task_now(task=task)
    wait_until(lambda: _status(execution) == Status.RUNNING, timeout=20, message="running")
    stop_execution(execution)
    wait_until(lambda: _status(execution) == Status.CANCELLED, timeout=10, message="cancelled")
    time.sleep(9)
    assert not marker.exists()


def test_a_stopped_pending_run_never_starts_even_after_a_worker_comes_up(start_worker):
    task = make_definition("noop")
    execution = run_task_now(task=task)  # its message waits on the broker: no worker yet
    stop_execution(execution)
    assert _status(execution) == Status.CANCELLED

    start_worker()
    other = run_task_now(task=make_definition("noop"))
    wait_until(lambda: _status(other) == Status.SUCCESS, timeout=20, message="a later run to finish")
    row = TaskExecution.objects.get(pk=execution.pk)
    assert row.status == Status.CANCELLED and row.started_at is None and "starting job" not in row.log


def test_a_run_whose_message_never_reached_the_broker_is_sent_again(monkeypatch, start_worker):
    def broker_down(*args, **kwargs):
        raise ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(celery_app, "send_task", broker_down)  # the broker client, not the engine
    execution = run_task_now(task=make_definition("noop"))
    row = TaskExecution.objects.get(pk=execution.pk)
    assert row.status == Status.PENDING and "Connection refused" in row.wait_reason
    monkeypatch.undo()

    start_worker()
    reap()
    wait_until(lambda: _status(execution) == Status.SUCCESS, timeout=20, message="the resent run")
