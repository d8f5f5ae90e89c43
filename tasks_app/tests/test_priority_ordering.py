"""Priority orders work: with one busy worker and a backlog of BATCH runs, a CRITICAL run queued
last starts first, on Redis and on the embedded filesystem broker; the old level names import."""
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from tasks_app.catalogue_yaml import build_task_definition
from tasks_app.dispatch import run_task_now
from tasks_app.filesystem_broker import message_priority
from tasks_app.models import FINISHED_STATUSES, Status, TaskExecution
from tasks_app.testing import make_definition, wait_until

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def tasks():
    return {
        "blocker": make_definition("sleep", task_id="prio_blocker", params={"seconds": 6}),
        "batch": make_definition("noop", task_id="prio_batch", priority=900, concurrency_policy="allow"),
        "critical": make_definition("noop", task_id="prio_critical", priority=100),
    }


def _running(task):
    return wait_until(lambda: TaskExecution.objects.filter(task=task, status=Status.RUNNING).first(),
                      timeout=30, message=f"{task.task_id} running")


def _assert_critical_started_first(tasks):
    def rows():
        return list(TaskExecution.objects.filter(task__task_id__in=["prio_batch", "prio_critical"]))

    done = wait_until(lambda: (lambda r: r if len(r) == 4 and all(e.status in FINISHED_STATUSES for e in r) else None)(
        rows()), timeout=40, message="the backlog to drain")
    critical = next(e for e in done if e.task_id == tasks["critical"].pk)
    batches = [e for e in done if e.task_id == tasks["batch"].pk]
    assert {e.status for e in done} == {Status.SUCCESS}
    assert critical.created_at > max(b.created_at for b in batches), "queued last"
    assert critical.started_at < min(b.started_at for b in batches), "started first"


def test_on_redis_a_critical_run_queued_after_a_batch_backlog_starts_first(start_worker, tasks):
    start_worker(concurrency=1, queues="default")
    run_task_now(task=tasks["blocker"])
    _running(tasks["blocker"])
    for _ in range(3):
        run_task_now(task=tasks["batch"])
    run_task_now(task=tasks["critical"])
    _assert_critical_started_first(tasks)


def _dispatch_elsewhere(env, *task_ids):
    """Run the tasks, in this order, from one process configured for the embedded broker."""
    script = ("from tasks_app.dispatch import run_task_now\nfrom tasks_app.models import TaskDefinition\n"
              f"for task_id in {list(task_ids)!r}:\n    run_task_now(task=TaskDefinition.objects.get(task_id=task_id))")
    subprocess.run([sys.executable, "manage.py", "shell", "-c", script], cwd=settings.BASE_DIR, env=env,
                   check=True, capture_output=True, timeout=60)


def test_on_the_embedded_broker_a_critical_run_queued_after_a_batch_backlog_starts_first(
        start_worker, celery_env, tasks):
    embedded = {**celery_env, "CELERY_BROKER_URL": "filesystem://"}
    embedded.pop("MYSTOCKS_BROKER_KEY_PREFIX", None)
    start_worker(concurrency=1, queues="default", extra_env=embedded)
    tasks["blocker"].params = {"seconds": 10}  # covers the start-up of the dispatching process
    tasks["blocker"].save(update_fields=["params"])
    _dispatch_elsewhere(embedded, "prio_blocker")
    _running(tasks["blocker"])
    _dispatch_elsewhere(embedded, "prio_batch", "prio_batch", "prio_batch", "prio_critical")
    queued = sorted(os.listdir(Path(embedded["MYSTOCKS_VAR_DIR"]) / "broker" / "queue"))
    assert queued and queued[0].startswith("0_"), queued
    _assert_critical_started_first(tasks)


def test_the_old_priority_names_and_numbers_are_accepted():
    item = {"task_id": "p", "task_name": "p", "task_type": "manual", "task_function": "noop"}
    for given, stored in (("CRITICAL", 100), ("high", 200), ("Normal", 500), ("LOW", 800), ("BATCH", 900),
                          (300, 300), ("700", 700)):
        definition, errors = build_task_definition({**item, "priority": given})
        assert not errors and definition.priority == stored, (given, errors)
    _, errors = build_task_definition({**item, "priority": "URGENT"})
    assert "CRITICAL, HIGH, NORMAL, LOW, BATCH" in errors["priority"][0]
    _, errors = build_task_definition({**item, "priority": 50})
    assert errors["priority"]


def test_messages_without_a_priority_sort_in_the_middle():
    assert [message_priority(p) for p in ({"properties": {"priority": 0}}, {"properties": {}}, {})] == [0, 4, 4]
