"""Every schedule kind through a real beat and worker: once, start/end windows, and cron in a
non-default time zone across a daylight-saving change (beat and worker on a shifted clock)."""
import datetime
import glob
import time

import pytest
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from tasks_app.catalogue_yaml import import_catalogue
from tasks_app.models import Status, TaskExecution, Trigger
from tasks_app.testing import make_definition, wait_until

pytestmark = pytest.mark.django_db(transaction=True)
UTC = datetime.timezone.utc
FAKETIME = sorted(glob.glob("/usr/lib/*/faketime/libfaketime.so.1"))


def _scheduled(task):
    return TaskExecution.objects.filter(task=task, trigger=Trigger.SCHEDULE)


def test_a_once_task_fires_once_then_shows_as_done(start_worker, start_beat):
    at = (timezone.now() + datetime.timedelta(seconds=4)).replace(microsecond=0)
    task = make_definition("noop", schedule_type="once", start_time=at, timezone="America/New_York")
    assert task.next_run_times() == [at] and "(done)" not in task.describe_schedule(lang="en")
    start_worker()
    start_beat()
    run = wait_until(lambda: _scheduled(task).filter(status=Status.SUCCESS).first(), timeout=30,
                     message="the one run")
    assert run.scheduled_for == at
    time.sleep(4)  # beat has had several more ticks
    assert _scheduled(task).count() == 1
    task.refresh_from_db()
    assert task.next_run_times() == [] and task.describe_schedule(lang="en").endswith("(done)")


def test_a_past_once_is_reported_on_import():
    report = import_catalogue("""
tasks:
  - task_id: "late_once"
    task_name: "late"
    task_type: "manual"
    task_function: "noop"
    timezone: "America/New_York"
    schedule: {schedule_type: "once", start_time: "2020-01-02 09:30:00"}
""", dry_run=True)
    assert report.ok, report.errors
    assert report.warnings == [
        "tasks[0] (late_once).schedule.start_time: 2020-01-02T09:30:00-05:00 is in the past: this one-off run "
        "is due at once and follows misfire_policy (skip) as a missed slot"]


def test_an_interval_runs_only_inside_its_start_end_window(start_worker, start_beat):
    now = timezone.now().replace(microsecond=0)
    start, end = now + datetime.timedelta(seconds=5), now + datetime.timedelta(seconds=10)
    task = make_definition("noop", schedule_type="interval", interval_seconds=1, start_time=start, end_time=end)
    start_worker()
    start_beat()
    wait_until(lambda: timezone.now() > end + datetime.timedelta(seconds=4), timeout=30, message="the window to pass")
    slots = sorted(_scheduled(task).values_list("scheduled_for", flat=True))
    assert len(slots) >= 3, "it ran inside the window"
    assert slots[0] >= start and slots[-1] <= end, (start, end, slots)
    assert not _scheduled(task).exclude(status=Status.SUCCESS).exists()


def _clock_at(moment):
    """Environment that shifts a process's clock so that it reads ``moment`` now (libfaketime)."""
    offset = int((moment - timezone.now()).total_seconds())
    return {"LD_PRELOAD": FAKETIME[0], "FAKETIME": f"{offset:+d}", "FAKETIME_NO_CACHE": "1"}


DST_CASES = {
    # 2026-03-08 02:00 EST New York jumps to 03:00 EDT: 03:00 local is 07:00 UTC that day (08:00 UTC
    # would be an hour late), and "every 20 minutes" has no 02:xx slots at all.
    "spring": (datetime.datetime(2026, 3, 8, 6, 59, 45, tzinfo=UTC), ("0 3 * * *", "*/20 * * * *"),
               datetime.datetime(2026, 3, 8, 7, 0, tzinfo=UTC), "03:00 EDT"),
    # 2026-11-01 02:00 EDT falls back to 01:00 EST: an hourly job runs in the repeated hour too
    # (celery's own crontab skipped it and fired at 02:00 EST).
    "autumn": (datetime.datetime(2026, 11, 1, 5, 59, 45, tzinfo=UTC), ("0 * * * *",),
               datetime.datetime(2026, 11, 1, 6, 0, tzinfo=UTC), "01:00 EST"),
}


@pytest.mark.skipif(not FAKETIME, reason="needs libfaketime (make install-test installs it)")
@pytest.mark.parametrize("case", list(DST_CASES))
def test_cron_in_new_york_fires_at_local_time_across_a_dst_change(start_worker, start_beat, case):
    before, expressions, slot, local = DST_CASES[case]
    tasks = [make_definition("noop", schedule_type="cron", cron_expression=e, timezone="America/New_York")
             for e in expressions]
    PeriodicTask.objects.filter(name__in=[f"mystocks:task:{t.task_id}" for t in tasks]).update(
        last_run_at=before - datetime.timedelta(seconds=30))
    clock = _clock_at(before)
    start_worker(extra_env=clock)
    start_beat(extra_env=clock)
    for task in tasks:
        run = wait_until(lambda: _scheduled(task).filter(status=Status.SUCCESS).first(), timeout=45,
                         message=f"{task.cron_expression} to fire")
        assert run.scheduled_for == slot
        assert run.scheduled_for.astimezone(task.tz).strftime("%H:%M %Z") == local
        assert run.lag is not None and 0 <= run.lag < 30
        assert task.next_run_times(n=1, after=slot)[0] > slot
