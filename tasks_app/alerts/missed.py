"""Missed runs: scheduled slots with no execution, found from the definitions, not from beat.

Beat creates an execution row for every slot it fires (even one a policy skips), so a slot
that is due (plus a grace) and has no row means beat did not fire it: beat is down, stuck, or
lost the PeriodicTask. Expected slots come from each enabled, unpaused, scheduled definition via
``tasks_app.slots`` over a recent window, never before the task was created, changed,
enabled or resumed (slots before that were not supposed to run).
"""
import datetime

from django.conf import settings
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import ngettext

from .. import calendar
from ..models import AlertIncident, AuditLog, ScheduleType, TaskDefinition, TaskExecution, Trigger
from . import incidents

MAX_SLOTS_PER_TASK = 2000
RESTART_ACTIONS = ("create", "update", "enable", "resume", "import")


def window_seconds():
    return getattr(settings, "MYSTOCKS_MISSED_RUN_WINDOW", 6 * 3600)


def grace_seconds():
    return getattr(settings, "MYSTOCKS_MISSED_RUN_GRACE", 120)


def find_missed_slots(*, now=None):
    """{definition: (expected due slots, missed slots)} for every enabled, unpaused scheduled task."""
    now = now or timezone.now()
    definitions = list(
        TaskDefinition.objects.filter(enabled=True, paused=False)
        .exclude(schedule_type=ScheduleType.NONE).order_by("pk")
    )
    task_ids = [d.task_id for d in definitions]
    floors = [_last_restart_by_task(task_ids), _last_resolved_by_task(definitions)]
    window_start = now - datetime.timedelta(seconds=window_seconds())
    found = {}
    for definition in definitions:
        since = max([window_start, definition.created_at, definition.updated_at,
                     *[f[definition.task_id] for f in floors if definition.task_id in f]])
        found[definition] = missed_slots(definition, since=since, now=now)
    return found


def missed_slots(definition, *, since, now):
    """(expected, missed): due slots of ``definition`` after ``since``, and those without an execution."""
    due_before = now - datetime.timedelta(seconds=grace_seconds())
    expected = [s for s in _slots_between(definition, since, due_before) if _should_run(definition, s)]
    if not expected:
        return [], []
    fired = set(
        TaskExecution.objects.filter(task=definition, trigger=Trigger.SCHEDULE, scheduled_for__in=expected)
        .values_list("scheduled_for", flat=True)
    )
    return expected, [slot for slot in expected if slot not in fired]


def _slots_between(definition, since, until):
    if since >= until:
        return []
    slots = definition.next_run_times(n=MAX_SLOTS_PER_TASK, after=since)
    # In UTC, like the stored slots: a local time in the repeated autumn hour (fold=1) never
    # compares equal to another zone's, so it would always look missed.
    return [slot.astimezone(datetime.timezone.utc) for slot in slots if slot <= until]


def _should_run(definition, slot):
    if not definition.trading_days_only:
        return True
    return calendar.is_trading_day(slot.astimezone(definition.tz).date())


def _last_restart_by_task(task_ids):
    rows = (
        AuditLog.objects.filter(target_type="task", target_id__in=task_ids, action__in=RESTART_ACTIONS)
        .values("target_id").annotate(last=Max("created_at")).order_by()
    )
    return {row["target_id"]: row["last"] for row in rows}


def _last_resolved_by_task(definitions):
    """Slots due before a missed-run incident was resolved belong to that incident: never count them twice."""
    grace = datetime.timedelta(seconds=grace_seconds())
    rows = (
        AlertIncident.objects.filter(kind=AlertIncident.Kind.MISSED_RUN, task__in=definitions,
                                     resolved_at__isnull=False)
        .values("task__task_id").annotate(last=Max("resolved_at")).order_by()
    )
    return {row["task__task_id"]: row["last"] - grace for row in rows}


def check_missed_runs(*, now=None):
    """Alert once per task whose slots were missed; resolve when its latest due slot ran again.

    A gap that already healed (beat restarted between two checks) still alerts, then resolves
    in the same pass: the runs were missed all the same. Returns {task_id: missed slot count}.
    """
    now = now or timezone.now()
    result = {}
    for definition, (expected, missed) in find_missed_slots(now=now).items():
        if missed:
            incidents.report(
                kind=AlertIncident.Kind.MISSED_RUN, task=definition, scheduled_for=missed[0],
                occurrences=len(missed), detail=_detail(definition, missed),
            )
            result[definition.task_id] = len(missed)
        if expected and expected[-1] not in missed:
            incidents.resolve(kind=AlertIncident.Kind.MISSED_RUN, task=definition)
    return result


def _detail(definition, slots):
    last = slots[-1].astimezone(definition.tz).strftime("%Y-%m-%d %H:%M")
    return ngettext(
        "%(n)s slot without a run, last %(last)s (%(schedule)s)",
        "%(n)s slots without a run, last %(last)s (%(schedule)s)", len(slots),
    ) % {"n": len(slots), "last": last, "schedule": definition.describe_schedule()}
