"""Retention: delete old executions (after rolling them up), blank old logs, delete old audit entries.

Deletes run in primary-key ranges of ``batch_size`` ids, each in its own short transaction, so
millions of rows never sit in memory or hold locks for long, and web, worker and beat keep
working meanwhile. Days are whole calendar days in settings.TIME_ZONE, the unit of the roll-ups:
a day is either fully kept or fully deleted, so a roll-up never sees half a day.
"""
import datetime
import logging

from django.conf import settings
from django.db import transaction
from django.db.models import Max, Min
from django.utils import timezone

from . import audit, stats
from .models import FINISHED_STATUSES, AuditLog, TaskExecution

logger = logging.getLogger(__name__)


def cutoff_day(days):
    """The first day kept: ``days`` whole days before today, so nothing younger than ``days`` days goes."""
    return stats.today() - datetime.timedelta(days=max(days, 1))


def old_executions(*, days):
    """Finished executions created before the retention cutoff (running ones are never deleted)."""
    return TaskExecution.objects.filter(
        created_at__lt=stats.day_start(cutoff_day(days)), status__in=FINISHED_STATUSES,
    )


def delete_old_executions(*, days, batch_size=5000, actor=None, interface="system"):
    """Roll up, then delete finished executions older than ``days`` days; returns how many were deleted.

    Statistics stay the same: every deleted day is rolled up (``stats.roll_up_executions``) first.
    The cleanup is recorded in the audit log with who asked for it, from which interface.
    """
    first_kept = cutoff_day(days)
    stats.roll_up_executions(before=first_kept)
    deleted = 0
    for low, high in _pk_ranges(old_executions(days=days), batch_size):
        with transaction.atomic():
            # only("id"): the collector must not load logs and results of thousands of rows.
            count, _ = old_executions(days=days).filter(pk__gte=low, pk__lt=high).only("id").delete()
        deleted += count
    logger.info("retention: deleted %d executions created before %s", deleted, first_kept)
    audit.record(action="cleanup", target_type="execution", actor=actor, interface=interface,
                 changes={"days": days, "deleted": deleted})
    return deleted


def trim_old_logs(*, days, batch_size=5000):
    """Blank the captured log of executions older than ``days`` days; returns how many were trimmed."""
    rows = TaskExecution.objects.filter(created_at__lt=stats.day_start(cutoff_day(days))).exclude(log="")
    trimmed = 0
    for low, high in _pk_ranges(rows, batch_size):
        trimmed += rows.filter(pk__gte=low, pk__lt=high).update(log="")
    return trimmed


def delete_old_audit(*, days, batch_size=5000, actor=None, interface="system"):
    """Delete audit entries older than ``days`` days, then record that cleanup; returns how many."""
    rows = AuditLog.objects.filter(created_at__lt=timezone.now() - datetime.timedelta(days=days))
    deleted = 0
    for low, high in _pk_ranges(rows, batch_size):
        count, _ = rows.filter(pk__gte=low, pk__lt=high).delete()
        deleted += count
    audit.record(action="cleanup", target_type="audit", actor=actor, interface=interface,
                 changes={"days": days, "deleted": deleted})
    return deleted


def apply_retention():
    """The daily pass: roll up finished days, then apply the configured retention periods."""
    stats.ensure_recent_rollups()  # readers then aggregate a week of executions, not the whole history
    done = {
        "executions_deleted": delete_old_executions(days=settings.MYSTOCKS_RETENTION_EXECUTION_DAYS),
        "logs_trimmed": trim_old_logs(days=settings.MYSTOCKS_RETENTION_LOG_DAYS),
        "audit_deleted": delete_old_audit(days=settings.MYSTOCKS_RETENTION_AUDIT_DAYS),
    }
    logger.info("retention: %s", done)
    return done


def _pk_ranges(rows, batch_size):
    """[low, high) id ranges of ``batch_size`` covering ``rows``; one indexed MIN/MAX query."""
    bounds = rows.aggregate(low=Min("pk"), high=Max("pk"))
    if bounds["low"] is None:
        return []
    return [(low, low + batch_size) for low in range(bounds["low"], bounds["high"] + 1, batch_size)]
