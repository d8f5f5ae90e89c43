"""What follows the end of an execution: retry, auto-restart, queued and waiting runs, group runs.

Called by the runner, the reaper and stop, i.e. by whatever ended the execution, so a run
killed with its worker is retried and advances its group exactly like one that failed normally.
The follow-ups whose order matters are explicit calls; then ``signals.execution_ended`` is sent
for the listeners (alerts), which never import this module.
"""
import datetime
import logging

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from . import groups, waiting
from .dispatch import dispatch_task, retry_delay_seconds
from .models import Status, TaskExecution, Trigger
from .signals import execution_ended

logger = logging.getLogger(__name__)


def execution_finished(execution):
    """Dispatch the follow-ups of an execution that just reached a final status."""
    retry = schedule_retry(execution)
    if retry is None:
        schedule_restart(execution)
    waiting.release_waiting(execution)
    if execution.group_run_id and retry is None:
        groups.advance_group_run(execution.group_run)
    execution_ended.send(sender=TaskExecution, execution=execution, retry=retry)


def schedule_retry(execution):
    """The next attempt of a failed or timed-out execution, if it has attempts left."""
    task = execution.task
    if execution.status not in (Status.FAILED, Status.TIMEOUT) or execution.cancel_requested:
        return None
    if execution.attempt > task.retry_count:
        return None
    delay = retry_delay_seconds(task, execution.attempt)
    logger.info("retrying %s (attempt %s of %s) in %.0fs", task.task_id, execution.attempt + 1,
                task.retry_count + 1, delay)
    return dispatch_task(
        task=task, trigger=Trigger.RETRY, params=execution.params, retry_of=execution,
        attempt=execution.attempt + 1, countdown=delay, group_run=execution.group_run,
    )


def schedule_restart(execution):
    """Supervisor-style auto-restart, capped per hour; hitting the cap leaves a visible skipped run."""
    task = execution.task
    if not task.auto_restart or execution.status in (Status.CANCELLED, Status.SKIPPED) or execution.cancel_requested:
        return None
    if execution.group_run_id:
        return None
    cap = settings.MYSTOCKS_MAX_RESTARTS_PER_HOUR
    recent = TaskExecution.objects.filter(
        task=task, trigger=Trigger.RESTART, created_at__gte=timezone.now() - datetime.timedelta(hours=1),
    ).exclude(status=Status.SKIPPED).count()
    if recent >= cap:
        now = timezone.now()
        return TaskExecution.objects.create(
            task=task, trigger=Trigger.RESTART, status=Status.SKIPPED, params=execution.params,
            created_at=now, finished_at=now, duration=0,
            skip_reason=_("auto-restart limit reached: %(n)s restarts in the last hour (cap %(cap)s)") % {
                "n": recent, "cap": cap},
        )
    delay = min(task.retry_delay, settings.MYSTOCKS_MAX_RETRY_DELAY)
    return dispatch_task(task=task, trigger=Trigger.RESTART, params=execution.params, countdown=delay)
