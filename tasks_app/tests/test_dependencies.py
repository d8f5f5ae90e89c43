"""A task runs only after its upstreams succeeded this trading day, or runs them first on request."""
import pytest
from django.utils import timezone

from tasks_app.dispatch import run_task_now
from tasks_app.models import Status, TaskExecution
from tasks_app.testing import make_definition, wait_until

pytestmark = pytest.mark.django_db(transaction=True)


def _latest(task):
    return TaskExecution.objects.filter(task=task).order_by("-created_at").first()


def test_it_is_skipped_naming_the_upstream_that_has_not_succeeded():
    upstream = make_definition("noop")
    downstream = make_definition("noop", dependencies=[upstream.task_id])
    execution = run_task_now(task=downstream)
    assert execution.status == Status.SKIPPED
    assert f"upstream not satisfied: {upstream.task_id}" in execution.skip_reason


def test_it_runs_when_the_upstream_succeeded_today(start_worker):
    upstream = make_definition("noop")
    downstream = make_definition("noop", dependencies=[upstream.task_id])
    TaskExecution.objects.create(task=upstream, status=Status.SUCCESS, finished_at=timezone.now())
    start_worker()
    execution = run_task_now(task=downstream)
    wait_until(lambda: _latest(downstream).status == Status.SUCCESS, timeout=20, message="downstream")
    assert execution.status == Status.PENDING


def test_run_with_upstreams_runs_the_missing_chain_in_order(start_worker):
    root = make_definition("sleep", params={"seconds": 1})
    middle = make_definition("noop", dependencies=[root.task_id])
    leaf = make_definition("noop", dependencies=[middle.task_id])
    start_worker(concurrency=2)
    run_task_now(task=leaf, with_upstreams=True)
    wait_until(lambda: _latest(leaf).status == Status.SUCCESS, timeout=40, message="leaf")
    r, m, l_ = _latest(root), _latest(middle), _latest(leaf)
    assert r.trigger == m.trigger == "dependency"
    assert r.finished_at <= m.started_at and m.finished_at <= l_.started_at


def test_a_failed_upstream_skips_the_waiting_run(start_worker):
    upstream = make_definition("fail")
    downstream = make_definition("noop", dependencies=[upstream.task_id])
    start_worker()
    execution = run_task_now(task=downstream, with_upstreams=True)
    wait_until(lambda: TaskExecution.objects.get(pk=execution.pk).status == Status.SKIPPED, timeout=20,
               message="downstream skipped")
    assert f"upstream {upstream.task_id} ended failed" in TaskExecution.objects.get(pk=execution.pk).skip_reason
