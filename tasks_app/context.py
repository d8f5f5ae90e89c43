"""What a running job sees: ``ctx.log``, ``ctx.progress``, ``ctx.check_cancelled``, ``ctx.params``."""
import logging
import threading
from dataclasses import dataclass

from django.utils.translation import gettext as _


class JobCancelled(Exception):
    """Raised inside a job when a user asked to stop its execution."""


@dataclass(frozen=True)
class ExecutionInfo:
    id: int
    task_id: str
    attempt: int
    trigger: str
    scheduled_for: object


class JobContext:
    """Handed to every job as its first argument.

    Progress and cancellation are kept in memory and exchanged with the database by the
    runner's heartbeat, so a job may call ``progress`` in a tight loop without a query each time.
    """

    def __init__(self, *, execution, params, logger_name):
        self.execution = ExecutionInfo(
            id=execution.pk, task_id=execution.task.task_id, attempt=execution.attempt,
            trigger=execution.trigger, scheduled_for=execution.scheduled_for,
        )
        self.params = dict(params)
        self.log = logging.getLogger(logger_name)
        self._lock = threading.Lock()
        self._progress = None
        self._cancelled = threading.Event()

    def progress(self, done, total=None, message=""):
        """Report ``done`` of ``total`` units with an optional message; shown live on the execution."""
        with self._lock:
            self._progress = {"done": done, "total": total, "message": str(message)[:500]}

    def take_progress(self):
        with self._lock:
            progress, self._progress = self._progress, None
        return progress

    def request_cancel(self):
        self._cancelled.set()

    @property
    def cancel_requested(self):
        return self._cancelled.is_set()

    def check_cancelled(self):
        """Raise JobCancelled when a stop was requested; long jobs call this between units of work."""
        if self._cancelled.is_set():
            raise JobCancelled(_("stopped by user"))
