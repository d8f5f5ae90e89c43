"""Stopping runs and recovering lost ones.

Stop is persistent: ``cancel_requested`` is stored, so a message already on the broker, a worker
restart or a redelivery can never start a stopped run. A running job learns of it from its
heartbeat (cooperatively through ``ctx.check_cancelled``, then by interruption).
"""
import datetime
import logging

from celery import current_app
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from . import audit, lifecycle
from .dispatch import catch_up_missed, requeue_unsent
from .models import ACTIVE_STATUSES, GroupRun, Status, TaskExecution

logger = logging.getLogger(__name__)


def stop_execution(execution, *, actor=None, interface="system"):
    """Stop one execution: a pending one is cancelled at once, a running one within seconds."""
    audit.record(action="stop", target_type="execution", target_id=execution.pk, actor=actor, interface=interface,
                 message=f"{execution.task.task_id} was {execution.status}")
    TaskExecution.objects.filter(pk=execution.pk, status__in=ACTIVE_STATUSES).update(cancel_requested=True)
    execution.refresh_from_db()
    if execution.status == Status.PENDING and execution.cancel_pending():
        _revoke(execution)
        lifecycle.execution_finished(execution)
    return execution


def stop_task(task, *, actor=None, interface="system"):
    """Stop every active execution of a task; returns how many were asked to stop."""
    active = list(TaskExecution.objects.filter(task=task, status__in=ACTIVE_STATUSES).select_related("task"))
    for execution in active:
        stop_execution(execution, actor=actor, interface=interface)
    return len(active)


def stop_group_run(group_run, *, actor=None, interface="system"):
    """Stop a group run: its active members are stopped and no further member starts."""
    with transaction.atomic():
        updated = GroupRun.objects.filter(pk=group_run.pk, status__in=ACTIVE_STATUSES).update(
            status=Status.CANCELLED, finished_at=timezone.now(), error=_("stopped by user"),
        )
    audit.record(action="stop", target_type="group_run", target_id=group_run.pk, actor=actor, interface=interface)
    for execution in group_run.executions.filter(status__in=ACTIVE_STATUSES).select_related("task"):
        stop_execution(execution, actor=actor, interface=interface)
    group_run.refresh_from_db()
    return bool(updated)


def _revoke(execution):
    """Best effort: drop the message from workers that already hold it (the DB flag is what counts)."""
    if not execution.celery_task_id:
        return
    try:
        current_app.control.revoke(execution.celery_task_id)
    except Exception as exc:  # the broker may be down; the persistent flag still holds
        logger.warning("revoke of %s failed: %s", execution.celery_task_id, exc)


def reap(*, now=None):
    """The periodic sweep: finish lost runs, resend runs the broker never got, catch up missed slots.

    Run by the monitor timer of every worker and beat process (whatever scheduler beat uses)
    and by the built-in beat schedule; the steps are idempotent, so overlapping passes are harmless.
    """
    reaped = reap_lost_executions(now=now)
    requeue_unsent()
    catch_up_missed(now=now)
    return reaped


def reap_lost_executions(*, now=None):
    """Finish running executions whose worker stopped sending heartbeats, and follow up on them.

    A run past its hard time limit is marked ``timeout``; a stopped one ``cancelled``; any other
    ``failed`` with "worker lost" (and then retried per its policy). Returns the reaped ids.
    """
    now = now or timezone.now()
    stale = now - datetime.timedelta(seconds=settings.MYSTOCKS_HEARTBEAT_STALE_SECONDS)
    lost = TaskExecution.objects.filter(status=Status.RUNNING).filter(
        Q(heartbeat_at__lt=stale) | Q(heartbeat_at__isnull=True, started_at__lt=stale),
    ).select_related("task")
    reaped = []
    for execution in lost:
        status, error = _classify_lost(execution, now)
        if execution.finish(status, error=error):
            logger.warning("execution %s of %s: %s", execution.pk, execution.task.task_id, error)
            lifecycle.execution_finished(execution)
            reaped.append(execution.pk)
    return reaped


def _classify_lost(execution, now):
    limit = execution.task.timeout + settings.MYSTOCKS_HARD_TIME_LIMIT_GRACE
    if execution.cancel_requested:
        return Status.CANCELLED, _("stopped by user (worker gone before it could confirm)")
    if execution.started_at and (now - execution.started_at).total_seconds() >= limit:
        return Status.TIMEOUT, killed_by_hard_limit(limit)
    host = f"{execution.worker_host}:{execution.worker_pid}" if execution.worker_host else _("unknown worker")
    return Status.FAILED, _("worker lost: no heartbeat from %(host)s since %(since)s") % {
        "host": host, "since": f"{execution.heartbeat_at:%Y-%m-%d %H:%M:%S}"}


def killed_by_hard_limit(limit):
    return _("killed by the hard time limit (%(seconds)ss)") % {"seconds": limit}


def mark_hard_timeout(execution_id):
    """Called in the worker's main process when Celery killed a child at the hard time limit."""
    execution = TaskExecution.objects.select_related("task").filter(pk=execution_id).first()
    if execution is None:
        return
    limit = execution.task.timeout + settings.MYSTOCKS_HARD_TIME_LIMIT_GRACE
    if execution.finish(Status.TIMEOUT, error=killed_by_hard_limit(limit)):
        lifecycle.execution_finished(execution)
