"""The dispatch policies, in the order DESIGN §3.4 gives them.

Each check returns a human-readable reason when it prevents a run; the execution is then
recorded as skipped with that reason, so a run that did not happen is never silent. Policies
decide and write nothing: holding a run back (``wait_reason``) or running its upstreams first
(``upstreams``) is done by ``dispatch`` from the returned ``Decision``.
"""
import datetime
from dataclasses import dataclass

from django.utils.translation import gettext as _

from . import calendar
from .models import ACTIVE_STATUSES, MisfirePolicy, Status, TaskDefinition, TaskExecution, Trigger

INTERACTIVE_TRIGGERS = (Trigger.MANUAL, Trigger.API)
# Runs that stand for scheduled slots: window, trading-day and pause rules apply to them.
SLOT_TRIGGERS = (Trigger.SCHEDULE, Trigger.CATCH_UP)


@dataclass(frozen=True)
class Decision:
    skip_reason: str = ""
    run_now: bool = True
    wait_reason: str = ""  # hold the run back (pending) with this reason
    upstreams: tuple = ()  # run these upstream task_ids first, then this run
    catch_up: bool = False  # the slot is skipped, and its task's misfire_policy wants it caught up


def needs_lock(task):
    """Whether dispatches of ``task`` must be serialised on its definition row.

    The overlap policies (skip, queue) and upstreams read other runs, so two concurrent
    dispatches could both see "nothing active"; the other checks only read the definition and
    the new run, and need no lock (nor, in ``dispatch``, a transaction).
    """
    return task.concurrency_policy != "allow" or bool(task.dependencies)


def decide(*, execution, now, with_upstreams=False):
    """Apply every policy to a pending execution and say what to do with it.

    The execution is freshly created, or, for a task that ``needs_lock`` says no to, not saved yet
    (no check reads its primary key then). A task that needs the lock is locked here: call it
    inside the dispatch's transaction.
    """
    task = execution.task
    if needs_lock(task):
        task = TaskDefinition.objects.select_for_update().get(pk=execution.task_id)
    for check in (_check_switches, _check_window, _check_trading_day):
        reason = check(task, execution, now)
        if reason:
            return Decision(skip_reason=reason, run_now=False)
    reason, catch_up = _check_misfire(task, execution, now)
    if reason:
        return Decision(skip_reason=reason, run_now=False, catch_up=catch_up)
    decision = _check_overlap(task, execution)
    if decision.skip_reason or not decision.run_now:
        return decision
    return _check_upstreams(task, execution, now, with_upstreams)


def _check_switches(task, execution, now):
    if not task.enabled and execution.trigger not in INTERACTIVE_TRIGGERS:
        return _("task is disabled")
    if task.paused and execution.trigger in (*SLOT_TRIGGERS, Trigger.RESTART):
        return _("task is paused")
    return ""


def _check_window(task, execution, now):
    if execution.trigger not in SLOT_TRIGGERS:
        return ""
    moment = execution.scheduled_for or now
    if task.start_time and moment < task.start_time:
        return _("slot %(slot)s is before the schedule's start %(start)s") % {
            "slot": _fmt(moment, task), "start": _fmt(task.start_time, task)}
    if task.end_time and moment > task.end_time:
        return _("slot %(slot)s is after the schedule's end %(end)s") % {
            "slot": _fmt(moment, task), "end": _fmt(task.end_time, task)}
    return ""


def _check_trading_day(task, execution, now):
    if not task.trading_days_only or execution.trigger not in SLOT_TRIGGERS:
        return ""
    day = (execution.scheduled_for or now).astimezone(task.tz).date()
    if not calendar.is_trading_day(day):
        return not_a_trading_day(day)
    return ""


def _check_misfire(task, execution, now):
    """(reason, catch up?) for a scheduled slot dispatched later than ``misfire_grace``."""
    if execution.trigger != Trigger.SCHEDULE or execution.scheduled_for is None:
        return "", False
    late = (now - execution.scheduled_for).total_seconds()
    if late <= task.misfire_grace:
        return "", False
    reason = _("misfire: slot %(slot)s dispatched %(late)ss late (misfire_grace %(grace)ss)") % {
        "slot": _fmt(execution.scheduled_for, task), "late": f"{late:.0f}", "grace": task.misfire_grace}
    if task.misfire_policy == MisfirePolicy.SKIP:
        return reason, False
    if late > task.max_lateness:
        return reason + "; " + _("older than max_lateness %(seconds)ss: not caught up") % {
            "seconds": task.max_lateness}, False
    return reason, True


def active_executions(task, *, exclude_pk=None):
    rows = TaskExecution.objects.filter(task=task, status__in=ACTIVE_STATUSES)
    if exclude_pk is not None:
        rows = rows.exclude(pk=exclude_pk)
    return rows


def _check_overlap(task, execution):
    if task.concurrency_policy == "allow":
        return Decision()
    active = active_executions(task, exclude_pk=execution.pk).order_by("created_at").first()
    if active is None:
        return Decision()
    if task.concurrency_policy == "queue" or execution.trigger == Trigger.CATCH_UP:
        # A catch-up stands for slots already missed: dropping it for overlap would miss them twice.
        return Decision(wait_reason=_("queued behind execution #%(id)s") % {"id": active.pk}, run_now=False)
    return Decision(skip_reason=_("overlap: execution #%(id)s is still %(status)s") % {
        "id": active.pk, "status": active.status}, run_now=False)


def trading_day_start(task, now):
    """Midnight (task time zone) of the current trading day: the window upstream successes must fall in."""
    today = now.astimezone(task.tz).date()
    day = calendar.latest_trading_day(today)
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=task.tz)


def missing_upstreams(task, now):
    """Upstream task_ids with no success since the start of the current trading day."""
    if not task.dependencies:
        return []
    since = trading_day_start(task, now)
    satisfied = set(
        TaskExecution.objects.filter(
            task__task_id__in=task.dependencies, status=Status.SUCCESS, finished_at__gte=since,
        ).values_list("task__task_id", flat=True)
    )
    return [dep for dep in task.dependencies if dep not in satisfied]


def _check_upstreams(task, execution, now, with_upstreams):
    missing = missing_upstreams(task, now)
    if not missing:
        return Decision()
    if not with_upstreams:
        since = _fmt(trading_day_start(task, now), task)
        return Decision(skip_reason=_("upstream not satisfied: %(tasks)s has no success since %(since)s") % {
            "tasks": ", ".join(missing), "since": since}, run_now=False)
    return Decision(upstreams=tuple(missing), run_now=False)


def not_a_trading_day(day):
    reason = _("%(day)s is not a trading day") % {"day": day.isoformat()}
    guessed = calendar.beyond_coverage(day)
    return f"{reason} ({guessed})" if guessed else reason


def _fmt(moment, task):
    return moment.astimezone(task.tz).strftime("%Y-%m-%d %H:%M:%S")


def upcoming_runs(task, *, n=5):
    """The next ``n`` slots, each with the reason it will be skipped (non-trading day), if any."""
    runs = []
    for moment in task.next_run_times(n=n):
        reason = ""
        if task.trading_days_only and not calendar.is_trading_day(moment.astimezone(task.tz).date()):
            reason = not_a_trading_day(moment.astimezone(task.tz).date())
        runs.append({"at": moment, "skip_reason": reason})
    return runs
