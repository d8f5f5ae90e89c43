"""Helpers for tests of jobs and of the engine: run a job through the real runner in-process."""
import itertools
import time

from .catalogue import save_task_definition
from .dispatch import merge_params
from .models import TaskDefinition, TaskExecution, Trigger
from .runner import run_execution

_counter = itertools.count(1)


def make_definition(job_name, *, params=None, **fields):
    """Save a definition of ``job_name`` (validated like any other save) and return it."""
    n = next(_counter)
    fields.setdefault("task_id", f"test_{job_name}_{n}")
    fields.setdefault("task_name", f"test {job_name} {n}")
    return save_task_definition(TaskDefinition(job=job_name, params=params or {}, **fields))


def run_job_inline(job_name, params=None, **definition_fields):
    """Create a definition for ``job_name`` and run one execution through the runner in this process.

    Returns the finished TaskExecution. Use with ``django_db(transaction=True)``: the runner's
    heartbeat thread has its own database connection.
    """
    definition = make_definition(job_name, params=params, **definition_fields)
    return run_definition_inline(definition)


def run_definition_inline(definition, params=None):
    execution = TaskExecution.objects.create(
        task=definition, trigger=Trigger.MANUAL, params=merge_params(definition, params),
    )
    run_execution(execution.pk)
    execution.refresh_from_db()
    return execution


def wait_until(predicate, timeout=30, interval=0.2, message="condition"):
    """Poll ``predicate`` until it returns something truthy; return that value."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {message}")
