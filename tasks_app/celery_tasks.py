"""Celery entry points. Thin: parse, call one function. Names are stable: beat stores them.

The top layer: this module imports the engine, and nothing in the engine imports it; code that
enqueues work sends these tasks by name through ``celery_send``. ``TasksAppConfig.ready()``
imports it, because Celery's autodiscovery only looks for modules called ``tasks``.
"""
import logging
import os
import socket

from celery import Task, shared_task
from celery.exceptions import TimeLimitExceeded

from . import control, dispatch, groups, retention, runner
from .alerts import checks, delivery

logger = logging.getLogger(__name__)


class ExecutionTask(Task):
    def on_failure(self, exc, task_id, args, kwargs, einfo):
        # Runs in the worker's main process when the hard time limit killed the child.
        if isinstance(exc, TimeLimitExceeded) and args:
            control.mark_hard_timeout(args[0])


@shared_task(name="tasks_app.execute", base=ExecutionTask, ignore_result=True,
             acks_late=True, reject_on_worker_lost=True)
def execute_task(execution_id):
    runner.run_execution(execution_id, worker_host=socket.gethostname(), worker_pid=os.getpid())


@shared_task(name="tasks_app.run_scheduled", ignore_result=True)
def run_scheduled(task_id, fired_at=None):
    dispatch.dispatch_scheduled(task_id=task_id, fired_at=fired_at)


@shared_task(name="tasks_app.run_scheduled_group", ignore_result=True)
def run_scheduled_group(group_id, fired_at=None):
    groups.dispatch_scheduled_group(group_id=group_id, fired_at=fired_at)


@shared_task(name="tasks_app.reap_lost_executions", ignore_result=True)
def reap_lost_executions():
    control.reap()


# --- Alerts, health checks, retention (operations) --------------------------------------------


@shared_task(name="tasks_app.deliver_alert", bind=True, ignore_result=True, soft_time_limit=60, time_limit=90)
def deliver_alert(self, delivery_id):
    if not delivery.attempt(delivery_id) and self.request.retries + 1 < delivery.max_attempts():
        raise self.retry(countdown=30 * 2 ** self.request.retries)


@shared_task(name="tasks_app.run_alert_checks", ignore_result=True, soft_time_limit=120, time_limit=150)
def run_alert_checks():
    if checks.claim_turn(holder="beat-schedule"):
        checks.run_checks(check_workers=False)


@shared_task(name="tasks_app.apply_retention", ignore_result=True)
def apply_retention():
    retention.apply_retention()
