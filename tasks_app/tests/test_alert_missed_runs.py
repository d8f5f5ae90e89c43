"""Missed runs are found from the definitions, with no beat running, alerted once and resolved."""
import datetime
import json
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from tasks_app.alerts import delivery
from tasks_app.alerts.missed import check_missed_runs, find_missed_slots, missed_slots
from tasks_app.catalogue import set_paused
from tasks_app.dispatch import dispatch_scheduled
from tasks_app.models import (
    AlertDelivery,
    AlertIncident,
    AlertRule,
    AuditLog,
    NotificationChannel,
    Status,
    TaskDefinition,
    TaskExecution,
    Trigger,
)
from tasks_app.testing import make_definition

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def email_rule(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.MYSTOCKS_MISSED_RUN_GRACE = 60
    channel = NotificationChannel.objects.create(name="mail", kind="email", recipients=["ops@example.cn"])
    AlertRule.objects.create(name="default").channels.add(channel)


def _defined_minutes_ago(minutes, **fields):
    task = make_definition("noop", schedule_type="cron", cron_expression="* * * * *", **fields)
    past = timezone.now() - datetime.timedelta(minutes=minutes)
    TaskDefinition.objects.filter(pk=task.pk).update(created_at=past, updated_at=past)
    AuditLog.objects.filter(target_type="task", target_id=task.task_id).update(created_at=past)
    return TaskDefinition.objects.get(pk=task.pk)


def _send_pending():
    delivery.send_now(list(AlertDelivery.objects.filter(status="pending").values_list("pk", flat=True)))


def test_slots_without_an_execution_are_missed_runs():
    task = _defined_minutes_ago(10)
    now = timezone.now()
    expected, missed = find_missed_slots(now=now)[task]
    # Defined 10 minutes ago, grace 1 minute: 8 or 9 whole-minute slots are due, none ran.
    assert 8 <= len(missed) <= 9 and missed == expected
    assert all(slot <= now - datetime.timedelta(seconds=60) for slot in missed)

    dispatch_scheduled(task_id=task.task_id, fired_at=missed[3].isoformat())
    _, still_missed = find_missed_slots(now=now)[task]
    assert missed[3] not in still_missed and len(still_missed) == len(missed) - 1


def test_a_missed_run_alerts_once_and_recovers_when_beat_fires_again():
    task = _defined_minutes_ago(10)
    assert check_missed_runs() == {task.task_id: pytest.approx(8, abs=1)}
    assert check_missed_runs()[task.task_id] >= 8
    incident = AlertIncident.objects.get(task=task, kind="missed_run")
    assert incident.is_open and incident.occurrences >= 8
    _send_pending()
    (message,) = mail.outbox
    assert "任务漏跑" in message.subject and task.task_name in message.subject

    # Beat is back: it fires the latest due slot.
    _, missed = find_missed_slots()[task]
    dispatch_scheduled(task_id=task.task_id, fired_at=missed[-1].isoformat())
    check_missed_runs()
    incident.refresh_from_db()
    assert incident.resolved_at is not None
    _send_pending()
    assert [m.subject[:4] for m in mail.outbox] == ["【告警】", "【恢复】"]

    check_missed_runs()
    assert AlertIncident.objects.filter(task=task).count() == 1, "slots of a resolved incident never alert again"


def test_paused_manual_and_new_tasks_have_no_missed_runs():
    paused = _defined_minutes_ago(10)
    set_paused([paused], True)
    make_definition("noop")
    fresh = make_definition("noop", schedule_type="cron", cron_expression="* * * * *")
    found = find_missed_slots()
    assert paused not in found
    assert found[fresh] == ([], [])
    assert check_missed_runs() == {}


def test_a_resumed_task_is_not_blamed_for_slots_while_it_was_paused():
    task = _defined_minutes_ago(10, paused=True)
    set_paused([task], False)
    assert check_missed_runs() == {}


def test_the_check_alerts_command_runs_the_checks(settings):
    task = _defined_minutes_ago(5)
    out = StringIO()
    call_command("check_alerts", "--no-workers", stdout=out)
    summary = json.loads(out.getvalue())
    assert task.task_id in summary["missed_runs"]
    assert summary["system"]["beat_ok"] is False
    assert AlertIncident.objects.filter(kind="beat_down", resolved_at__isnull=True).exists()


def test_a_slot_in_the_repeated_autumn_hour_that_ran_is_not_missed(settings):
    settings.MYSTOCKS_MISSED_RUN_GRACE = 60
    utc = datetime.timezone.utc
    task = make_definition("noop", schedule_type="cron", cron_expression="0 * * * *", timezone="America/New_York")
    for hour in (5, 6):  # 01:00 EDT, then 01:00 EST
        TaskExecution.objects.create(task=task, trigger=Trigger.SCHEDULE, status=Status.SUCCESS,
                                     scheduled_for=datetime.datetime(2026, 11, 1, hour, tzinfo=utc))
    expected, missed = missed_slots(task, since=datetime.datetime(2026, 11, 1, 4, 30, tzinfo=utc),
                                    now=datetime.datetime(2026, 11, 1, 6, 30, tzinfo=utc))
    assert len(expected) == 2 and missed == []
