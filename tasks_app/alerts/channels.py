"""Sending one rendered message to one channel, per channel kind.

Every sender raises ``ChannelError`` (or a requests/SMTP error) on failure; recording the
outcome is ``delivery``'s job. HTTP calls have a timeout (settings.MYSTOCKS_ALERT_HTTP_TIMEOUT).

Generic webhook
---------------
``POST <url>`` with ``Content-Type: application/json`` and this body (UTF-8)::

    {
      "event": "alert" | "recovery" | "test",
      "kind": "failure" | "timeout" | "missed_run" | "long_run" | "beat_down" | "workers_down" | null,
      "title": "【告警】任务失败: 同步日线 …",
      "language": "zh" | "en",
      "task": {"task_id": "...", "task_name": "..."} | null,
      "incident": {"id": 1, "opened_at": ISO-8601, "resolved_at": ISO-8601 | null,
                   "occurrences": 3, "scheduled_for": ISO-8601 | null, "detail": "..."} | null,
      "execution": {"id": 42, "status": "failed", "attempt": 2, "trigger": "schedule",
                    "scheduled_for": …, "started_at": …, "finished_at": …, "duration": 1.5,
                    "error": "first lines of the error",
                    "url": "<MYSTOCKS_BASE_URL>/executions/42/",
                    "admin_url": "<MYSTOCKS_BASE_URL>/admin/tasks_app/taskexecution/42/change/"} | null
    }

With a channel secret, the header ``X-MyStocks-Signature: sha256=<hex HMAC-SHA256 of the body>``
lets the receiver check the sender. Any 2xx answer counts as delivered.

DingTalk robot: ``{"msgtype": "markdown", "markdown": {"title", "text"}}``; with a signing
secret, ``&timestamp=<ms>&sign=<urlencoded base64 HMAC-SHA256 of "timestamp\\nsecret">`` is
appended as DingTalk specifies. WeCom robot: ``{"msgtype": "markdown", "markdown": {"content"}}``.
Both answer HTTP 200 with ``{"errcode": 0}`` on success; any other errcode is a failure.
"""
import base64
import hashlib
import hmac
import json
import time
import urllib.parse

from django.conf import settings
from django.core.mail import send_mail

from . import outbound


class ChannelError(Exception):
    """The channel's server refused the message (the reason is in the message: a status or errcode, no body)."""


def send(channel, message):
    """Send ``message`` (see ``messages``) through ``channel``; raise on failure."""
    senders = {"email": send_email, "webhook": send_webhook, "dingtalk": send_dingtalk, "wecom": send_wecom}
    senders[channel.kind](channel, message)


def send_email(channel, message):
    send_mail(
        subject=message["title"], message=message["text"], from_email=None,
        recipient_list=list(channel.recipients), fail_silently=False,
    )


def _timeout():
    return getattr(settings, "MYSTOCKS_ALERT_HTTP_TIMEOUT", 10)


def _post_json(url, body, headers=None):
    data = json.dumps(body, ensure_ascii=False).encode("utf-8")
    response = outbound.post(
        url, data=data, timeout=_timeout(),
        headers={"Content-Type": "application/json; charset=utf-8", **(headers or {})},
    )
    if 300 <= response.status_code < 400:
        raise ChannelError(f"HTTP {response.status_code} (redirects are not followed)")
    if not 200 <= response.status_code < 300:
        # The status only: the body could be anything the destination says (or an internal page).
        raise ChannelError(f"HTTP {response.status_code}")
    return response


def webhook_signature(secret, body_bytes):
    return "sha256=" + hmac.new(secret.encode(), body_bytes, hashlib.sha256).hexdigest()


def send_webhook(channel, message):
    body = message["payload"]
    headers = {}
    if channel.secret:
        headers["X-MyStocks-Signature"] = webhook_signature(
            channel.secret, json.dumps(body, ensure_ascii=False).encode("utf-8"),
        )
    _post_json(channel.url, body, headers)


def dingtalk_sign(secret, timestamp_ms):
    """DingTalk's signature: base64(HMAC-SHA256(key=secret, msg="{timestamp}\\n{secret}")), urlencoded."""
    string_to_sign = f"{timestamp_ms}\n{secret}".encode("utf-8")
    digest = hmac.new(secret.encode("utf-8"), string_to_sign, hashlib.sha256).digest()
    return urllib.parse.quote_plus(base64.b64encode(digest))


def dingtalk_url(channel, timestamp_ms=None):
    if not channel.secret:
        return channel.url
    timestamp_ms = timestamp_ms or int(time.time() * 1000)
    joiner = "&" if "?" in channel.url else "?"
    return f"{channel.url}{joiner}timestamp={timestamp_ms}&sign={dingtalk_sign(channel.secret, timestamp_ms)}"


def send_dingtalk(channel, message):
    body = {"msgtype": "markdown", "markdown": {"title": message["title"], "text": message["markdown"]}}
    _check_errcode(_post_json(dingtalk_url(channel), body))


def send_wecom(channel, message):
    body = {"msgtype": "markdown", "markdown": {"content": message["markdown"]}}
    _check_errcode(_post_json(channel.url, body))


def _check_errcode(response):
    try:
        answer = response.json()
    except ValueError:
        raise ChannelError("not a JSON answer") from None
    if not isinstance(answer, dict):
        raise ChannelError("not a robot's answer")
    if answer.get("errcode", 0) != 0:
        raise ChannelError(f"errcode {answer.get('errcode')}: {str(answer.get('errmsg', ''))[:100]}")


def mask(value, keep=4):
    """Show only the last ``keep`` characters of a secret."""
    if not value:
        return ""
    return "•" * 6 + value[-keep:] if len(value) > keep else "•" * len(value)


def mask_url(url):
    """A robot URL with its query values (access_token, key) masked."""
    if not url:
        return ""
    parts = urllib.parse.urlsplit(url)
    query = "&".join(f"{k}={mask(v)}" for k, v in urllib.parse.parse_qsl(parts.query))
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, parts.path, query, ""))
