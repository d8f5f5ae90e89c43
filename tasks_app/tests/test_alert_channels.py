"""Each channel kind delivers the rendered message; failures are recorded and do not block others."""
import base64
import hashlib
import hmac
import json

import pytest
from django.core import mail
from django.utils import timezone

from tasks_app.alerts import delivery
from tasks_app.alerts.testing import RecordingServer
from tasks_app.models import AlertDelivery, AlertIncident, NotificationChannel, Status, TaskExecution, Trigger
from tasks_app.testing import make_definition

pytestmark = pytest.mark.django_db


@pytest.fixture
def server():
    with RecordingServer(answers={
        "/broken": (500, {"error": "boom"}),
        "/dingtalk-refuses": (200, {"errcode": 310000, "errmsg": "sign not match"}),
    }) as srv:
        yield srv


@pytest.fixture
def failed_incident(settings):
    settings.MYSTOCKS_BASE_URL = "https://tasks.example.cn"
    task = make_definition("fail", task_name="同步日线")
    now = timezone.now()
    execution = TaskExecution.objects.create(
        task=task, trigger=Trigger.SCHEDULE, status=Status.FAILED, attempt=2, scheduled_for=now,
        started_at=now, finished_at=now, duration=1.5,
        error="RuntimeError: akshare timeout\nline 2\nline 3\nline 4\nline 5\nline 6 hidden",
    )
    return AlertIncident.objects.create(
        key=f"failure:{task.task_id}", kind="failure", task=task, first_execution=execution, last_execution=execution,
    )


def _channel(kind, **fields):
    return NotificationChannel.objects.create(name=f"{kind}-{NotificationChannel.objects.count()}", kind=kind, **fields)


def _deliver(incident, channel):
    # Outside a committed transaction the on_commit send does not run: attempt explicitly.
    (created,) = delivery.queue(incident=incident, event="alert", channels=[channel])
    delivery.attempt(created.pk)
    created.refresh_from_db()
    return created


def test_email_goes_to_every_recipient_with_the_error_and_links(failed_incident, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    channel = _channel("email", recipients=["ops@example.cn", "quant@example.cn"])
    result = _deliver(failed_incident, channel)
    assert result.status == AlertDelivery.State.SENT and result.attempts == 1 and result.sent_at
    (message,) = mail.outbox
    assert message.to == ["ops@example.cn", "quant@example.cn"]
    assert "任务失败" in message.subject and "同步日线" in message.subject
    assert "akshare timeout" in message.body and "line 5" in message.body
    assert "line 6 hidden" not in message.body, "only the error's first lines"
    execution_id = failed_incident.last_execution_id
    assert f"https://tasks.example.cn/executions/{execution_id}/" in message.body
    assert f"https://tasks.example.cn/admin/tasks_app/taskexecution/{execution_id}/change/" in message.body


def test_english_messages_follow_the_language_setting(failed_incident, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.MYSTOCKS_ALERT_LANGUAGE = "en"
    _deliver(failed_incident, _channel("email", recipients=["ops@example.cn"]))
    assert mail.outbox[0].subject.startswith("[ALERT] Task failed")
    assert "Error:" in mail.outbox[0].body


def test_generic_webhook_posts_the_documented_json_with_an_hmac_signature(failed_incident, server):
    channel = _channel("webhook", url=server.url("/hook"), secret="s3cret-key")
    assert _deliver(failed_incident, channel).status == "sent"
    (request,) = server.received("/hook")
    body = request["json"]
    assert body["event"] == "alert" and body["kind"] == "failure"
    assert body["task"]["task_id"] == failed_incident.task.task_id
    assert body["execution"]["id"] == failed_incident.last_execution_id
    assert body["execution"]["status"] == "failed" and body["execution"]["attempt"] == 2
    assert body["execution"]["url"].endswith(f"/executions/{failed_incident.last_execution_id}/")
    assert body["incident"]["id"] == failed_incident.pk
    expected = "sha256=" + hmac.new(b"s3cret-key", request["body"], hashlib.sha256).hexdigest()
    assert request["headers"]["X-MyStocks-Signature"] == expected


def test_dingtalk_sends_markdown_signed_as_dingtalk_specifies(failed_incident, server):
    secret = "SEC0123456789abcdef"
    channel = _channel("dingtalk", url=server.url("/robot/send", "access_token=tok123"), secret=secret)
    assert _deliver(failed_incident, channel).status == "sent"
    (request,) = server.received("/robot/send")
    assert request["query"]["access_token"] == ["tok123"]
    timestamp = request["query"]["timestamp"][0]
    # Verified independently of the sender's code: DingTalk's documented algorithm.
    digest = hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest()
    assert request["query"]["sign"][0] == base64.b64encode(digest).decode()
    body = request["json"]
    assert body["msgtype"] == "markdown"
    assert body["markdown"]["title"].startswith("【告警】")
    assert body["markdown"]["text"].startswith("### 【告警】任务失败")
    assert "> RuntimeError: akshare timeout" in body["markdown"]["text"]


def test_wecom_sends_markdown_content(failed_incident, server):
    channel = _channel("wecom", url=server.url("/cgi-bin/webhook/send", "key=abc"))
    assert _deliver(failed_incident, channel).status == "sent"
    body = server.received("/cgi-bin/webhook/send")[0]["json"]
    assert body["msgtype"] == "markdown"
    assert "同步日线" in body["markdown"]["content"]
    assert f"/executions/{failed_incident.last_execution_id}/" in body["markdown"]["content"]


def test_a_failing_channel_is_recorded_and_does_not_block_the_others(failed_incident, server, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    broken = _channel("webhook", url=server.url("/broken"))
    refusing = _channel("dingtalk", url=server.url("/dingtalk-refuses"))
    email = _channel("email", recipients=["ops@example.cn"])
    created = delivery.queue(incident=failed_incident, event="alert", channels=[broken, refusing, email])
    delivery.send_now([d.pk for d in created])
    by_channel = {d.channel_id: d for d in AlertDelivery.objects.all()}
    assert by_channel[broken.pk].status == "failed" and "HTTP 500" in by_channel[broken.pk].error
    assert by_channel[refusing.pk].status == "failed" and "310000" in by_channel[refusing.pk].error
    assert by_channel[email.pk].status == "sent"
    assert len(mail.outbox) == 1


def test_a_retried_delivery_counts_its_attempts(failed_incident, server):
    server.answers["/flaky"] = (503, {})
    (created,) = delivery.queue(
        incident=failed_incident, event="alert", channels=[_channel("webhook", url=server.url("/flaky"))],
    )
    assert delivery.attempt(created.pk) is False
    server.answers["/flaky"] = (200, {})
    assert delivery.attempt(created.pk) is True
    created.refresh_from_db()
    assert (created.status, created.attempts, created.error) == ("sent", 2, "")
    assert delivery.attempt(created.pk) is True
    assert len(server.received("/flaky")) == 2, "a sent delivery is never sent again"


def test_the_admin_sends_a_test_message_and_never_shows_secrets(admin_client, server):
    channel = _channel(
        "dingtalk", url=server.url("/robot/send", "access_token=verysecrettoken"), secret="SECtopsecret99",
    )
    response = admin_client.post(
        "/admin/tasks_app/notificationchannel/",
        {"action": "send_test_message", "_selected_action": [channel.pk]}, follow=True,
    )
    assert response.status_code == 200
    assert server.received("/robot/send")[0]["json"]["markdown"]["title"].startswith("【测试】")
    assert AlertDelivery.objects.get(channel=channel, event="test").status == "sent"
    for page in ("/admin/tasks_app/notificationchannel/", f"/admin/tasks_app/notificationchannel/{channel.pk}/change/"):
        html = admin_client.get(page).content.decode()
        assert "SECtopsecret99" not in html and "verysecrettoken" not in html
        assert "et99" in html


def test_saving_the_admin_form_blank_keeps_the_stored_secret(admin_client, server):
    channel = _channel("dingtalk", url=server.url("/robot/send", "access_token=t"), secret="SECkeepme")
    response = admin_client.post(f"/admin/tasks_app/notificationchannel/{channel.pk}/change/", {
        "name": "renamed", "kind": "dingtalk", "enabled": "on", "recipients": json.dumps([]),
        "url": "", "secret": "",
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    channel.refresh_from_db()
    assert (channel.name, channel.secret) == ("renamed", "SECkeepme")
    assert channel.url.endswith("access_token=t")
