"""A timer inside worker and beat processes for what must not depend on beat's schedule.

A check scheduled by beat cannot notice that beat is dead, a task on a worker cannot notice
that every worker is dead, and beat started with another scheduler class (django-celery-beat's
own ``-S`` flag, as its documentation shows) never installs the engine's built-in schedules.
So each worker (``worker_ready``) and each beat (``beat_init``) starts a daemon thread that
runs, one process per interval each (``checks.claim_turn``):

- the engine's recovery sweep (``control.reap``: lost runs, unsent runs, missed slots to catch
  up) every MYSTOCKS_REAPER_INTERVAL seconds, always;
- the alert checks (``checks.run_checks``) every MYSTOCKS_ALERT_CHECK_INTERVAL seconds, unless
  MYSTOCKS_ALERT_MONITOR is false.

While either beat or one worker is alive, lost runs are recovered, and missed runs and the other
one's death are noticed. With both gone, nothing in this system can notice: run
``manage.py check_alerts`` from cron or a systemd timer for that case.

On ``beat_init`` the beat's scheduler, whatever its class, also gets its heartbeat
(``scheduling.install_heartbeat``), so health and the "beat down" alert work with ``-S`` too.
"""
import logging
import os
import socket
import threading
import time

from celery.signals import beat_init, worker_ready, worker_shutdown
from django.conf import settings
from django.db import close_old_connections, connection

from . import control, health, scheduling
from .alerts import checks

logger = logging.getLogger(__name__)
_thread = None
SWEEP_TURN = "engine-sweep"


class AlertMonitor(threading.Thread):
    def __init__(self, *, role, interval, sweep_interval=None, alerts=True):
        super().__init__(name=f"alert-monitor-{role}", daemon=True)
        self.role, self.interval, self.alerts = role, interval, alerts
        self.sweep_interval = sweep_interval or interval
        self.stopped = threading.Event()
        self.holder = f"{role}:{socket.gethostname()}:{os.getpid()}"

    def run(self):
        # The first alert pass waits until a beat started along with this process has surely
        # written its heartbeat (``make run`` starts them together): no "beat down" alert at start-up.
        alerts_from = time.monotonic() + max(self.interval, health.beat_stale_seconds())
        step = min(self.interval, self.sweep_interval)
        while not self.stopped.wait(step):
            self.sweep()
            if self.alerts and time.monotonic() >= alerts_from:
                self.tick()
        connection.close()

    def sweep(self):
        close_old_connections()
        try:
            if checks.claim_turn(every=self.sweep_interval, holder=self.holder, name=SWEEP_TURN):
                control.reap()
        except Exception:  # the database may be away for a moment; try again next interval
            logger.exception("recovery sweep failed")

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
    if _thread and _thread.is_alive():
        return None
    _thread = AlertMonitor(
        role=role, interval=checks.interval_seconds(), sweep_interval=settings.MYSTOCKS_REAPER_INTERVAL,
        alerts=getattr(settings, "MYSTOCKS_ALERT_MONITOR", True),
    )
    _thread.start()
    logger.info("monitor started in %s (recovery every %ss, alerts %s)", role, _thread.sweep_interval,
                f"every {_thread.interval}s" if _thread.alerts else "off")
    return _thread


def stop():
    if _thread is not None:
        _thread.stopped.set()


@worker_ready.connect(dispatch_uid="tasks_app.monitor.worker")
def _on_worker_ready(sender=None, **kwargs):
    start("worker")


@beat_init.connect(dispatch_uid="tasks_app.monitor.beat")
def _on_beat_init(sender=None, **kwargs):
    if sender is not None:  # the beat Service; its scheduler is built once and kept
        scheduling.install_heartbeat(sender.scheduler)
    start("beat")


@worker_shutdown.connect(dispatch_uid="tasks_app.monitor.shutdown")
def _on_worker_shutdown(sender=None, **kwargs):
    stop()
