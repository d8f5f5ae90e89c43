"""system_health() reports database, broker, beat heartbeat and workers, and never raises."""
import datetime

import pytest
from django.utils import timezone

from mystocks.celery import app
from tasks_app.health import system_health
from tasks_app.models import ServiceHeartbeat


def _beat(seconds_ago):
    ServiceHeartbeat.objects.update_or_create(
        name="beat", defaults={"beat_at": timezone.now() - datetime.timedelta(seconds=seconds_ago)},
    )


@pytest.mark.django_db
def test_a_missing_beat_heartbeat_and_no_worker_make_the_system_degraded(settings):
    report = system_health(inspect_timeout=0.3)
    assert report["database"]["ok"] is True
    assert report["database"]["latency_ms"] >= 0
    assert report["beat"] == {**report["beat"], "ok": False, "last_heartbeat": None, "age_seconds": None}
    assert report["workers"]["workers"] == []
    assert report["status"] == ("degraded" if report["broker"]["ok"] else "down")


@pytest.mark.django_db
def test_a_stale_beat_heartbeat_is_not_ok(settings):
    settings.MYSTOCKS_BEAT_STALE_SECONDS = 30
    _beat(seconds_ago=120)
    beat = system_health(inspect_timeout=0.3)["beat"]
    assert beat["ok"] is False
    assert beat["age_seconds"] >= 120

    _beat(seconds_ago=2)
    beat = system_health(inspect_timeout=0.3)["beat"]
    assert beat["ok"] is True
    assert beat["age_seconds"] < 30


@pytest.mark.django_db
def test_an_unreachable_broker_makes_the_system_down(settings):
    old = app.conf.broker_url, app.conf.broker_write_url, app.conf.broker_read_url
    app.conf.broker_url = app.conf.broker_write_url = app.conf.broker_read_url = "redis://127.0.0.1:1/0"
    try:
        report = system_health(inspect_timeout=0.3)
    finally:
        app.conf.broker_url, app.conf.broker_write_url, app.conf.broker_read_url = old
    assert report["broker"]["ok"] is False
    assert "error" in report["broker"]
    assert report["status"] == "down"


@pytest.mark.django_db(transaction=True)
def test_a_running_worker_and_fresh_beat_make_the_system_ok(start_worker):
    _beat(seconds_ago=1)
    start_worker(name="healthy")
    report = system_health(inspect_timeout=2.0)
    names = [w["name"] for w in report["workers"]["workers"]]
    assert any(name.startswith("healthy@") for name in names), report
    assert report["workers"]["workers"][0]["active"] == 0
    assert report["status"] == "ok", report
