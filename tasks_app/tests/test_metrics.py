"""/metrics: Prometheus text built from the database, with counters that survive roll-ups."""
import datetime

import pytest
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from tasks_app import stats
from tasks_app.models import (
    AlertDelivery,
    AlertIncident,
    NotificationChannel,
    ServiceHeartbeat,
    Status,
    TaskExecution,
    Trigger,
)
from tasks_app.testing import make_definition, run_definition_inline

pytestmark = pytest.mark.django_db(transaction=True)


def scrape(client, **headers):
    response = client.get("/metrics", **headers)
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/plain")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.content.decode())
        for sample in family.samples
    }


def value(samples, name, **labels):
    return samples.get((name, tuple(sorted(labels.items()))))


def test_counters_and_histograms_after_known_runs(client):
    good, bad = make_definition("noop"), make_definition("fail")
    runs = [run_definition_inline(good), run_definition_inline(good), run_definition_inline(bad)]
    assert [r.status for r in runs] == ["success", "success", "failed"]
    ServiceHeartbeat.objects.create(name="beat", beat_at=timezone.now() - datetime.timedelta(seconds=7))

    samples = scrape(client)
    assert value(samples, "mystocks_task_executions_total", task_id=good.task_id, status="success") == 2
    assert value(samples, "mystocks_task_executions_total", task_id=bad.task_id, status="failed") == 1
    assert value(samples, "mystocks_task_executions_total", task_id=bad.task_id, status="success") is None
    assert value(samples, "mystocks_task_duration_seconds_count", task_id=good.task_id) == 2
    assert value(samples, "mystocks_task_duration_seconds_bucket", task_id=good.task_id, le="+Inf") == 2
    assert value(samples, "mystocks_task_duration_seconds_bucket", task_id=good.task_id, le="60.0") == 2
    last = max(r.finished_at for r in runs[:2]).timestamp()
    assert value(samples, "mystocks_task_last_success_timestamp_seconds", task_id=good.task_id) == pytest.approx(last)
    assert 7 <= value(samples, "mystocks_beat_heartbeat_age_seconds") < 60


def test_running_executions_and_slot_lag(client):
    task = make_definition("noop")
    now = timezone.now()
    TaskExecution.objects.create(task=task, status=Status.RUNNING, started_at=now, heartbeat_at=now)
    for lag in (0.2, 3, 45):
        slot = now - datetime.timedelta(minutes=10, seconds=lag)
        TaskExecution.objects.create(
            task=task, trigger=Trigger.SCHEDULE, scheduled_for=slot, status=Status.SUCCESS,
            started_at=slot + datetime.timedelta(seconds=lag), finished_at=now, duration=1,
        )
    samples = scrape(client)
    assert value(samples, "mystocks_running_executions", task_id=task.task_id) == 1
    assert value(samples, "mystocks_slot_lag_seconds_count", task_id=task.task_id) == 3
    assert value(samples, "mystocks_slot_lag_seconds_bucket", task_id=task.task_id, le="0.5") == 1
    assert value(samples, "mystocks_slot_lag_seconds_bucket", task_id=task.task_id, le="5.0") == 2
    assert value(samples, "mystocks_slot_lag_seconds_bucket", task_id=task.task_id, le="60.0") == 3
    assert value(samples, "mystocks_slot_lag_seconds_sum", task_id=task.task_id) == pytest.approx(48.2)


def test_the_execution_counter_is_unchanged_by_rollups_and_deletes(client):
    task = make_definition("noop")
    old = timezone.now() - datetime.timedelta(days=3)
    for status in ("success", "success", "failed"):
        TaskExecution.objects.create(task=task, status=status, created_at=old, finished_at=old, duration=2)
    run_definition_inline(task)
    before = scrape(client)
    stats.roll_up_executions(before=stats.today())
    TaskExecution.objects.filter(created_at__lt=stats.day_start(stats.today())).delete()
    after = scrape(client)
    for status, count in (("success", 3), ("failed", 1)):
        key = ("mystocks_task_executions_total", tuple(sorted({"task_id": task.task_id, "status": status}.items())))
        assert before[key] == after[key] == count


def test_alerts_sent_and_open_incidents(client):
    channel = NotificationChannel.objects.create(name="m", kind="email", recipients=["a@example.cn"])
    incident = AlertIncident.objects.create(key="beat_down:system", kind="beat_down")
    AlertDelivery.objects.create(channel=channel, incident=incident, event="alert", status="sent")
    AlertDelivery.objects.create(channel=channel, incident=incident, event="alert", status="failed")
    samples = scrape(client)
    assert value(samples, "mystocks_alerts_sent_total", kind="beat_down", event="alert") == 1
    assert value(samples, "mystocks_open_incidents", kind="beat_down") == 1


def test_a_configured_token_is_required(client, settings):
    settings.MYSTOCKS_METRICS_TOKEN = "s3cret"
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 401
    scrape(client, HTTP_AUTHORIZATION="Bearer s3cret")
