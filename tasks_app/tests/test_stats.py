"""Statistics come from the database, combine daily roll-ups with live executions, and survive cleanup."""
import datetime

import pytest
from django.utils import timezone

from tasks_app import stats
from tasks_app.models import DailyRollup, Status, TaskExecution
from tasks_app.testing import make_definition

pytestmark = pytest.mark.django_db


def _run(task, status, *, days_ago=0, duration=None, hour=10):
    created = stats.day_start(stats.today() - datetime.timedelta(days=days_ago)) + datetime.timedelta(hours=hour)
    finished = created + datetime.timedelta(seconds=duration or 0) if status not in ("pending", "running") else None
    return TaskExecution.objects.create(
        task=task, status=status, created_at=created, started_at=created, finished_at=finished, duration=duration,
    )


@pytest.fixture
def task():
    return make_definition("noop", schedule_type="cron", cron_expression="0 * * * *")


@pytest.fixture
def history(task):
    """Ten days of runs: every day a 10 s success, a 30 s failure and a skip; today also a timeout."""
    for days_ago in range(10):
        _run(task, Status.SUCCESS, days_ago=days_ago, duration=10)
        _run(task, Status.FAILED, days_ago=days_ago, duration=30)
        _run(task, Status.SKIPPED, days_ago=days_ago, duration=0)
    _run(task, Status.TIMEOUT, duration=60)
    return task


def _only(rows):
    assert len(rows) == 1
    return rows[0]


def test_it_counts_statuses_rates_and_durations_per_task(history):
    row = _only(stats.task_statistics(tasks=[history]))
    assert (row["total"], row["success"], row["failed"], row["timeout"], row["skipped"]) == (31, 10, 10, 1, 10)
    assert row["success_rate"] == round(10 / 21, 4)
    assert row["avg_duration"] == pytest.approx((10 * 10 + 10 * 30 + 60) / 21)
    assert row["max_duration"] == 60
    assert row["p50_duration"] == 30
    assert row["p95_duration"] == pytest.approx(30)
    assert row["last_status"] == Status.TIMEOUT
    assert row["next_run_at"] > timezone.now()


def test_percentiles_interpolate_like_percentile_cont(task):
    for seconds in (1, 2, 3, 4, 100):
        _run(task, Status.SUCCESS, duration=seconds)
    row = _only(stats.task_statistics(tasks=[task]))
    assert row["p50_duration"] == 3
    assert row["p95_duration"] == pytest.approx(4 + (100 - 4) * 0.8)
    runs = TaskExecution.objects.filter(task=task)
    assert stats._percentile_by_offset(runs, 5, 0.95) == pytest.approx(row["p95_duration"])


def test_a_task_without_finished_runs_has_no_rate(task):
    _run(task, Status.SKIPPED)
    _run(task, Status.RUNNING)
    row = _only(stats.task_statistics(tasks=[task]))
    assert row["total"] == 2 and row["success_rate"] is None and row["avg_duration"] is None


def test_statistics_survive_deleting_rolled_up_executions(history):
    before = _only(stats.task_statistics(tasks=[history]))
    daily_before = stats.daily_status_counts(days=10, task=history)
    cutoff = stats.today() - datetime.timedelta(days=3)
    assert stats.roll_up_executions(before=cutoff) == 6 * 3  # days 4…9 ago, three statuses
    TaskExecution.objects.filter(created_at__lt=stats.day_start(cutoff)).delete()
    after = _only(stats.task_statistics(tasks=[history]))
    for key in ("total", "success", "failed", "timeout", "skipped", "success_rate", "max_duration", "last_status"):
        assert after[key] == before[key], key
    assert after["avg_duration"] == pytest.approx(before["avg_duration"])
    assert stats.daily_status_counts(days=10, task=history) == daily_before


def test_rolling_up_twice_gives_the_same_numbers(history):
    cutoff = stats.today() - datetime.timedelta(days=2)
    stats.roll_up_executions(before=cutoff)
    first = list(DailyRollup.objects.order_by("day", "status").values("day", "status", "count", "total_duration"))
    TaskExecution.objects.filter(created_at__lt=stats.day_start(cutoff)).delete()
    assert stats.roll_up_executions(before=cutoff) == 0
    rollups = DailyRollup.objects.order_by("day", "status").values("day", "status", "count", "total_duration")
    assert list(rollups) == first
    assert DailyRollup.objects.get(day=cutoff - datetime.timedelta(days=1), status=Status.FAILED).total_duration == 30


def test_executions_left_before_the_watermark_are_not_counted_twice(history):
    stats.roll_up_executions(before=stats.today() - datetime.timedelta(days=5))
    assert _only(stats.task_statistics(tasks=[history]))["total"] == 31


def test_since_limits_the_window(history):
    row = _only(stats.task_statistics(tasks=[history], since=stats.today() - datetime.timedelta(days=1)))
    assert (row["total"], row["success"], row["timeout"]) == (7, 2, 1)


def test_daily_counts_fill_empty_days_in_the_time_zone(task):
    _run(task, Status.SUCCESS, days_ago=2, hour=23)  # late evening local time is still that local day
    days = stats.daily_status_counts(days=4, task=task)
    assert [d["day"] for d in days] == [stats.today() - datetime.timedelta(days=i) for i in (3, 2, 1, 0)]
    assert [d["success"] for d in days] == [0, 1, 0, 0]
    assert days[1]["total"] == 1


def test_global_statistics(history):
    make_definition("noop", enabled=False)
    _run(history, Status.RUNNING)
    figures = stats.global_statistics()
    assert (figures["tasks"], figures["enabled"], figures["running_now"]) == (2, 1, 1)
    assert figures["executions_today"] == 5
    assert figures["failures_today"] == 2
    assert figures["success_rate_today"] == round(1 / 3, 4)
    assert figures["success_rate_7d"] == round(7 / 15, 4)


def test_duration_trend_lists_recent_finished_runs_oldest_first(history):
    trend = stats.duration_trend(task=history, limit=3)
    assert [t["status"] for t in trend] == [Status.SUCCESS, Status.FAILED, Status.TIMEOUT]
    assert [t["duration"] for t in trend] == [10, 30, 60]


def test_readers_keep_the_live_window_short_without_changing_figures(history):
    before = _only(stats.task_statistics(tasks=[history]))
    stats.ensure_recent_rollups(live_days=3)
    assert stats.rollup_watermark() == stats.today() - datetime.timedelta(days=3)
    after = _only(stats.task_statistics(tasks=[history]))
    assert {k: after[k] for k in ("total", "success", "failed", "timeout", "skipped", "success_rate")} == \
        {k: before[k] for k in ("total", "success", "failed", "timeout", "skipped", "success_rate")}
    rows = DailyRollup.objects.count()
    stats.ensure_recent_rollups(live_days=3)
    assert DailyRollup.objects.count() == rows


def test_the_next_run_is_recomputed_after_an_edit(task):
    first = stats.next_run_at(task)
    task.cron_expression = "30 * * * *"
    task.save()
    assert stats.next_run_at(task) != first and stats.next_run_at(task).minute == 30
