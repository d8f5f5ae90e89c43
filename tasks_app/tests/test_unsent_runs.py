"""A run whose message the broker did not take is kept, pending and saying why, and the recovery
sweep sends it again: on the autocommit dispatch path (overlap allow) and the locked one (skip)."""
import subprocess
import sys
from pathlib import Path

import pytest

from tasks_app import dispatch
from tasks_app.models import Status, TaskExecution
from tasks_app.testing import make_definition, wait_until

pytestmark = pytest.mark.django_db(transaction=True)
ROOT = Path(__file__).resolve().parents[2]
NO_BROKER = "redis://127.0.0.1:1/0"  # nothing listens on port 1: the connection is refused


@pytest.mark.parametrize("policy", ["allow", "skip"])
def test_a_run_the_broker_did_not_take_is_kept_and_sent_again(celery_env, start_worker, policy):
    task = make_definition("noop", concurrency_policy=policy)
    command = [sys.executable, "manage.py", "run_task", task.task_id]
    subprocess.run(command, env={**celery_env, "CELERY_BROKER_URL": NO_BROKER}, cwd=ROOT, check=True,
                   timeout=120, capture_output=True)
    execution = TaskExecution.objects.get(task=task)
    assert execution.status == Status.PENDING
    assert execution.wait_reason.startswith(dispatch.ENQUEUE_FAILED), execution.wait_reason

    start_worker()
    assert dispatch.requeue_unsent() == 1
    wait_until(lambda: TaskExecution.objects.filter(pk=execution.pk, status=Status.SUCCESS).exists(),
               timeout=30, message="the run sent again and finished")
    assert dispatch.requeue_unsent() == 0
