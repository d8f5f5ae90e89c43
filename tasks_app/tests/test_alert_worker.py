"""Alerts with real worker and beat processes: the last retry alerts once; the monitor notices a dead beat."""
import datetime
import time

import pytest
from django.utils import timezone

from tasks_app.alerts.testing import RecordingServer
from tasks_app.dispatch import run_task_now
from tasks_app.health import check_beat
from tasks_app.models import AlertRule, AuditLog, NotificationChannel, Status, TaskDefinition, TaskExecution
from tasks_app.testing import make_definition, wait_until

pytestmark = pytest.mark.django_db(transaction=True)
# Beat writes its heartbeat every 5 s, so "stale" must be longer than that.
FAST_MONITOR = {"MYSTOCKS_ALERT_CHECK_INTERVAL": "1", "MYSTOCKS_BEAT_STALE_SECONDS": "8",
                "MYSTOCKS_MISSED_RUN_GRACE": "5"}


@pytest.fixture
def hook():
    with RecordingServer() as server:
        channel = NotificationChannel.objects.create(name="hook", kind="webhook", url=server.url("/hook"))
        AlertRule.objects.create(name="default").channels.add(channel)
        yield server


def _of_kind(server, kind, event="alert"):
    return [r["json"] for r in server.received("/hook") if r["json"]["kind"] == kind and r["json"]["event"] == event]


def test_a_task_failing_every_attempt_alerts_once_after_the_last_retry(start_worker, hook):
    task = make_definition("fail", params={"message": "no data from akshare"}, retry_count=1, retry_delay=1)
    start_worker()
    run_task_now(task=task)
    wait_until(lambda: TaskExecution.objects.filter(task=task, attempt=2).exclude(
        status__in=(Status.PENDING, Status.RUNNING)).exists(), timeout=40, message="second attempt finished")
    (alert,) = wait_until(lambda: _of_kind(hook, "failure"), timeout=20, message="failure alert")
    time.sleep(3)
    assert len(_of_kind(hook, "failure")) == 1, "one alert, not one per attempt"
    assert alert["execution"]["attempt"] == 2
    assert "no data from akshare" in alert["execution"]["error"]


def _backdate(task, minutes):
    """Pretend the task was defined ``minutes`` ago (its slots since then were due)."""
    past = timezone.now() - datetime.timedelta(minutes=minutes)
    TaskDefinition.objects.filter(pk=task.pk).update(created_at=past, updated_at=past)
    AuditLog.objects.filter(target_type="task", target_id=task.task_id).update(created_at=past)


def test_the_worker_notices_missed_runs_while_no_beat_runs(start_worker, hook):
    task = make_definition("noop", schedule_type="cron", cron_expression="* * * * *")
    _backdate(task, minutes=5)
    start_worker(extra_env=FAST_MONITOR)  # no beat process at all
    (alert,) = wait_until(lambda: _of_kind(hook, "missed_run"), timeout=30, message="missed-run alert")
    assert alert["task"]["task_id"] == task.task_id
    assert alert["incident"]["occurrences"] >= 4
    assert _of_kind(hook, "beat_down"), "the dead beat is reported too"
    time.sleep(3)
    assert len(_of_kind(hook, "missed_run")) == 1, "one alert per incident, not one per check"


def test_a_killed_beat_is_reported_and_its_return_recovers(start_worker, start_beat, hook):
    beat = start_beat(extra_env=FAST_MONITOR)
    start_worker(extra_env=FAST_MONITOR)
    wait_until(_fresh_beat, timeout=20, message="beat heartbeat")
    time.sleep(10)  # past the monitors' first pass (they wait the stale threshold, 8 s)
    assert not _of_kind(hook, "beat_down")
    beat.kill()
    (alert,) = wait_until(lambda: _of_kind(hook, "beat_down"), timeout=30, message="beat-down alert")
    assert alert["task"] is None and "heartbeat" in alert["incident"]["detail"]
    start_beat(extra_env=FAST_MONITOR)
    wait_until(lambda: _of_kind(hook, "beat_down", "recovery"), timeout=30, message="beat recovery")
    assert len(_of_kind(hook, "beat_down")) == 1


def _fresh_beat():
    return check_beat()["ok"]
