"""The one receiver: hand every ended execution to the incident logic after commit.

The body only schedules a call; the decision lives in ``incidents.on_execution_ended`` so the
engine never waits on, or fails because of, alerting. ``TasksAppConfig.ready()`` connects it to
``tasks_app.signals.execution_ended``; alerts listen and never import the code that ends runs.
"""
import logging

from django.db import transaction

from . import incidents

logger = logging.getLogger(__name__)


def on_execution_ended(sender, execution, retry=None, **kwargs):
    transaction.on_commit(lambda: _evaluate(execution, retried=retry is not None))


def _evaluate(execution, *, retried):
    try:
        incidents.on_execution_ended(execution, retried=retried)
    except Exception:  # alerting must never break the runner, reaper or stop that ended the run
        logger.exception("alert evaluation of execution %s failed", execution.pk)
