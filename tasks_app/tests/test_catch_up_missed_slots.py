"""misfire_policy: slots missed while beat or the workers were down are caught up exactly once."""
import datetime
import time

import pytest
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from tasks_app import dispatch
from tasks_app.models import Status, TaskDefinition, TaskExecution, Trigger
from tasks_app.slots import slot_for
from tasks_app.testing import make_definition, wait_until

pytestmark = pytest.mark.django_db(transaction=True)


def _down_since(task, minutes):
    """As if the task existed and beat last fired it ``minutes`` ago, then everything stopped."""
    then = timezone.now() - datetime.timedelta(minutes=minutes)
    TaskDefinition.objects.filter(pk=task.pk).update(created_at=then, updated_at=then)
    PeriodicTask.objects.filter(name=f"mystocks:task:{task.task_id}").update(last_run_at=then)
    task.refresh_from_db()


def _away_from_the_minute():
    second = timezone.now().second
    if second < 3 or second > 45:
        time.sleep((63 - second) % 60)


def _catch_ups(task):
    return TaskExecution.objects.filter(task=task, trigger=Trigger.CATCH_UP)


def _every_minute(**fields):
    return make_definition("noop", schedule_type="cron", cron_expression="* * * * *", misfire_grace=1, **fields)


def test_beat_back_after_missed_slots_runs_one_catch_up_even_with_two_beats(start_worker, start_beat):
    task = _every_minute(misfire_policy="run_once", max_lateness=300)
    _down_since(task, 10)
    _away_from_the_minute()
    start_worker()
    start_beat()
    start_beat()
    run = wait_until(lambda: _catch_ups(task).filter(status=Status.SUCCESS).first(), timeout=30,
                     message="the catch-up run")
    time.sleep(3)  # both beats and the worker's sweep have had their go at the same gap
    assert _catch_ups(task).count() == 1
    slots = [datetime.datetime.fromisoformat(s) for s in run.covers_slots]
    assert len(slots) == 5, "slots within max_lateness (300 s) only, coalesced into one run"
    assert run.scheduled_for == max(slots)
    claimed = TaskExecution.objects.filter(task=task, trigger=Trigger.SCHEDULE, scheduled_for__in=slots)
    assert claimed.count() == 5
    assert all(f"caught up by execution #{run.pk}" in row.skip_reason for row in claimed)
    assert set(claimed.values_list("status", flat=True)) == {Status.SKIPPED}


def test_with_beat_still_down_the_workers_catch_up_on_their_own(start_worker):
    task = _every_minute(misfire_policy="run_once", max_lateness=150)
    _down_since(task, 10)
    start_worker()
    run = wait_until(lambda: _catch_ups(task).filter(status=Status.SUCCESS).first(), timeout=30,
                     message="the catch-up run")
    assert len(run.covers_slots) in (2, 3) and _catch_ups(task).count() == 1


def test_skip_keeps_the_old_behaviour(start_worker, start_beat):
    task = _every_minute()  # misfire_policy defaults to skip
    _down_since(task, 10)
    _away_from_the_minute()
    start_worker()
    start_beat()
    row = wait_until(lambda: TaskExecution.objects.filter(task=task, trigger=Trigger.SCHEDULE).first(),
                     timeout=20, message="the late firing")
    assert row.status == Status.SKIPPED and row.skip_reason.startswith("misfire:")
    assert "caught up" not in row.skip_reason and not _catch_ups(task).exists()


def _fire_late(task, *, seconds_late):
    """Beat fires, now, the slot in force ``seconds_late`` ago."""
    slot = slot_for(task, timezone.now() - datetime.timedelta(seconds=seconds_late))
    return dispatch.dispatch_scheduled(task_id=task.task_id, fired_at=slot.isoformat())


def test_run_all_runs_each_missed_slot_up_to_the_cap(settings):
    settings.MYSTOCKS_CATCH_UP_MAX_RUNS = 3
    task = make_definition("noop", schedule_type="cron", cron_expression="*/5 * * * *", misfire_grace=60,
                           misfire_policy="run_all", max_lateness=3600, concurrency_policy="allow")
    _down_since(task, 45)
    # The newest slot past the 60 s grace fires late (an older one would leave a newer missed slot
    # behind it whenever the test starts 1–2 minutes after a five-minute mark).
    fired = _fire_late(task, seconds_late=61)
    runs = list(_catch_ups(task).order_by("scheduled_for"))
    assert [len(r.covers_slots) for r in runs] == [1, 1, 1]
    assert runs[-1].scheduled_for == fired.scheduled_for
    rows = TaskExecution.objects.filter(task=task, trigger=Trigger.SCHEDULE)
    assert rows.count() >= 8
    assert rows.filter(skip_reason__contains="not caught up").count() == rows.count() - 3


def test_a_slot_later_than_max_lateness_is_not_caught_up():
    task = make_definition("noop", schedule_type="cron", cron_expression="*/5 * * * *", misfire_grace=60,
                           misfire_policy="run_once", max_lateness=120)
    _down_since(task, 45)
    fired = _fire_late(task, seconds_late=240)
    assert fired.status == Status.SKIPPED
    assert "older than max_lateness 120s: not caught up" in fired.skip_reason
    assert not _catch_ups(task).exists()
