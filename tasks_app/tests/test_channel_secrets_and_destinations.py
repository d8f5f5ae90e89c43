"""Channel secrets are write-only everywhere, and channel requests cannot be pointed inward."""
import logging
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.contrib.auth.models import Permission, User
from django.urls import reverse

from tasks_app.alerts import delivery
from tasks_app.alerts.testing import RecordingServer
from tasks_app.models import AlertDelivery, NotificationChannel

pytestmark = pytest.mark.django_db

TOKEN = "SECRETTOKEN0123456789abcdef"
SIGNING = "SECsigning0123456789abcdef"


def _closed_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _channel(url, kind="dingtalk", secret=SIGNING):
    return NotificationChannel.objects.create(name=f"c{NotificationChannel.objects.count()}", kind=kind, url=url,
                                              secret=secret)


def test_a_loopback_destination_is_refused_without_the_allow_list(settings):
    settings.MYSTOCKS_ALERT_ALLOWED_NETWORKS = []
    with RecordingServer() as server:
        result = delivery.send_test_message(_channel(server.url("/robot/send", f"access_token={TOKEN}")))
        assert result.status == AlertDelivery.State.FAILED
        assert "destination refused" in result.error
        assert server.received() == []


@pytest.mark.parametrize("url", ["http://169.254.169.254/latest/meta-data/", "http://127.0.0.1:6379/",
                                 "http://[::1]:8080/", "http://10.0.0.5/hook", "http://localhost:5432/"])
def test_the_admin_refuses_an_internal_literal_address(admin_client, settings, url):
    settings.MYSTOCKS_ALERT_ALLOWED_NETWORKS = []
    response = admin_client.post(reverse("admin:tasks_app_notificationchannel_add"),
                                 {"name": "inward", "kind": "webhook", "enabled": "on", "recipients": "[]", "url": url})
    assert response.status_code == 200 and "internal address" in response.content.decode()
    assert not NotificationChannel.objects.exists()


class _Redirecting(BaseHTTPRequestHandler):
    hits = []

    def do_POST(self):
        self.hits.append(("POST", self.path))
        self.send_response(302)
        self.send_header("Location", "/elsewhere")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_GET(self):
        self.hits.append(("GET", self.path))
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args):
        pass


def test_redirects_are_not_followed():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Redirecting)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{httpd.server_address[1]}/hook"
        result = delivery.send_test_message(_channel(url, kind="webhook"))
    finally:
        httpd.shutdown()
        httpd.server_close()
    assert result.status == AlertDelivery.State.FAILED and "redirects are not followed" in result.error
    assert _Redirecting.hits == [("POST", "/hook")]


def test_the_test_action_shows_a_generic_failure_and_never_the_token(admin_client, caplog):
    channel = _channel(f"http://127.0.0.1:{_closed_port()}/robot/send?access_token={TOKEN}")
    with caplog.at_level(logging.WARNING):
        response = admin_client.post(reverse("admin:tasks_app_notificationchannel_changelist"),
                                     {"action": "send_test_message", "_selected_action": [channel.pk]}, follow=True)
    page = response.content.decode()
    assert "could not connect" in page
    stored = AlertDelivery.objects.get(channel=channel)
    for text in (page, stored.error, caplog.text):
        assert TOKEN not in text and SIGNING not in text
        assert "Connection refused" not in text and "Errno" not in text


def test_a_refusal_body_is_not_shown():
    with RecordingServer(answers={"/hook": (500, {"internal": "secret page content"})}) as server:
        result = delivery.send_test_message(_channel(server.url("/hook"), kind="webhook"))
    assert result.error == "HTTP 500"


def test_a_staff_user_with_view_permission_never_sees_the_url_token_or_secret(client):
    channel = _channel(f"https://oapi.dingtalk.com/robot/send?access_token={TOKEN}")
    viewer = User.objects.create_user("channel_viewer", password=None, is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_notificationchannel"))
    client.force_login(viewer)
    for url in (reverse("admin:tasks_app_notificationchannel_change", args=[channel.pk]),
                reverse("admin:tasks_app_notificationchannel_changelist")):
        response = client.get(url)
        assert response.status_code == 200
        page = response.content.decode()
        assert TOKEN not in page and SIGNING not in page, url
        assert "oapi.dingtalk.com" in page  # the masked address is still shown
