"""auto_restart: a supervisor-style task is started again after it ends, up to a cap per hour."""
import time

import pytest

from tasks_app.control import stop_task
from tasks_app.dispatch import run_task_now
from tasks_app.models import Status, TaskExecution, Trigger
from tasks_app.testing import make_definition, wait_until

pytestmark = pytest.mark.django_db(transaction=True)


def test_it_restarts_until_the_hourly_cap_and_records_hitting_it(start_worker, settings):
    settings.MYSTOCKS_MAX_RESTARTS_PER_HOUR = 2  # the worker's environment says the same
    task = make_definition("fail", task_type="supervisor", auto_restart=True, retry_delay=1)
    start_worker(extra_env={"MYSTOCKS_MAX_RESTARTS_PER_HOUR": "2"})
    run_task_now(task=task)
    capped = wait_until(
        lambda: TaskExecution.objects.filter(task=task, trigger=Trigger.RESTART, status=Status.SKIPPED).first(),
        timeout=40, message="the restart cap",
    )
    assert "auto-restart limit reached: 2 restarts in the last hour (cap 2)" in capped.skip_reason
    restarts = TaskExecution.objects.filter(task=task, trigger=Trigger.RESTART).exclude(status=Status.SKIPPED)
    assert restarts.count() == 2 and all(r.status == Status.FAILED for r in restarts)


def test_a_user_stop_is_not_followed_by_a_restart(start_worker):
    task = make_definition("sleep", params={"seconds": 30}, task_type="supervisor", auto_restart=True,
                           retry_delay=1)
    start_worker()
    execution = run_task_now(task=task)
    wait_until(lambda: TaskExecution.objects.get(pk=execution.pk).status == Status.RUNNING, timeout=20)
    stop_task(task)
    wait_until(lambda: TaskExecution.objects.get(pk=execution.pk).status == Status.CANCELLED, timeout=10)
    time.sleep(3)
    assert TaskExecution.objects.filter(task=task).count() == 1
