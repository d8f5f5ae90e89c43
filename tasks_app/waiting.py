"""Executions held back at dispatch (``wait_reason`` set, status pending) and their release.

Two things hold a run back: the ``queue`` overlap policy (wait for the active run of the same
task) and "run with upstreams" (wait for the missing upstreams, which ``dispatch`` sends first).
``release_waiting`` is called whenever an execution ends and lets the next one go.
"""
import logging

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .dispatch import UPSTREAM_PREFIX, enqueue
from .models import Status, TaskDefinition, TaskExecution
from .policies import active_executions, missing_upstreams

logger = logging.getLogger(__name__)


def release_waiting(finished):
    """After ``finished`` ended: start the next queued run of its task and any run waiting on it."""
    held_back = finished.runs_held_back
    if held_back is None:  # answered by a small partial index; the runner's finish already knows
        held_back = TaskExecution.objects.filter(status=Status.PENDING).exclude(wait_reason="").exists()
    if not held_back:
        return  # the common case
    _release_queued(finished.task)
    for task in _dependants(finished.task.task_id):
        for waiting in _waiting(task).filter(wait_reason__startswith=UPSTREAM_PREFIX):
            _release_upstream_wait(waiting, finished)


def _dependants(task_id):
    # A catalogue holds hundreds of tasks at most; JSON containment is not portable to SQLite.
    return [t for t in TaskDefinition.objects.exclude(dependencies=[]) if task_id in t.dependencies]


def _waiting(task):
    return TaskExecution.objects.filter(task=task, status=Status.PENDING).exclude(wait_reason="")


def _release_queued(task):
    with transaction.atomic():
        TaskDefinition.objects.select_for_update().get(pk=task.pk)
        if active_executions(task).filter(wait_reason="").exists():
            return
        nxt = _waiting(task).exclude(wait_reason__startswith=UPSTREAM_PREFIX).order_by("created_at").first()
        if nxt is None:
            return
        TaskExecution.objects.filter(pk=nxt.pk).update(wait_reason="", queued_at=timezone.now())
        transaction.on_commit(lambda: enqueue(nxt))


def _release_upstream_wait(waiting, finished):
    if finished.status != Status.SUCCESS and finished.task.task_id in waiting.wait_reason:
        if finished.status == Status.FAILED and finished.retries.exists():
            return  # a retry is on its way; keep waiting for it
        waiting.skip(_("upstream %(task)s ended %(status)s (execution #%(id)s)") % {
            "task": finished.task.task_id, "status": finished.status, "id": finished.pk})
        return
    if missing_upstreams(waiting.task, timezone.now()):
        return
    with transaction.atomic():
        released = TaskExecution.objects.filter(pk=waiting.pk, status=Status.PENDING).exclude(wait_reason="") \
            .update(wait_reason="", queued_at=timezone.now())
        if released:
            transaction.on_commit(lambda: enqueue(waiting))
