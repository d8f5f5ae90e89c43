"""Group runs as a database state machine (not Celery chords, which hang when a member fails).

A group run is advanced each time one of its member executions ends: sequential groups
dispatch the next member, parallel groups wait for all; a failed member marks the rest skipped
and the group run failed when ``TaskGroup.stops_on_error_of`` says so (the group's own
``stop_on_error`` when set, else the member task's).
"""
import logging

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from . import audit
from .dispatch import dispatch_task
from .models import ACTIVE_STATUSES, GroupRun, Status, TaskExecution, TaskGroup, Trigger
from .slots import slot_for

logger = logging.getLogger(__name__)


def start_group_run(*, group, trigger=Trigger.MANUAL, actor=None, scheduled_for=None, interface="system"):
    """Create a group run and dispatch its first member (sequential) or all members (parallel)."""
    now = timezone.now()
    with transaction.atomic():
        group_run = GroupRun.objects.create(
            group=group, status=Status.RUNNING, trigger=trigger, scheduled_for=scheduled_for,
            started_at=now, created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        advance_group_run(group_run)
    if trigger != Trigger.SCHEDULE:
        audit.record(action="start", target_type="group", target_id=group.group_id, actor=actor,
                     interface=interface, changes={"group_run_id": group_run.pk})
    return group_run


def dispatch_scheduled_group(*, group_id, fired_at=None):
    """Entry point of every group PeriodicTask; one group run per slot."""
    group = TaskGroup.objects.filter(group_id=group_id, enabled=True).first()
    if group is None:
        logger.warning("beat fired for unknown or disabled group %s", group_id)
        return None
    fired = parse_datetime(fired_at) if isinstance(fired_at, str) else (fired_at or timezone.now())
    slot = slot_for(group, fired) if group.schedule_type != "none" else fired
    try:
        return start_group_run(group=group, trigger=Trigger.SCHEDULE, scheduled_for=slot)
    except IntegrityError:
        logger.info("slot %s of group %s already started", slot, group_id)
        return None


def _member_states(group_run):
    """[(member, latest execution or None)] in member order, from one query."""
    members = list(group_run.group.members.select_related("task").order_by("position"))
    latest = {}
    for execution in group_run.executions.order_by("created_at", "id"):
        latest[execution.task_id] = execution
    return [(m, latest.get(m.task_id)) for m in members]


def advance_group_run(group_run):
    """Move a group run forward after a member changed; safe to call from concurrent finishes."""
    with transaction.atomic():
        group_run = GroupRun.objects.select_for_update().select_related("group").get(pk=group_run.pk)
        if group_run.status != Status.RUNNING:
            return group_run
        parallel = group_run.group.execution_mode == TaskGroup.Mode.PARALLEL
        while True:
            states = _member_states(group_run)
            if _stop_on_failure(group_run, states):
                break
            todo = [m for m, e in states if e is None]
            running = [e for _, e in states if e is not None and e.status in ACTIVE_STATUSES]
            if not todo and not running:
                _finish(group_run, states)
                break
            if not todo or (running and not parallel):
                break
            for member in (todo if parallel else todo[:1]):
                dispatch_task(task=member.task, trigger=Trigger.GROUP, group_run=group_run,
                              actor=group_run.created_by)
    return group_run


def _stop_on_failure(group_run, states):
    failed = [(m, e) for m, e in states if e is not None and e.status in (Status.FAILED, Status.TIMEOUT)
              and group_run.group.stops_on_error_of(m.task) and not e.retries.exists()]
    if not failed:
        return False
    member, execution = failed[0]
    reason = _("group stopped: %(task)s ended %(status)s (execution #%(id)s)") % {
        "task": member.task.task_id, "status": execution.status, "id": execution.pk}
    now = timezone.now()
    for m, e in states:
        if e is None:
            TaskExecution.objects.create(
                task=m.task, trigger=Trigger.GROUP, group_run=group_run, status=Status.SKIPPED,
                skip_reason=reason, created_at=now, finished_at=now, duration=0,
            )
    if any(e is not None and e.status in ACTIVE_STATUSES for _, e in states):
        return True  # parallel members still running finish first; the next advance closes the run
    group_run.status, group_run.error = Status.FAILED, reason
    _close(group_run)
    return True


def _finish(group_run, states):
    statuses = {e.status for _, e in states}
    if statuses <= {Status.SUCCESS}:
        group_run.status = Status.SUCCESS
    elif Status.CANCELLED in statuses:
        group_run.status = Status.CANCELLED
    else:
        group_run.status = Status.FAILED
        bad = [f"{m.task.task_id}={e.status}" for m, e in states if e.status != Status.SUCCESS]
        group_run.error = group_run.error or _("members not successful: %(members)s") % {"members": ", ".join(bad)}
    _close(group_run)


def _close(group_run):
    group_run.finished_at = timezone.now()
    group_run.duration = (group_run.finished_at - group_run.started_at).total_seconds()
    group_run.save(update_fields=["status", "error", "finished_at", "duration"])
