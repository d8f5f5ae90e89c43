"""System alerts: a stale beat heartbeat or no answering worker alerts once, inline, and recovers."""
import datetime

import pytest
from django.core import mail
from django.utils import timezone

from tasks_app.alerts.checks import check_system, claim_turn
from tasks_app.calendar import store_trading_days
from tasks_app.health import system_health
from tasks_app.models import (
    AlertIncident,
    AlertRule,
    CalendarCoverage,
    NotificationChannel,
    ServiceHeartbeat,
    TradingDay,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def email_rule(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.MYSTOCKS_BEAT_STALE_SECONDS = 30
    settings.MYSTOCKS_HEALTH_INSPECT_TIMEOUT = 0.3
    channel = NotificationChannel.objects.create(name="mail", kind="email", recipients=["ops@example.cn"])
    AlertRule.objects.create(name="default").channels.add(channel)


def _weekdays_known(until_days):
    """A calendar source covering today … today + ``until_days`` with every weekday open."""
    today = timezone.localdate()
    end = today + datetime.timedelta(days=until_days)
    days = [today + datetime.timedelta(days=i) for i in range(until_days + 1)]
    store_trading_days([d for d in days if d.weekday() < 5], start=today, end=end, source="test")


@pytest.fixture(autouse=True)
def calendar_known_ahead():
    """These tests are about beat and workers: the calendar must not be what alerts, whatever today is."""
    _weekdays_known(200)


def _beat_seconds_ago(seconds):
    ServiceHeartbeat.objects.update_or_create(
        name="beat", defaults={"beat_at": timezone.now() - datetime.timedelta(seconds=seconds)},
    )


def test_a_stale_beat_heartbeat_alerts_once_and_recovers():
    _beat_seconds_ago(5)
    check_system(check_workers=False)
    assert not AlertIncident.objects.exists()

    _beat_seconds_ago(300)
    check_system(check_workers=False)
    check_system(check_workers=False)
    incident = AlertIncident.objects.get(kind="beat_down")
    assert incident.is_open and incident.task is None
    assert len(mail.outbox) == 1, "sent inline (no worker needed), once"
    assert "调度器 (beat) 停止" in mail.outbox[0].subject and "300s ago" in mail.outbox[0].body

    _beat_seconds_ago(1)
    check_system(check_workers=False)
    incident.refresh_from_db()
    assert incident.resolved_at is not None
    assert mail.outbox[1].subject.startswith("【恢复】")


def test_no_answering_worker_alerts(settings):
    _beat_seconds_ago(1)
    result = check_system(check_workers=True)
    assert result == {"beat_ok": True, "calendar_ok": True, "workers": 0}
    assert AlertIncident.objects.get(kind="workers_down").is_open
    assert "没有 Worker 响应" in mail.outbox[0].subject


def test_only_one_process_gets_each_turn():
    now = timezone.now()
    assert claim_turn(every=30, now=now, holder="a") is True
    assert claim_turn(every=30, now=now + datetime.timedelta(seconds=5), holder="b") is False
    assert claim_turn(every=30, now=now + datetime.timedelta(seconds=28), holder="b") is True
    assert ServiceHeartbeat.objects.get(name="alert-checks").detail == {"holder": "b"}


def test_a_calendar_about_to_run_out_alerts_says_when_and_recovers(settings):

    _beat_seconds_ago(1)
    CalendarCoverage.objects.all().delete()
    TradingDay.objects.all().delete()
    _weekdays_known(20)  # about 15 trading days ahead: fewer than 30
    check_system(check_workers=False)
    incident = AlertIncident.objects.get(kind="calendar_ending")
    assert incident.is_open and "calendar ends in 20 days" in incident.detail
    assert "交易日历即将用尽" in mail.outbox[0].subject
    report = system_health(inspect_timeout=0.3)["calendar"]
    assert (report["ok"], report["days_left"]) == (False, 20) and report["future_trading_days"] < 30

    _weekdays_known(90)  # sync_trade_calendar brought the next months
    check_system(check_workers=False)
    incident.refresh_from_db()
    assert incident.resolved_at is not None and system_health(inspect_timeout=0.3)["calendar"]["ok"]
