"""Deleting old executions and audit entries for the API, with roll-ups first and batched deletes.

The retention module (owned by the ops side) is preferred when it provides
``delete_old_executions``; this fallback keeps the same contract until it does.
"""
import datetime

from django.db import transaction
from django.utils import timezone

from .. import audit, stats
from ..models import FINISHED_STATUSES, AuditLog, TaskExecution

BATCH_SIZE = 5000


def delete_old_executions(*, days, actor=None, interface="api"):
    """Delete finished executions created more than ``days`` days ago; returns how many."""
    try:
        from .. import retention
    except ImportError:
        retention = None
    if retention is not None and hasattr(retention, "delete_old_executions"):
        result = retention.delete_old_executions(days=days)
        deleted = result if isinstance(result, int) else getattr(result, "deleted", 0)
    else:
        deleted = _delete_in_batches(days)
    audit.record(action="cleanup", target_type="execution", actor=actor, interface=interface,
                 changes={"days": days, "deleted": deleted})
    return deleted


def _delete_in_batches(days):
    cutoff = timezone.now() - datetime.timedelta(days=days)
    # Roll up through the cutoff's whole day first, so no deleted run is missing from the statistics.
    stats.roll_up_executions(before=timezone.localtime(cutoff).date() + datetime.timedelta(days=1))
    old = TaskExecution.objects.filter(created_at__lt=cutoff, status__in=FINISHED_STATUSES)
    deleted = 0
    while True:
        # Small transactions: a million-row delete must not hold locks for minutes.
        with transaction.atomic():
            batch = list(old.order_by().values_list("pk", flat=True)[:BATCH_SIZE])
            if not batch:
                return deleted
            deleted += TaskExecution.objects.filter(pk__in=batch).delete()[1].get("tasks_app.TaskExecution", 0)


def delete_old_audit_logs(*, days, actor=None, interface="api"):
    """Delete audit entries older than ``days`` days (the cleanup itself is recorded)."""
    cutoff = timezone.now() - datetime.timedelta(days=days)
    deleted, _ = AuditLog.objects.filter(created_at__lt=cutoff).delete()
    audit.record(action="cleanup", target_type="audit", actor=actor, interface=interface,
                 changes={"days": days, "deleted": deleted})
    return deleted
