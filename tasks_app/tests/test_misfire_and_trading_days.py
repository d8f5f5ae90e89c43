"""Scheduled slots that must not run are recorded as skipped with the reason."""
import datetime
import time

import pytest
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from tasks_app.calendar import is_trading_day, store_trading_days
from tasks_app.models import Status, TaskExecution, Trigger
from tasks_app.policies import upcoming_runs
from tasks_app.testing import make_definition, wait_until

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_slot_fired_after_beat_was_down_longer_than_the_grace_is_a_misfire(start_worker, start_beat):
    task = make_definition("noop", schedule_type="cron", cron_expression="* * * * *", misfire_grace=1)
    # Beat was down: its last firing is ten minutes old, so it catches up at start-up.
    PeriodicTask.objects.filter(name=f"mystocks:task:{task.task_id}").update(
        last_run_at=timezone.now() - datetime.timedelta(minutes=10))
    second = timezone.now().second
    if second < 3 or second > 55:
        time.sleep((63 - second) % 60)  # keep the catch-up firing well past its minute's slot
    start_worker()
    start_beat()
    row = wait_until(lambda: TaskExecution.objects.filter(task=task, trigger=Trigger.SCHEDULE).first(),
                     timeout=20, message="the catch-up firing")
    assert row.status == Status.SKIPPED
    assert row.skip_reason.startswith("misfire:") and "misfire_grace 1s" in row.skip_reason


def test_a_slot_on_a_non_trading_day_is_skipped(start_worker, start_beat):
    today = timezone.localdate()
    store_trading_days([], start=today, end=today, source="test")  # today: exchange closed
    assert not is_trading_day(today)
    task = make_definition("noop", schedule_type="interval", interval_seconds=1, trading_days_only=True)
    start_worker()
    start_beat()
    row = wait_until(lambda: TaskExecution.objects.filter(task=task, trigger=Trigger.SCHEDULE).first(),
                     timeout=20, message="a firing")
    assert row.status == Status.SKIPPED
    assert row.skip_reason == f"{today.isoformat()} is not a trading day"


def test_the_next_run_list_marks_slots_that_will_be_skipped():
    task = make_definition("noop", schedule_type="cron", cron_expression="0 16 * * *", trading_days_only=True)
    runs = upcoming_runs(task, n=7)
    assert len(runs) == 7
    for run in runs:
        day = run["at"].date()
        assert bool(run["skip_reason"]) == (not is_trading_day(day))
    assert any(run["skip_reason"] for run in runs), "a week always has a weekend"
