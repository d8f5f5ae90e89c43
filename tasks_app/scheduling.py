"""Task and group schedules in django-celery-beat. The only module that imports django_celery_beat.

Definitions are the source of truth; each one's PeriodicTask is upserted under a deterministic
name (never delete-all-and-recreate, which would reset beat's last-run bookkeeping). Every
PeriodicTask calls the same entry point with an id; beat holds no other logic.
"""
import datetime
import json
import logging
import os
import socket
import time
import zoneinfo

from celery import schedules as celery_schedules
from celery.beat import BeatLazyFunc
from croniter import croniter
from django.conf import settings
from django.db import DatabaseError
from django.utils import timezone
from django_celery_beat.models import (
    ClockedSchedule,
    CrontabSchedule,
    IntervalSchedule,
    PeriodicTask,
    PeriodicTasks,
)
from django_celery_beat.schedulers import DatabaseScheduler, ModelEntry

from .models import ServiceHeartbeat
from .slots import EPOCH, interval_slot

RUN_TASK_ENTRY = "tasks_app.run_scheduled"
RUN_GROUP_ENTRY = "tasks_app.run_scheduled_group"
# The engine's own housekeeping, installed by beat at start-up and visible in the admin:
# name -> (Celery task name, interval in seconds).
BUILTIN_SCHEDULES = {
    "mystocks:reap-lost-executions": ("tasks_app.reap_lost_executions", settings.MYSTOCKS_REAPER_INTERVAL),
    # Also run by a timer in every worker and beat process (tasks_app.monitor), so a dead
    # beat is noticed; this entry covers deployments that disable that timer.
    "mystocks:alert-checks": ("tasks_app.run_alert_checks", settings.MYSTOCKS_ALERT_CHECK_INTERVAL),
    "mystocks:retention": ("tasks_app.apply_retention", 24 * 3600),
}
BEAT_HEARTBEAT_EVERY = 5
logger = logging.getLogger(__name__)


def periodic_task_name(definition):
    return f"mystocks:task:{definition.task_id}"


def group_periodic_task_name(group):
    return f"mystocks:group:{group.group_id}"


def sync_periodic_task(definition):
    """Create, update or remove the PeriodicTask of a task definition to match it."""
    _upsert(
        name=periodic_task_name(definition), owner=definition, entry=RUN_TASK_ENTRY,
        kwargs={"task_id": definition.task_id},
        enabled=definition.enabled and not definition.paused,
        description=definition.task_name,
    )


def sync_group_periodic_task(group):
    """Create, update or remove the PeriodicTask of a task group to match it."""
    _upsert(
        name=group_periodic_task_name(group), owner=group, entry=RUN_GROUP_ENTRY,
        kwargs={"group_id": group.group_id}, enabled=group.enabled, description=group.group_name,
    )


def remove_periodic_task(definition):
    PeriodicTask.objects.filter(name=periodic_task_name(definition)).delete()


def remove_group_periodic_task(group):
    PeriodicTask.objects.filter(name=group_periodic_task_name(group)).delete()


def schedules_changed():
    """Tell a running beat to reload (bulk paths bypass PeriodicTask's save signal)."""
    PeriodicTasks.update_changed()


def _upsert(*, name, owner, entry, kwargs, enabled, description):
    schedule = _schedule_fields(owner)
    if schedule is None:
        PeriodicTask.objects.filter(name=name).delete()
        return
    start_time = getattr(owner, "start_time", None)
    PeriodicTask.objects.update_or_create(
        name=name,
        defaults={
            "task": entry, "kwargs": json.dumps(kwargs), "enabled": enabled,
            "description": description, "one_off": owner.schedule_type == "once",
            "start_time": start_time if owner.schedule_type != "once" else None,
            "expires": getattr(owner, "end_time", None), **schedule,
        },
    )


def _schedule_fields(owner):
    empty = {"crontab": None, "interval": None, "clocked": None, "solar": None}
    if owner.schedule_type == "cron":
        minute, hour, day_of_month, month_of_year, day_of_week = owner.cron_expression.split()
        crontab, _ = CrontabSchedule.objects.get_or_create(
            minute=minute, hour=hour, day_of_month=day_of_month, month_of_year=month_of_year,
            day_of_week=day_of_week, timezone=owner.timezone,
        )
        return {**empty, "crontab": crontab}
    if owner.schedule_type == "interval":
        interval, _ = IntervalSchedule.objects.get_or_create(
            every=owner.interval_seconds, period=IntervalSchedule.SECONDS,
        )
        return {**empty, "interval": interval}
    if owner.schedule_type == "once":
        clocked, _ = ClockedSchedule.objects.get_or_create(clocked_time=owner.start_time)
        return {**empty, "clocked": clocked}
    return None


class GridSchedule(celery_schedules.schedule):
    """An interval that fires on a grid anchored at the task's start time.

    Celery's own interval counts from the last firing, so it drifts and two beats fire at
    unrelated moments; on a fixed grid each firing maps to one slot that every beat agrees on.
    """

    def __init__(self, run_every, *, anchor, **kwargs):
        super().__init__(run_every, **kwargs)
        self.anchor = anchor

    def _slot(self, moment):
        return interval_slot(moment, every=self.seconds, anchor=self.anchor)

    def remaining_estimate(self, last_run_at):
        next_slot = self._slot(last_run_at) + self.run_every
        return next_slot - self.now()

    def is_due(self, last_run_at):
        now = self.now()
        current = interval_slot(now, every=self.seconds, anchor=self.anchor)
        # No tolerance here: fire at or after the grid point, never before it.
        if now < current:
            current -= self.run_every
        wait = max((current + self.run_every - now).total_seconds(), 0.01)
        return celery_schedules.schedstate(current > self._slot(last_run_at), wait)


class CronSlotSchedule(celery_schedules.schedule):
    """A cron schedule that fires on the slots the engine computes (croniter on aware times).

    Celery's crontab works on wall-clock fields and disagrees with the engine across a daylight-
    saving change: in autumn it skips the repeated hour of an hourly job, and in spring it fires a
    02:30 job at 03:30 while its slot is 03:00 (a misfire). Firing on croniter's own slots keeps
    beat, ``slot_for``, the missed-run check and catch-up in agreement.
    """

    def __init__(self, expression, *, tz, **kwargs):
        super().__init__(datetime.timedelta(minutes=1), **kwargs)
        self.expression, self.tz = expression, tz

    def _next_slot(self, moment):
        return croniter(self.expression, moment.astimezone(self.tz)).get_next(datetime.datetime)

    def remaining_estimate(self, last_run_at):
        return self._next_slot(last_run_at) - self.now()

    def is_due(self, last_run_at):
        now = self.now()
        due = self._next_slot(last_run_at) <= now
        wait = (self._next_slot(now if due else last_run_at) - now).total_seconds()
        return celery_schedules.schedstate(due, max(wait, 0.01))


def _fired_at():
    return timezone.now().isoformat()


class SlotEntry(ModelEntry):
    """A beat entry that stamps each firing with its send time, so the slot is beat's, not the worker's."""

    def __init__(self, model, app=None):
        super().__init__(model, app=app)
        schedule = getattr(self, "schedule", None)
        if type(schedule) is celery_schedules.schedule:
            self.schedule = GridSchedule(
                schedule.run_every, anchor=model.start_time or EPOCH, app=self.app,
            )
        elif model.crontab is not None:
            cron = model.crontab
            self.schedule = CronSlotSchedule(
                f"{cron.minute} {cron.hour} {cron.day_of_month} {cron.month_of_year} {cron.day_of_week}",
                tz=zoneinfo.ZoneInfo(str(cron.timezone)), app=self.app,
            )
        if model.task in (RUN_TASK_ENTRY, RUN_GROUP_ENTRY):
            self.kwargs = {**getattr(self, "kwargs", {}), "fired_at": BeatLazyFunc(_fired_at)}


class SlotScheduler(DatabaseScheduler):
    """django-celery-beat's DatabaseScheduler with slot-stamped entries and the built-in schedules.

    Beat's heartbeat is not written here: ``install_heartbeat`` adds it to whatever scheduler
    class beat runs (this one, or django-celery-beat's own when started with ``-S``).
    """

    Entry = SlotEntry

    def setup_schedule(self):
        ensure_builtin_schedules()
        # django-celery-beat takes its first change marker only after the initial read, so an edit
        # committed during that read went unseen until its 5-minute full sync. Take it before.
        self._last_timestamp = PeriodicTasks.last_change() or EPOCH
        super().setup_schedule()


def ensure_builtin_schedules():
    """Create the engine's housekeeping PeriodicTasks if missing (an operator may disable them)."""
    for name, (task, seconds) in BUILTIN_SCHEDULES.items():
        if PeriodicTask.objects.filter(name=name).exists():
            continue
        interval, _ = IntervalSchedule.objects.get_or_create(every=seconds, period=IntervalSchedule.SECONDS)
        PeriodicTask.objects.create(name=name, task=task, interval=interval, description="MyStocks built-in")


def install_heartbeat(scheduler):
    """Make every pass of beat's ``scheduler`` loop write beat's heartbeat (at most every
    BEAT_HEARTBEAT_EVERY seconds), whatever the scheduler's class: the heartbeat then says the loop
    that fires schedules is turning, not only that the process is alive. Called on ``beat_init``."""
    tick = scheduler.tick
    last = None
    detail = {"pid": os.getpid(), "host": socket.gethostname(),
              "scheduler": f"{type(scheduler).__module__}.{type(scheduler).__qualname__}"}

    def tick_with_heartbeat(*args, **kwargs):
        nonlocal last
        now = time.monotonic()
        if last is None or now - last >= BEAT_HEARTBEAT_EVERY:
            try:
                record_heartbeat("beat", detail=detail)
                last = now
            except DatabaseError:  # the database is away; the scheduler's own pass will say so
                logger.exception("could not record beat's heartbeat")
        return tick(*args, **kwargs)

    scheduler.tick = tick_with_heartbeat
    return scheduler


def record_heartbeat(name, *, detail=None):
    ServiceHeartbeat.objects.update_or_create(name=name, defaults={"beat_at": timezone.now(), "detail": detail or {}})


