"""Retention deletes old executions in batches, after rolling them up: statistics stay the same."""
import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tasks_app import retention, stats
from tasks_app.models import AlertIncident, AuditLog, DailyRollup, Status, TaskExecution
from tasks_app.testing import make_definition

pytestmark = pytest.mark.django_db

STATUS_CYCLE = ("success", "success", "failed", "timeout", "success", "cancelled", "skipped")
COMPARED = ("total", "success", "failed", "timeout", "cancelled", "skipped", "success_rate",
            "avg_duration", "max_duration")


def _history(task, days=45, per_day=7):
    """``per_day`` finished executions on each of the last ``days`` days, with logs."""
    rows = []
    for age in range(days):
        start = stats.day_start(stats.today() - datetime.timedelta(days=age)) + datetime.timedelta(hours=9)
        for i in range(per_day):
            status = STATUS_CYCLE[(age + i) % len(STATUS_CYCLE)]
            moment = start + datetime.timedelta(minutes=i)
            rows.append(TaskExecution(
                task=task, status=status, created_at=moment, started_at=moment, finished_at=moment,
                duration=float(age + i + 1), log=f"log of day -{age} run {i}\n" * 20,
            ))
    return TaskExecution.objects.bulk_create(rows)


def _figures(task):
    row = stats.task_statistics(tasks=[task])[0]
    return {key: row[key] for key in COMPARED}, stats.daily_status_counts(days=60, task=task)


def test_old_executions_are_deleted_in_batches_and_statistics_do_not_change():
    task = make_definition("noop")
    _history(task)
    figures_before = _figures(task)
    # Created after the snapshot: roll-ups count finished runs only, so a stray running row
    # from before the cutoff is outside the figures either way.
    long_ago = timezone.now() - datetime.timedelta(days=40)
    still_running = TaskExecution.objects.create(task=task, status=Status.RUNNING, created_at=long_ago)
    expected = retention.old_executions(days=30).count()
    assert expected == 14 * 7, "days 31 to 44 ago"

    with CaptureQueriesContext(connection) as queries:
        deleted = retention.delete_old_executions(days=30, batch_size=10)

    assert deleted == expected
    assert _figures(task) == figures_before
    assert DailyRollup.objects.filter(task=task).exists()
    first_kept = stats.day_start(retention.cutoff_day(30))
    assert not TaskExecution.objects.filter(created_at__lt=first_kept).exclude(pk=still_running.pk).exists()
    assert TaskExecution.objects.filter(pk=still_running.pk).exists(), "a running execution is never deleted"
    assert TaskExecution.objects.filter(created_at__gte=first_kept).count() == 31 * 7
    deletes = [q["sql"] for q in queries.captured_queries
               if q["sql"].startswith('DELETE FROM "tasks_app_taskexecution"')]
    assert len(deletes) >= expected // 10, "one DELETE per batch of ids"
    assert not any('"tasks_app_taskexecution"."log"' in q["sql"] for q in queries.captured_queries), \
        "deleting never loads the logs"


def test_references_to_deleted_executions_are_cleared():
    task = make_definition("noop")
    old, = _history(task, days=1, per_day=1)
    TaskExecution.objects.filter(pk=old.pk).update(created_at=timezone.now() - datetime.timedelta(days=100))
    retry = TaskExecution.objects.create(task=task, status=Status.SUCCESS, retry_of=old, attempt=2)
    incident = AlertIncident.objects.create(key="failure:x", kind="failure", task=task,
                                            first_execution=old, last_execution=retry)
    assert retention.delete_old_executions(days=90) == 1
    retry.refresh_from_db()
    incident.refresh_from_db()
    assert retry.retry_of_id is None and incident.first_execution_id is None
    assert incident.last_execution_id == retry.pk


def test_old_logs_are_blanked_and_newer_ones_kept():
    task = make_definition("noop")
    _history(task, days=20, per_day=2)
    trimmed = retention.trim_old_logs(days=10, batch_size=3)
    assert trimmed == 9 * 2
    first_kept = stats.day_start(retention.cutoff_day(10))
    assert not TaskExecution.objects.filter(created_at__lt=first_kept).exclude(log="").exists()
    assert TaskExecution.objects.filter(created_at__gte=first_kept).exclude(log="").count() == 11 * 2
    assert TaskExecution.objects.count() == 40


def test_old_audit_entries_are_deleted():
    AuditLog.objects.all().delete()
    for days in (400, 380, 10):
        AuditLog.objects.create(action="update", target_type="task", target_id="x",
                                created_at=timezone.now() - datetime.timedelta(days=days))
    assert retention.delete_old_audit(days=365, batch_size=1) == 2
    assert AuditLog.objects.exclude(action="cleanup").count() == 1
    cleanup = AuditLog.objects.get(action="cleanup")
    assert (cleanup.target_type, cleanup.changes) == ("audit", {"days": 365, "deleted": 2})


def test_apply_retention_uses_the_settings(settings):
    settings.MYSTOCKS_RETENTION_EXECUTION_DAYS = 30
    settings.MYSTOCKS_RETENTION_LOG_DAYS = 5
    settings.MYSTOCKS_RETENTION_AUDIT_DAYS = 365
    task = make_definition("noop")
    _history(task, days=40, per_day=1)
    assert retention.apply_retention() == {"executions_deleted": 9, "logs_trimmed": 25, "audit_deleted": 0}


def test_cleanup_executions_command_dry_run_then_delete():
    task = make_definition("noop")
    _history(task, days=10, per_day=3)
    out = StringIO()
    call_command("cleanup_executions", "--days", "7", "--dry-run", stdout=out)
    assert "would delete 6 executions" in out.getvalue()
    assert TaskExecution.objects.count() == 30

    call_command("cleanup_executions", "--days", "7", "--batch-size", "2", stdout=out)
    assert "deleted 6 executions" in out.getvalue()
    assert TaskExecution.objects.count() == 24
    assert AuditLog.objects.filter(action="cleanup", interface="command").exists()


def test_nothing_younger_than_the_retention_period_is_deleted():
    task = make_definition("noop")
    now = timezone.now()
    young = TaskExecution.objects.create(task=task, status=Status.SUCCESS,
                                         created_at=now - datetime.timedelta(days=30, minutes=-1))
    old = TaskExecution.objects.create(task=task, status=Status.SUCCESS,
                                       created_at=now - datetime.timedelta(days=32))
    assert retention.delete_old_executions(days=30) == 1
    assert list(TaskExecution.objects.values_list("pk", flat=True)) == [young.pk]
    assert not TaskExecution.objects.filter(pk=old.pk).exists()
