"""Jobs used only by the engine's tests; test workers load this module with ``--include``."""
import logging
import time
from pathlib import Path

from celery.exceptions import SoftTimeLimitExceeded

from tasks_app.control import stop_execution
from tasks_app.models import TaskExecution
from tasks_app.registry import Param, job


@job("test_write_after", params=[
    Param("seconds", "float", 5.0), Param("path", "str", ""), Param("ignore_soft_limit", "bool", False),
])
def write_after(ctx, seconds, path, ignore_soft_limit):
    """Sleep, then write ``path``: proves a timed-out job really stopped (the file never appears)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            time.sleep(0.1)
        except SoftTimeLimitExceeded:
            if not ignore_soft_limit:
                raise
            ctx.log.warning("ignoring the soft time limit")
    Path(path).write_text("written")
    return {"written": path}


@job("test_fail_until", params=[Param("succeed_on_attempt", "int", 3)])
def fail_until(ctx, succeed_on_attempt):
    """Fail every attempt before ``succeed_on_attempt``."""
    if ctx.execution.attempt < succeed_on_attempt:
        raise RuntimeError(f"attempt {ctx.execution.attempt} fails on purpose")
    return {"attempt": ctx.execution.attempt}


@job("test_returns_failed")
def returns_failed(ctx):
    """The old task manager's habit: report failure in the returned dict."""
    return {"status": "failed", "message": "upstream API returned nothing"}


@job("test_chatty", params=[Param("lines", "int", 100), Param("width", "int", 80)])
def chatty(ctx, lines, width):
    """Log many lines (log cap and truncation)."""
    other = logging.getLogger("some.library")
    for i in range(lines):
        (ctx.log if i % 2 else other).info("line %05d %s", i, "x" * width)
    return {"lines": lines}


@job("test_stopped_then_fails")
def stopped_then_fails(ctx):
    """A user stops the run just before it fails on its own (before a heartbeat could tell it)."""
    stop_execution(TaskExecution.objects.get(pk=ctx.execution.id), interface="test")
    raise RuntimeError("failed after the stop")
