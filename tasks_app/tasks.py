"""Celery entry points. Thin: parse, call one function. Names are stable: beat stores them."""
import logging
import os
import socket

from celery import Task, shared_task
from celery.exceptions import TimeLimitExceeded

from . import control, dispatch, groups, runner

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
    control.reap_lost_executions()
