"""Missed slots that a task's ``misfire_policy`` wants caught up, and claiming them exactly once.

Beat fires a missed cron slot at most once when it comes back (the latest one, late), and never
the slots before it; a second beat, a redelivered message or the workers' monitor timer may look
at the same slots. So every slot a catch-up stands for is *claimed* by inserting its scheduled
row (skipped, with the catch-up it went to): the (task, slot) unique constraint lets exactly one
process claim a slot, whichever noticed it first, and the missed-run check sees the slot handled.
Decides and claims only; ``dispatch.catch_up`` creates the runs.
"""
import datetime

from django.db import IntegrityError, transaction
from django.db.models import F, Value
from django.db.models.functions import Concat
from django.utils.translation import gettext as _

from . import calendar
from .models import Status, TaskExecution, Trigger

MAX_SLOTS = 5000


def missed_slots(task, *, now):
    """Due slots of ``task`` older than its grace and younger than ``max_lateness``, after it was
    created or last changed (enabled, resumed, edited), on which it should run and that have no
    scheduled row yet; oldest first."""
    since = max(now - datetime.timedelta(seconds=task.max_lateness), task.created_at, task.updated_at)
    until = now - datetime.timedelta(seconds=task.misfire_grace)
    if since >= until:
        return []
    slots = [s.astimezone(datetime.timezone.utc) for s in task.next_run_times(n=MAX_SLOTS, after=since)
             if s <= until and _should_run(task, s)]  # UTC: a fold=1 local time never equals a stored slot
    if not slots:
        return []
    taken = set(
        TaskExecution.objects.filter(task=task, trigger=Trigger.SCHEDULE, scheduled_for__in=slots)
        .values_list("scheduled_for", flat=True)
    )
    return [s for s in slots if s not in taken]


def _should_run(task, slot):
    return not task.trading_days_only or calendar.is_trading_day(slot.astimezone(task.tz).date())


def claim_slots(task, slots, *, now):
    """Insert a skipped scheduled row per slot; return the slots this call claimed (others had one)."""
    claimed = []
    for slot in slots:
        try:
            with transaction.atomic():  # a savepoint: only this slot's insert is undone on a collision
                TaskExecution.objects.create(
                    task=task, trigger=Trigger.SCHEDULE, scheduled_for=slot, status=Status.SKIPPED,
                    skip_reason=_("missed: no firing of this slot"), created_at=now, finished_at=now, duration=0,
                )
            claimed.append(slot)
        except IntegrityError:
            continue
    return claimed


def record_catch_up(task, slots, *, run=None):
    """Say on each claimed slot's row which catch-up run stands for it (or that none does)."""
    if run is not None:
        outcome = _("caught up by execution #%(id)s") % {"id": run.pk}
    else:
        outcome = _("not caught up: more missed slots than the catch-up cap")
    TaskExecution.objects.filter(task=task, trigger=Trigger.SCHEDULE, scheduled_for__in=slots).update(
        skip_reason=Concat(F("skip_reason"), Value(f"; {outcome}")),
    )


def groups_to_run(task, slots, *, cap):
    """run_once: all slots as one run; run_all: one run per slot, the newest ``cap`` of them."""
    if task.misfire_policy == "run_once":
        return [slots]
    return [[slot] for slot in slots[-cap:]]
