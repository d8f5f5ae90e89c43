"""Failed logins are throttled per username and per address at every login door, with a clear 429."""
import pytest
from django.contrib.auth.models import User
from django.core.cache import caches
from django.urls import reverse
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db

PASSWORD = "right-password-123"


@pytest.fixture
def alice():
    return User.objects.create_user("alice", password=PASSWORD, is_staff=True)


def _token(client, password, username="alice", address="10.0.0.1"):
    return client.post("/api/auth/token", {"username": username, "password": password}, format="json",
                       REMOTE_ADDR=address)


def test_the_token_endpoint_answers_429_after_five_failures_and_then_refuses_the_right_password(alice):
    client = APIClient()
    for _ in range(5):
        assert _token(client, "wrong").status_code == 400
    response = client.post("/api/auth/token", {"username": "alice", "password": PASSWORD}, format="json",
                           REMOTE_ADDR="10.0.0.1", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0 and "Too many failed logins" in response.json()["detail"]
    chinese = _token(client, PASSWORD)
    assert chinese.status_code == 429 and "登录失败次数过多" in chinese.json()["detail"]
    assert "token" not in response.json()


def test_the_admin_login_is_throttled_and_the_right_password_does_not_get_in(client, alice):
    url = reverse("admin:login")
    for _ in range(5):
        assert client.post(url, {"username": "alice", "password": "wrong"}).status_code == 200
    response = client.post(url, {"username": "alice", "password": PASSWORD, "next": "/admin/"})
    assert response.status_code == 429
    assert client.get("/admin/").status_code == 302  # still not logged in


def test_the_pages_login_shares_the_count_with_the_api(client, alice):
    for _ in range(5):
        _token(APIClient(), "wrong", address="10.0.0.2")
    response = client.post(reverse("login"), {"username": "alice", "password": PASSWORD}, REMOTE_ADDR="10.0.0.9")
    assert response.status_code == 429


def test_one_address_guessing_many_accounts_is_throttled(settings):
    for n in range(30):
        User.objects.create_user(f"u{n}", password=None)
        _token(APIClient(), "wrong", username=f"u{n}", address="10.0.0.3")
    User.objects.create_user("fresh", password=PASSWORD)
    assert _token(APIClient(), PASSWORD, username="fresh", address="10.0.0.3").status_code == 429
    assert _token(APIClient(), PASSWORD, username="fresh", address="10.0.0.4").status_code == 200


def test_a_user_with_a_few_mistakes_still_logs_in(alice):
    client = APIClient()
    for _ in range(4):
        _token(client, "wrong")
    assert _token(client, PASSWORD).status_code == 200


def test_the_counts_live_in_the_shared_cache_when_redis_is_configured(settings):
    if not settings.CELERY_BROKER_URL.startswith("redis"):
        pytest.skip("embedded broker: the throttle cache is per process")
    assert caches["throttle"].__class__.__name__ == "RedisCache"
