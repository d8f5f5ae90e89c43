"""The public health check says only each component's status; staff see the details; the probe is cached."""
import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from mystocks.celery import app
from tasks_app.api.testing import make_user, token_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def broker_down():
    """The broker unreachable at a host and port the probe's error names (as drivers do)."""
    old = app.conf.broker_url, app.conf.broker_write_url, app.conf.broker_read_url
    app.conf.broker_url = app.conf.broker_write_url = app.conf.broker_read_url = "redis://127.0.0.1:1/0"
    yield
    app.conf.broker_url, app.conf.broker_write_url, app.conf.broker_read_url = old


def test_anonymous_health_shows_status_per_component_only(broker_down):
    response = APIClient().get("/api/tasks/health")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "down"
    assert body["broker"] == {"ok": False, "status": "down"}
    assert body["database"] == {"ok": True, "status": "ok"}
    assert set(body) == {"status", "checked_at", "database", "broker", "beat", "workers"}
    assert "127.0.0.1" not in response.content.decode() and "redis" not in response.content.decode()


def test_viewers_get_the_summary_and_staff_get_the_details(broker_down):
    assert "127.0.0.1" not in token_client(make_user("viewer")).get("/api/tasks/health").content.decode()
    body = token_client(make_user(is_staff=True)).get("/api/tasks/health").json()
    assert "127.0.0.1" in body["broker"]["error"] and body["broker"]["transport"] == "redis"


def test_the_dashboard_health_fragment_hides_details_from_non_staff(broker_down, viewer_client):
    html = viewer_client.get(reverse("pages:dashboard_health")).content.decode()
    assert "127.0.0.1" not in html and "health-down" in html


def test_the_probe_is_cached_for_a_few_seconds(settings):
    settings.MYSTOCKS_HEALTH_CACHE_SECONDS = 60
    stamps = {APIClient().get("/api/tasks/health").json()["checked_at"] for _ in range(3)}
    assert len(stamps) == 1
