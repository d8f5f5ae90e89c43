"""The one receiver: hand every ended execution to the incident logic after commit.

The body only schedules a call; the decision lives in ``incidents.on_execution_ended`` so the
engine never waits on, or fails because of, alerting.
"""
import logging

from django.db import transaction
from django.dispatch import receiver

from ..lifecycle import execution_ended
from ..models import TaskExecution

logger = logging.getLogger(__name__)


@receiver(execution_ended, sender=TaskExecution, dispatch_uid="tasks_app.alerts.on_execution_ended")
def on_execution_ended(sender, execution, retry=None, **kwargs):
    transaction.on_commit(lambda: _evaluate(execution, retried=retry is not None))


def _evaluate(execution, *, retried):
    from .incidents import on_execution_ended as decide

    try:
        decide(execution, retried=retried)
    except Exception:  # alerting must never break the runner, reaper or stop that ended the run
        logger.exception("alert evaluation of execution %s failed", execution.pk)
