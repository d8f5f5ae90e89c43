"""Alerts through the real runner: one alert per incident after the last retry, then one recovery."""
import datetime

import pytest
from django.core import mail
from django.utils import timezone

from tasks_app.alerts import delivery
from tasks_app.alerts.incidents import check_long_runs
from tasks_app.catalogue import save_group, save_task_definition
from tasks_app.control import reap_lost_executions
from tasks_app.dispatch import dispatch_task
from tasks_app.lifecycle import execution_finished
from tasks_app.models import (
    AlertDelivery,
    AlertIncident,
    AlertRule,
    NotificationChannel,
    Status,
    TaskExecution,
    TaskGroup,
)
from tasks_app.runner import run_execution
from tasks_app.testing import make_definition, run_definition_inline

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def email_channel(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    return NotificationChannel.objects.create(name="ops mail", kind="email", recipients=["ops@example.cn"])


@pytest.fixture
def global_rule(email_channel):
    rule = AlertRule.objects.create(name="default")
    rule.channels.add(email_channel)
    return rule


def _alerts(task, event="alert"):
    return AlertDelivery.objects.filter(incident__task=task, event=event)


def _send_all():
    delivery.send_now(list(AlertDelivery.objects.filter(status="pending").values_list("pk", flat=True)))


def test_a_failing_task_alerts_once_after_its_last_retry(global_rule):
    task = make_definition("fail", params={"message": "quote source down"}, retry_count=1, retry_delay=1)
    first = run_definition_inline(task)
    assert first.status == Status.FAILED
    assert not _alerts(task).exists(), "an attempt that will be retried does not alert"

    retry = TaskExecution.objects.get(retry_of=first)
    run_execution(retry.pk)
    retry.refresh_from_db()
    assert (retry.status, retry.attempt) == (Status.FAILED, 2)
    (alert,) = _alerts(task)
    assert alert.incident.kind == "failure" and alert.incident.last_execution_id == retry.pk
    _send_all()
    (message,) = mail.outbox
    assert "quote source down" in message.body and f"/executions/{retry.pk}/" in message.body


def test_repeated_failures_count_on_the_open_incident_without_new_alerts(global_rule):
    task = make_definition("fail")
    runs = [run_definition_inline(task) for _ in range(3)]
    (incident,) = AlertIncident.objects.filter(task=task)
    assert incident.is_open and incident.occurrences == 3
    assert incident.first_execution_id == runs[0].pk and incident.last_execution_id == runs[-1].pk
    assert _alerts(task).count() == 1


def test_the_first_success_resolves_the_incident_and_sends_one_recovery(global_rule):
    task = make_definition("fail")
    run_definition_inline(task)
    run_definition_inline(task)
    _send_all()
    task.job, task.params = "noop", {}
    save_task_definition(task)
    assert run_definition_inline(task).status == Status.SUCCESS
    run_definition_inline(task)

    incident = AlertIncident.objects.get(task=task)
    assert incident.resolved_at is not None
    (recovery,) = _alerts(task, "recovery")
    _send_all()
    assert [m.subject.split(":")[0] for m in mail.outbox] == ["【告警】任务失败", "【恢复】任务失败 已恢复"]
    assert "累计次数: 2" in mail.outbox[1].body

    task.job, task.params = "fail", {}
    save_task_definition(task)
    run_definition_inline(task)
    assert AlertIncident.objects.filter(task=task, resolved_at__isnull=True).count() == 1
    assert _alerts(task).count() == 2, "a new failure after a recovery is a new incident"


def _timed_out_run(task):
    """A run killed at its hard time limit, ended by the reaper (the engine's path for lost runs)."""
    long_ago = timezone.now() - datetime.timedelta(seconds=task.timeout + 600)
    execution = TaskExecution.objects.create(task=task, trigger="manual", status=Status.RUNNING,
                                             started_at=long_ago, heartbeat_at=long_ago)
    assert reap_lost_executions() == [execution.pk]
    execution.refresh_from_db()
    return execution


def test_a_timeout_is_its_own_incident_and_respects_on_timeout(global_rule):
    task = make_definition("sleep", params={"seconds": 5}, timeout=1)
    assert _timed_out_run(task).status == Status.TIMEOUT
    assert AlertIncident.objects.get(task=task).kind == "timeout"
    assert _alerts(task).count() == 1

    global_rule.on_timeout = False
    global_rule.save()
    other = make_definition("sleep", params={"seconds": 5}, timeout=1)
    _timed_out_run(other)
    assert AlertIncident.objects.filter(task=other, kind="timeout").exists()
    assert not _alerts(other).exists(), "the rule does not want timeout alerts"


def test_the_most_specific_rules_choose_the_channels(global_rule, email_channel, settings):
    task_channel = NotificationChannel.objects.create(name="task hook", kind="webhook", url="http://127.0.0.1:9/x")
    group_channel = NotificationChannel.objects.create(name="group hook", kind="webhook", url="http://127.0.0.1:9/y")
    in_group, own_rule, plain = make_definition("fail"), make_definition("fail"), make_definition("fail")
    group = TaskGroup(group_id="nightly", group_name="nightly")
    save_group(group, [in_group.task_id, own_rule.task_id])
    AlertRule.objects.create(name="nightly", group=group).channels.add(group_channel)
    AlertRule.objects.create(name="own", task=own_rule).channels.add(task_channel)

    for task in (in_group, own_rule, plain):
        run_definition_inline(task)
    assert [d.channel for d in _alerts(in_group)] == [group_channel]
    assert [d.channel for d in _alerts(own_rule)] == [task_channel]
    assert [d.channel for d in _alerts(plain)] == [email_channel]


def test_a_cancelled_or_skipped_run_does_not_alert(global_rule):
    task = make_definition("noop", enabled=False)
    skipped = dispatch_task(task=task, trigger="schedule", scheduled_for=None)
    assert skipped.status == Status.SKIPPED
    assert not AlertIncident.objects.exists()


def test_without_rules_the_incident_is_kept_but_nothing_is_sent():
    task = make_definition("fail")
    run_definition_inline(task)
    assert AlertIncident.objects.get(task=task).is_open
    assert not AlertDelivery.objects.exists()


def test_a_run_longer_than_the_threshold_alerts_once_and_its_end_resolves_it(global_rule):
    global_rule.long_run_seconds = 60
    global_rule.save()
    task = make_definition("sleep")
    started = timezone.now() - datetime.timedelta(seconds=120)
    running = TaskExecution.objects.create(task=task, status=Status.RUNNING, started_at=started,
                                           heartbeat_at=timezone.now())
    short = make_definition("sleep")
    TaskExecution.objects.create(task=short, status=Status.RUNNING, started_at=timezone.now(),
                                 heartbeat_at=timezone.now())
    assert check_long_runs() == [running.pk]
    assert check_long_runs() == []
    incident = AlertIncident.objects.get(kind="long_run")
    assert incident.task == task and "threshold 60s" in incident.detail
    assert _alerts(task).count() == 1

    assert running.finish(Status.SUCCESS)
    execution_finished(running)
    incident.refresh_from_db()
    assert incident.resolved_at is not None
    assert _alerts(task, "recovery").count() == 1
