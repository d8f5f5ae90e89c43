"""The one dispatch path: every run of a task (schedule, manual, API, retry, dependency, group,
restart) is created here, checked against the policies and enqueued after commit.

The policies decide; this module acts on the decision: skip, hold (``wait_reason``), run the
missing upstreams first, or send the worker message by name through ``celery_send``. A run whose
policies need no lock (``policies.needs_lock``) is decided before its row exists and inserted in
one autocommit statement, already pending or skipped; the message still follows the commit.
"""
import logging
import random
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from . import audit, catchup, celery_send, policies
from .models import MisfirePolicy, ScheduleType, Status, TaskDefinition, TaskExecution, Trigger
from .policies import active_executions
from .registry import ParamsInvalid, UnknownJob
from .slots import slot_for

logger = logging.getLogger(__name__)
ENQUEUE_FAILED = "not sent to the broker yet: "
UPSTREAM_PREFIX = "waiting for upstreams: "


def celery_priority(priority):
    """Map 100 (critical) … 900 (batch) to the Redis transport's 0 (first) … 8."""
    return max(0, min(9, priority // 100 - 1))


def merge_params(task, runtime_params=None):
    """The definition's params overlaid with ``runtime_params``, validated by the job; raises ValidationError."""
    if runtime_params is not None and not isinstance(runtime_params, dict):
        raise ValidationError({"params": [_("must be a mapping of param name to value")]})
    try:
        return task.job_spec.validate_params({**task.params, **(runtime_params or {})})
    except UnknownJob as exc:
        raise ValidationError({"job": [str(exc)]}) from None
    except ParamsInvalid as exc:
        raise ValidationError({"params": exc.messages}) from None


def dispatch_task(
    *, task, trigger, params=None, scheduled_for=None, actor=None, group_run=None,
    retry_of=None, attempt=1, countdown=None, with_upstreams=False, covers_slots=(),
):
    """Create an execution of ``task``, apply the policies and enqueue it after commit.

    Returns the execution (status pending, or skipped with the reason). For a scheduled
    trigger whose slot already has an execution, returns that one and creates nothing.
    Raises ValidationError for bad runtime params on an interactive trigger.

    The common case (overlap allowed, no upstreams, not inside a transaction) is one INSERT in
    autocommit, of a row already pending or skipped, then the send; otherwise the row is
    inserted and decided in one transaction, under the definition's lock when the policies need it.
    """
    merged = merge_params(task, params)
    now = timezone.now()
    fields = {
        "params": merged, "created_at": now, "queued_at": now, "group_run": group_run, "retry_of": retry_of,
        "attempt": attempt, "covers_slots": [slot.isoformat() for slot in covers_slots],
        "created_by": actor if getattr(actor, "is_authenticated", False) else None,
    }
    if not policies.needs_lock(task) and not transaction.get_connection().in_atomic_block:
        execution = _dispatch_unlocked(task=task, trigger=trigger, scheduled_for=scheduled_for, now=now,
                                       countdown=countdown, with_upstreams=with_upstreams, fields=fields)
        if execution is not None:
            return execution
    with transaction.atomic():
        execution, created = _create_execution(task=task, trigger=trigger, scheduled_for=scheduled_for, **fields)
        if not created:
            return execution
        decision = policies.decide(execution=execution, now=now, with_upstreams=with_upstreams)
        if decision.skip_reason:
            execution.skip(decision.skip_reason)
            if decision.catch_up:
                catch_up(task=task, now=now, fired=execution)
        elif decision.upstreams:
            run_upstreams_first(task=task, execution=execution, missing=list(decision.upstreams))
        elif decision.wait_reason:
            hold(execution, decision.wait_reason)
        elif decision.run_now:
            transaction.on_commit(lambda: enqueue(execution, countdown=countdown))
    return execution


def _dispatch_unlocked(*, task, trigger, scheduled_for, now, countdown, with_upstreams, fields):
    """Decide before inserting, then insert the row pending (and send it) or skipped, in autocommit.

    Only for a task whose policies need no lock (``policies.needs_lock``): the checks then read
    the definition and the new run alone, so deciding first changes nothing, and one statement
    replaces the transaction (BEGIN, INSERT, a skip's UPDATE, COMMIT); the row is committed
    before its message is sent. Returns None when the decision asks for more than
    running or skipping (a missed slot to catch up): the transactional path does that.
    """
    execution = TaskExecution(
        task=task, trigger=trigger, scheduled_for=scheduled_for, celery_task_id=str(uuid.uuid4()), **fields,
    )
    decision = policies.decide(execution=execution, now=now, with_upstreams=with_upstreams)
    if decision.skip_reason and not decision.catch_up:
        execution.status, execution.skip_reason = Status.SKIPPED, decision.skip_reason
        execution.finished_at, execution.duration = now, 0
    elif not decision.run_now:
        return None
    try:
        execution.insert()
    except IntegrityError:
        if trigger != Trigger.SCHEDULE:
            raise
        return _existing_slot(task, scheduled_for)
    if decision.run_now:
        enqueue(execution, countdown=countdown)
    return execution


def hold(execution, reason):
    """Keep a pending execution back with ``reason``; ``waiting.release_waiting`` lets it go."""
    execution.wait_reason = reason
    TaskExecution.objects.filter(pk=execution.pk).update(wait_reason=reason)


def run_upstreams_first(*, task, execution, missing):
    """Dispatch each missing upstream (recursively with its own upstreams) and hold ``execution``."""
    execution.wait_reason = UPSTREAM_PREFIX + ", ".join(missing)
    TaskExecution.objects.filter(pk=execution.pk).update(wait_reason=execution.wait_reason)
    for upstream in TaskDefinition.objects.filter(task_id__in=missing):
        started = dispatch_task(
            task=upstream, trigger=Trigger.DEPENDENCY, with_upstreams=True, actor=execution.created_by,
        )
        if started.status == Status.SKIPPED and not active_executions(upstream).exists():
            execution.skip(_("upstream %(task)s could not run: %(reason)s") % {
                "task": upstream.task_id, "reason": started.skip_reason})
            return


def _create_execution(*, task, trigger, scheduled_for, **fields):
    """Insert the row; for a slot that already has one, return (that row, False)."""
    def create():
        return TaskExecution.objects.create(
            task=task, trigger=trigger, scheduled_for=scheduled_for, celery_task_id=str(uuid.uuid4()), **fields,
        )

    if trigger != Trigger.SCHEDULE:
        return create(), True
    try:
        with transaction.atomic():  # a savepoint: only a slot can collide
            return create(), True
    except IntegrityError:
        return _existing_slot(task, scheduled_for), False


def _existing_slot(task, scheduled_for):
    # Another beat (or a redelivered beat message) already created this slot.
    logger.info("slot %s of %s already dispatched", scheduled_for, task.task_id)
    return TaskExecution.objects.get(task=task, trigger=Trigger.SCHEDULE, scheduled_for=scheduled_for)


def enqueue(execution, *, countdown=None):
    """Send the worker message for a committed pending execution, on its task's queue."""
    task = execution.task
    grace = settings.MYSTOCKS_HARD_TIME_LIMIT_GRACE
    try:
        celery_send.send_task(
            celery_send.EXECUTE, args=[execution.pk], task_id=execution.celery_task_id, queue=task.queue,
            priority=celery_priority(task.priority), countdown=countdown,
            soft_time_limit=task.timeout, time_limit=task.timeout + grace,
        )
    except Exception as exc:  # broker unreachable: keep the run; the reaper sends it again
        logger.error("could not enqueue execution %s: %s", execution.pk, exc)
        TaskExecution.objects.filter(pk=execution.pk, status=Status.PENDING).update(
            wait_reason=(ENQUEUE_FAILED + str(exc))[:200],
        )


def requeue_unsent():
    """Send again the runs whose message never reached the broker; returns how many."""
    unsent = TaskExecution.objects.filter(
        status=Status.PENDING, wait_reason__startswith=ENQUEUE_FAILED, cancel_requested=False,
    ).select_related("task")
    count = 0
    for execution in unsent:
        if TaskExecution.objects.filter(pk=execution.pk, wait_reason=execution.wait_reason).update(wait_reason=""):
            enqueue(execution)
            count += 1
    return count


def dispatch_scheduled(*, task_id, fired_at=None):
    """Entry point of every task PeriodicTask: turn beat's firing into the execution of its slot."""
    task = TaskDefinition.objects.filter(task_id=task_id).first()
    if task is None:
        logger.warning("beat fired for unknown task %s (deleted?)", task_id)
        return None
    fired = parse_datetime(fired_at) if isinstance(fired_at, str) else fired_at
    slot = slot_for(task, fired or timezone.now())
    try:
        return dispatch_task(task=task, trigger=Trigger.SCHEDULE, scheduled_for=slot)
    except ValidationError as exc:
        return _record_broken_definition(task, slot, exc)


def _record_broken_definition(task, slot, exc):
    """A stored definition that no longer validates still leaves a visible failed run, never silence."""
    now = timezone.now()
    execution, _created = TaskExecution.objects.get_or_create(
        task=task, trigger=Trigger.SCHEDULE, scheduled_for=slot,
        defaults={"status": Status.FAILED, "created_at": now, "finished_at": now,
                  "error": _("definition is invalid: %(errors)s") % {"errors": "; ".join(exc.messages)}},
    )
    return execution


def catch_up(*, task, now, fired=None):
    """Run the slots ``task`` missed, per its misfire_policy; returns the catch-up executions.

    ``fired`` is a late firing already recorded as skipped (its slot is claimed by it); the
    other missed slots are found from the schedule and claimed here, so however many beats and
    monitors notice the same gap, each slot goes to exactly one catch-up run (trigger catch_up,
    ``covers_slots`` listing them). run_once: one run for all; run_all: one per slot, capped.
    """
    slots = catchup.claim_slots(task, catchup.missed_slots(task, now=now), now=now)
    if fired is not None:
        slots = sorted({*slots, fired.scheduled_for})
    if not slots:
        return []
    groups = catchup.groups_to_run(task, slots, cap=settings.MYSTOCKS_CATCH_UP_MAX_RUNS)
    runs = []
    for covered in groups:
        run = dispatch_task(task=task, trigger=Trigger.CATCH_UP, scheduled_for=covered[-1], covers_slots=covered)
        catchup.record_catch_up(task, covered, run=run)
        runs.append(run)
    left_out = slots[:len(slots) - sum(map(len, groups))]
    if left_out:
        catchup.record_catch_up(task, left_out)
    return runs


def catch_up_missed(*, now=None):
    """The monitor's sweep: catch up slots beat never fired (it was down), for tasks whose policy says so."""
    now = now or timezone.now()
    tasks = TaskDefinition.objects.filter(enabled=True, paused=False).exclude(
        schedule_type=ScheduleType.NONE).exclude(misfire_policy=MisfirePolicy.SKIP)
    runs = []
    for task in tasks:
        with transaction.atomic():
            runs += catch_up(task=task, now=now)
    return runs


def run_task_now(*, task, actor=None, params=None, trigger=Trigger.MANUAL, with_upstreams=False,
                 interface="system"):
    """A user's 'run now' from any interface; a disabled task is refused with a clear error."""
    if not task.enabled:
        message = _("task %(task)s is disabled; enable it to run it") % {"task": task.task_id}
        raise ValidationError({"enabled": [message]})
    execution = dispatch_task(task=task, trigger=trigger, params=params, actor=actor, with_upstreams=with_upstreams)
    audit.record(action="start", target_type="task", target_id=task.task_id, actor=actor, interface=interface,
                 changes={"execution_id": execution.pk, "params": params or {}, "with_upstreams": with_upstreams})
    return execution


def retry_delay_seconds(task, attempt, *, cap=None, jitter=0.1):
    """Backoff before attempt ``attempt`` + 1: retry_delay × 2^(attempt-1), capped, with jitter."""
    cap = cap or settings.MYSTOCKS_MAX_RETRY_DELAY
    base = min(task.retry_delay * (2 ** (attempt - 1)), cap)
    return base * (1 + random.uniform(-jitter, jitter)) if base else 0

