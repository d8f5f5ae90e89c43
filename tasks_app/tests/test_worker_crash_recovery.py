"""A worker killed mid-run: the execution is failed "worker lost" and retried; nothing stays running."""
import os
import signal

import pytest

from tasks_app.dispatch import run_task_now
from tasks_app.models import Status, TaskExecution
from tasks_app.testing import make_definition, wait_until

pytestmark = pytest.mark.django_db(transaction=True)


def test_kill_9_of_the_worker_fails_the_run_as_worker_lost_and_retries_it(start_worker, start_beat):
    task = make_definition("sleep", params={"seconds": 6}, retry_count=1, retry_delay=1)
    worker = start_worker(name="doomed")
    start_beat()  # schedules the reaper
    execution = run_task_now(task=task)
    wait_until(lambda: TaskExecution.objects.get(pk=execution.pk).status == Status.RUNNING, timeout=20,
               message="running")
    worker.kill()  # SIGKILL to the main process and its pool children
    start_worker(name="replacement")

    lost = wait_until(lambda: TaskExecution.objects.filter(pk=execution.pk, status=Status.FAILED).first(),
                      timeout=60, message="worker lost")
    assert lost.error.startswith("worker lost")
    retry = wait_until(lambda: TaskExecution.objects.filter(retry_of=lost, status=Status.SUCCESS).first(),
                       timeout=40, message="the retry to succeed")
    assert retry.attempt == 2
    assert not TaskExecution.objects.filter(task=task, status=Status.RUNNING).exists()


def test_a_killed_pool_process_is_recovered_too(start_worker, start_beat):
    task = make_definition("sleep", params={"seconds": 30})
    worker = start_worker(concurrency=1)
    start_beat()
    execution = run_task_now(task=task)
    row = wait_until(lambda: TaskExecution.objects.filter(pk=execution.pk, status=Status.RUNNING).first(),
                     timeout=20, message="running")
    os.kill(row.worker_pid, signal.SIGKILL)
    lost = wait_until(lambda: TaskExecution.objects.filter(pk=execution.pk, status=Status.FAILED).first(),
                      timeout=60, message="worker lost")
    assert "worker lost" in lost.error
    assert worker.proc.poll() is None, "the worker itself lives on"
