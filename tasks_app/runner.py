"""The runner: the single try/except around a job (mark running, heartbeat, run, store, finish)."""
import json
import logging
import os
import signal
import socket
import threading
import time
import traceback as tb

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import InterfaceError, OperationalError, close_old_connections, connection
from django.utils.translation import gettext as _

from . import lifecycle
from .context import JobCancelled, JobContext
from .models import Status, TaskExecution
from .registry import UnknownJob

logger = logging.getLogger(__name__)
# ctx.log lines must reach the capture whatever level the worker's root logger runs at.
logging.getLogger("tasks_app.job").setLevel(logging.DEBUG)
TRUNCATION_MARKER = "\n[… log truncated: the limit of {limit} characters was reached; later lines are dropped]\n"
LOG_FORMAT = logging.Formatter("%(asctime)s %(levelname)s %(message)s")  # one for every run: it keeps no state


class LogCapture(logging.Handler):
    """Collects the job's log records (its own thread, or its ``ctx.log`` from any thread).

    Lines are buffered in memory and written to the execution by the heartbeat, so a chatty
    job costs one UPDATE per heartbeat, not one per line. The stored log is capped.
    """

    def __init__(self, *, thread_id, logger_name, limit):
        super().__init__(level=logging.DEBUG)
        self.thread_id, self.logger_name, self.limit = thread_id, logger_name, limit
        self.setFormatter(LOG_FORMAT)
        self._pending, self._written, self.truncated = [], 0, False
        self._buffer_lock = threading.Lock()

    def emit(self, record):
        if record.thread != self.thread_id and not record.name.startswith(self.logger_name):
            return
        try:
            line = self.format(record) + "\n"
        except Exception:  # a bad format string in a job's log call must not kill the job
            line = f"{record.levelname} {record.msg!r}\n"
        with self._buffer_lock:
            self._pending.append(line)

    def drain(self):
        """Return (text, truncated_now) to append: what is pending, within the cap."""
        with self._buffer_lock:
            lines, self._pending = self._pending, []
        if self.truncated or not lines:
            return "", False
        text = "".join(lines)
        room = self.limit - self._written
        if len(text) <= room:
            self._written += len(text)
            return text, False
        self.truncated = True
        return text[:max(room, 0)] + TRUNCATION_MARKER.format(limit=self.limit), True


class Heartbeats:
    """One long-lived thread per process beats for every execution this process is running.

    Each beat flushes the job's log and progress, refreshes heartbeat_at and picks up a stop
    request. A run registers on start and unregisters at its end; no thread is started per
    run. The thread is started on first use in each process (a forked pool child gets its own)
    and closes its database connection whenever no run is registered.
    """

    def __init__(self):
        self.reset()

    def reset(self):
        """A fresh state; also run in a forked child, which inherits no thread and maybe a held lock."""
        self._changed = threading.Condition()
        self._runs = {}
        self._thread = None
        self._idle_interval = None  # the shortest interval asked for; None: sleep until woken
        self._connected = False  # the thread has beaten since it last closed its connection

    def register(self, *, execution, ctx, capture, interval):
        """Beat for ``execution`` every ``interval`` seconds from now until it is unregistered.

        The thread is not woken: it never sleeps longer than one interval, so it wakes before
        the first beat of a run registered meanwhile is due (waking it per run cost a thread switch).
        """
        run = _BeatingRun(execution=execution, ctx=ctx, capture=capture, interval=interval)
        with self._changed:
            if self._thread is None:
                self._thread = threading.Thread(target=self._loop, name="execution-heartbeats", daemon=True)
                self._thread.start()
            if self._idle_interval is None or interval < self._idle_interval:  # the thread sleeps longer: wake it
                self._idle_interval = interval
                self._changed.notify()
            self._runs[execution.pk] = run
        return run

    def unregister(self, run):
        """Stop beating for ``run``; returns once a beat of it in progress has ended."""
        with self._changed:
            self._runs.pop(run.execution.pk, None)
            if not self._runs and self._connected:  # let the thread close its connection now
                self._changed.notify()
        run.end()

    def _loop(self):
        while True:
            runs, idle = self._next_round()
            if idle:
                connection.close()  # hold no database connection while no run needs one
            for run in runs:
                run.beat()

    def _next_round(self):
        """Wait until beats are due (returns those runs), or until the thread fell idle after beating."""
        with self._changed:
            while True:
                if not self._runs:
                    if self._connected:
                        self._connected = False
                        return [], True
                    self._changed.wait(self._idle_interval)
                    continue
                wait = min(run.due for run in self._runs.values()) - time.monotonic()
                if wait > 0:
                    self._changed.wait(wait)
                    continue
                self._connected = True
                return [run for run in self._runs.values() if run.due <= time.monotonic()], False


class _BeatingRun:
    def __init__(self, *, execution, ctx, capture, interval):
        self.execution, self.ctx, self.capture, self.interval = execution, ctx, capture, interval
        self.due = time.monotonic() + interval
        self.active = True
        self._lock = threading.Lock()

    def beat(self):
        with self._lock:
            if not self.active:
                return
            self.due = time.monotonic() + self.interval
            try:
                close_old_connections()
                self._beat()
            except Exception:  # a lost database connection must not end the heartbeats of later runs
                logger.exception("heartbeat of execution %s failed", self.execution.pk)
                connection.close()

    def _beat(self):
        flush(self.execution, self.ctx, self.capture)
        if self.execution.record_heartbeat() and not self.ctx.cancel_requested:
            self.ctx.request_cancel()
            timer = threading.Timer(settings.MYSTOCKS_CANCEL_GRACE_SECONDS, self.interrupt)
            timer.daemon = True
            timer.start()

    def end(self):
        with self._lock:
            self.active = False

    def interrupt(self):
        """A job that does not poll check_cancelled is interrupted like a soft time limit."""
        if not self.active:
            return
        if signal.getsignal(signal.SIGUSR1) in (signal.SIG_DFL, signal.SIG_IGN, None):
            return  # not inside a Celery prefork child: only cooperative cancellation
        os.kill(os.getpid(), signal.SIGUSR1)


HEARTBEATS = Heartbeats()
os.register_at_fork(after_in_child=HEARTBEATS.reset)


def flush(execution, ctx, capture):
    text, truncated = capture.drain()
    if text:
        execution.append_log(text, truncated=truncated)
    progress = ctx.take_progress()
    if progress:
        execution.record_progress(progress)


def run_execution(execution_id, *, worker_host=None, worker_pid=None):
    """Run one pending execution to its end in this process and record the outcome."""
    execution = _start(execution_id, worker_host=worker_host or socket.gethostname(),
                       worker_pid=worker_pid or os.getpid())
    if execution is None:
        return _not_started(execution_id)
    logger_name = f"tasks_app.job.{execution.task.job}"
    ctx = JobContext(execution=execution, params=execution.params, logger_name=logger_name)
    capture = LogCapture(
        thread_id=threading.get_ident(), logger_name=logger_name, limit=settings.MYSTOCKS_LOG_MAX_CHARS,
    )
    status, result, error, trace = _run_with_heartbeat(execution, ctx, capture)
    log_tail, truncated = capture.drain()
    execution.finish(status, result=result, error=error, traceback=trace, log_tail=log_tail,
                     log_truncated=truncated, progress=ctx.take_progress())
    lifecycle.execution_finished(execution)
    return execution


def _start(execution_id, *, worker_host, worker_pid):
    """``TaskExecution.start`` on a connection known to work, without a health-check round trip.

    Django would check a reused connection with a ``SELECT 1`` before each run's first query.
    Instead the start statement itself is the check: if it fails because the connection broke
    (the database restarted, an idle connection was cut), it is sent once more on a new
    connection. The start is conditional (pending and not cancelled), so sending it twice never
    starts a run twice; in the rare case where the first one was applied but its answer lost,
    the run is left running without heartbeats and the reaper recovers it.
    """
    close_old_connections()  # an obsolete connection, or one that saw an error, is closed or checked here
    connection.health_check_done = True  # no ping: the start below answers for the connection
    try:
        return TaskExecution.start(execution_id, worker_host=worker_host, worker_pid=worker_pid)
    except (InterfaceError, OperationalError):
        if connection.is_usable():
            raise  # the connection works: a genuine error of the statement
        logger.warning("database connection lost before starting execution %s; reconnecting", execution_id)
        connection.close()
        return TaskExecution.start(execution_id, worker_host=worker_host, worker_pid=worker_pid)


def _not_started(execution_id):
    """Not started (rare: a redelivery, a stop, a deleted run): say why in the worker's log."""
    execution = TaskExecution.objects.filter(pk=execution_id).first()
    if execution is None:
        logger.warning("execution %s no longer exists", execution_id)
    else:
        logger.info("execution %s not started: it is %s%s", execution_id, execution.status,
                    " (stop requested)" if execution.cancel_requested else "")
    return execution


def _run_with_heartbeat(execution, ctx, capture):
    root = logging.getLogger()
    root.addHandler(capture)
    run = HEARTBEATS.register(
        execution=execution, ctx=ctx, capture=capture, interval=settings.MYSTOCKS_HEARTBEAT_SECONDS,
    )
    try:
        return _call(execution, ctx)
    finally:
        HEARTBEATS.unregister(run)
        root.removeHandler(capture)


def _call(execution, ctx):
    """Returns (status, result, error, traceback); the one place a job's exceptions are caught."""
    try:
        spec = execution.task.job_spec
        params = spec.validate_params(execution.params)
        ctx.log.info("starting job %s (attempt %s) with params %s", spec.name, execution.attempt, params)
        result = spec.func(ctx, **params)
    except JobCancelled as exc:
        ctx.log.warning("cancelled: %s", exc)
        return Status.CANCELLED, None, str(exc) or _("stopped by user"), ""
    except SoftTimeLimitExceeded:
        if ctx.cancel_requested:
            ctx.log.warning("cancelled: stopped by user")
            return Status.CANCELLED, None, _("stopped by user"), ""
        ctx.log.error("timed out after %ss", execution.task.timeout)
        error = _("timed out after %(seconds)ss") % {"seconds": execution.task.timeout}
        return Status.TIMEOUT, None, error, tb.format_exc()
    except UnknownJob as exc:
        return Status.FAILED, None, str(exc), ""
    except Exception as exc:  # the job's failure, whatever it is, becomes the execution's error
        ctx.log.exception("failed: %s", exc)
        return Status.FAILED, None, f"{type(exc).__name__}: {exc}", tb.format_exc()
    return _interpret_result(ctx, result)


def _interpret_result(ctx, result):
    result = _json_safe(result)
    if isinstance(result, dict) and str(result.get("status", "")).lower() == "failed":
        error = str(result.get("error") or result.get("message") or _("job returned status failed"))
        ctx.log.error("failed: %s", error)
        return Status.FAILED, result, error, ""
    ctx.log.info("succeeded")
    return Status.SUCCESS, result, "", ""


def _json_safe(value):
    try:
        json.dumps(value)
        return value
    except (TypeError, ValueError):
        return json.loads(json.dumps(value, default=str))
