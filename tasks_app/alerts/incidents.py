"""The alert decisions: one incident per problem, one alert when it opens, one recovery when it ends.

An incident is keyed by kind and task (or "system"); while it is open, a repeat of the same
problem only counts ``occurrences``, so a task failing every minute alerts once, not every minute.
"""
import logging

from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone

from ..models import AlertDelivery, AlertIncident, Status, TaskExecution
from . import delivery, rules

logger = logging.getLogger(__name__)
Kind = AlertIncident.Kind
FLAG_BY_KIND = {
    Kind.FAILURE: "on_failure", Kind.TIMEOUT: "on_timeout", Kind.MISSED_RUN: "on_missed_run",
    Kind.LONG_RUN: "long_run_seconds", Kind.BEAT_DOWN: "on_system", Kind.WORKERS_DOWN: "on_system",
    Kind.CALENDAR_ENDING: "on_system",
}
RECOVERED_BY_SUCCESS = (Kind.FAILURE, Kind.TIMEOUT)


def incident_key(kind, task=None):
    return f"{kind}:{task.task_id if task is not None else 'system'}"


def on_execution_ended(execution, *, retried):
    """Decide what an ended execution means for alerts.

    Failed or timed out with no retry scheduled (the last attempt): open or count an incident.
    Success: resolve the task's failure/timeout incidents with a recovery message. Any end
    closes a long-run incident of that execution.
    """
    failed = execution.status in (Status.FAILED, Status.TIMEOUT)
    if not failed and not _has_open_incident(execution):
        return  # the common case, a run of a healthy task: nothing to open, resolve or close
    if failed and not retried:
        kind = Kind.TIMEOUT if execution.status == Status.TIMEOUT else Kind.FAILURE
        report(kind=kind, task=execution.task, execution=execution)
    elif execution.status == Status.SUCCESS:
        for kind in RECOVERED_BY_SUCCESS:
            resolve(kind=kind, task=execution.task, execution=execution)
    _close_long_run(execution)


def _has_open_incident(execution):
    """Asked after every run: the runner's finish statement brought the answer back with it.

    Otherwise (the reaper, a stop) a plain statement, as building the ORM query cost more than the query.
    """
    if execution.task_has_open_incident is not None:
        return execution.task_has_open_incident
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT 1 FROM {qn(AlertIncident._meta.db_table)} WHERE {qn('task_id')} = %s "
            f"AND {qn('resolved_at')} IS NULL LIMIT 1",
            [execution.task_id],
        )
        return cursor.fetchone() is not None


def report(*, kind, task=None, execution=None, scheduled_for=None, detail="", occurrences=None, inline=False):
    """Record that a problem is happening; alert the rules' channels only when it is new.

    Returns (incident, created). ``occurrences`` sets the count instead of adding one
    (missed runs count slots); ``inline`` sends now instead of through Celery (system alerts,
    which must go out when no worker is there to send them).
    """
    key = incident_key(kind, task)
    now = timezone.now()
    try:
        with transaction.atomic():
            incident = AlertIncident.objects.create(
                key=key, kind=kind, task=task, first_execution=execution, last_execution=execution,
                scheduled_for=scheduled_for, detail=detail, occurrences=occurrences or 1,
                opened_at=now, last_seen_at=now,
            )
    except IntegrityError:  # already open: a repeat of the same problem
        _touch(key, execution=execution, detail=detail, occurrences=occurrences, now=now)
        return AlertIncident.objects.filter(key=key, resolved_at__isnull=True).first(), False
    channels = rules.channels_for(rules.applicable_rules(task), FLAG_BY_KIND[kind])
    delivery.queue(incident=incident, event=AlertDelivery.Event.ALERT, channels=channels, inline=inline)
    logger.warning("alert: %s opened (%d channel(s))", key, len(channels))
    return incident, True


def _touch(key, *, execution, detail, occurrences, now):
    changes = {"last_seen_at": now, "occurrences": F("occurrences") + 1}
    if occurrences is not None:
        changes["occurrences"] = occurrences
    if execution is not None:
        changes["last_execution"] = execution
    if detail:
        changes["detail"] = detail
    AlertIncident.objects.filter(key=key, resolved_at__isnull=True).update(**changes)


def resolve(*, kind, task=None, execution=None, inline=False):
    """Close the open incident of ``kind`` (if any) and send the recovery to the channels it alerted."""
    incident = AlertIncident.objects.filter(key=incident_key(kind, task), resolved_at__isnull=True).first()
    if incident is None:
        return None
    changes = {"resolved_at": timezone.now()}
    if execution is not None:
        changes["last_execution"] = execution
    # Conditional: of two processes seeing the same success, only one sends the recovery.
    if not AlertIncident.objects.filter(pk=incident.pk, resolved_at__isnull=True).update(**changes):
        return None
    incident.refresh_from_db()
    channels = _recovery_channels(incident, task)
    delivery.queue(incident=incident, event=AlertDelivery.Event.RECOVERY, channels=channels, inline=inline)
    logger.info("alert: %s resolved", incident.key)
    return incident


def _recovery_channels(incident, task):
    """Channels with on_recovery among those that got the alert: no recovery for an unseen alert."""
    alerted = set(incident.deliveries.filter(event=AlertDelivery.Event.ALERT).values_list("channel_id", flat=True))
    return [c for c in rules.channels_for(rules.applicable_rules(task), "on_recovery") if c.pk in alerted]


def _close_long_run(execution):
    incident = AlertIncident.objects.filter(
        key=incident_key(Kind.LONG_RUN, execution.task), resolved_at__isnull=True, last_execution=execution,
    ).first()
    if incident is not None:
        resolve(kind=Kind.LONG_RUN, task=execution.task, execution=execution)


def check_long_runs(*, now=None):
    """Open a long-run incident for each task with a running execution older than its rules' threshold."""
    now = now or timezone.now()
    opened = []
    running = TaskExecution.objects.filter(status=Status.RUNNING, started_at__isnull=False).select_related("task")
    for execution in running.order_by("started_at"):
        threshold = rules.long_run_threshold(rules.applicable_rules(execution.task))
        elapsed = (now - execution.started_at).total_seconds()
        if threshold is None or elapsed <= threshold:
            continue
        _, created = report(
            kind=Kind.LONG_RUN, task=execution.task, execution=execution,
            detail=f"running for {elapsed:.0f}s (threshold {threshold}s)", occurrences=1,
        )
        if created:
            opened.append(execution.pk)
    return opened
