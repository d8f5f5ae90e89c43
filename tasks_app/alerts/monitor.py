"""A timer inside worker and beat processes that runs the alert checks, independent of beat's schedule.

A check scheduled by beat cannot notice that beat is dead, and a task on a worker cannot notice
that every worker is dead. So each worker (``worker_ready``) and each beat (``beat_init``) starts
a daemon thread that runs ``checks.run_checks`` every MYSTOCKS_ALERT_CHECK_INTERVAL seconds;
``checks.claim_turn`` keeps it to one process per interval. While either beat or one worker is
alive, missed runs and the other one's death are noticed. With both gone, nothing in this
system can notice: run ``manage.py check_alerts`` from cron or a systemd timer for that case.
"""
import logging
import os
import socket
import threading

from celery.signals import beat_init, worker_ready, worker_shutdown
from django.conf import settings
from django.db import close_old_connections, connection

from .. import health
from . import checks

logger = logging.getLogger(__name__)
_thread = None


class AlertMonitor(threading.Thread):
    def __init__(self, *, role, interval):
        super().__init__(name=f"alert-monitor-{role}", daemon=True)
        self.role, self.interval = role, interval
        self.stopped = threading.Event()
        self.holder = f"{role}:{socket.gethostname()}:{os.getpid()}"

    def run(self):
        # The first pass waits until a beat started along with this process has surely written
        # its heartbeat (``make run`` starts them together): no "beat down" alert at start-up.
        first_wait = max(self.interval, health.beat_stale_seconds())
        if not self.stopped.wait(first_wait):
            self.tick()
            while not self.stopped.wait(self.interval):
                self.tick()
        connection.close()

    def tick(self):
        close_old_connections()
        try:
            if checks.claim_turn(every=self.interval, holder=self.holder):
                # Inside a worker, the worker answers its own ping; only beat can see "no worker".
                checks.run_checks(check_workers=self.role == "beat")
        except Exception:  # the database may be away for a moment; try again next interval
            logger.exception("alert monitor pass failed")


def start(role):
    global _thread
    if not getattr(settings, "MYSTOCKS_ALERT_MONITOR", True) or (_thread and _thread.is_alive()):
        return None
    _thread = AlertMonitor(role=role, interval=checks.interval_seconds())
    _thread.start()
    logger.info("alert monitor started in %s (every %ss)", role, _thread.interval)
    return _thread


def stop():
    if _thread is not None:
        _thread.stopped.set()


@worker_ready.connect(dispatch_uid="tasks_app.alerts.monitor.worker")
def _on_worker_ready(sender=None, **kwargs):
    start("worker")


@beat_init.connect(dispatch_uid="tasks_app.alerts.monitor.beat")
def _on_beat_init(sender=None, **kwargs):
    start("beat")


@worker_shutdown.connect(dispatch_uid="tasks_app.alerts.monitor.shutdown")
def _on_worker_shutdown(sender=None, **kwargs):
    stop()
