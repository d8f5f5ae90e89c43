"""Users in the roles the data migration creates, and clients logged in as them.

API tests use the token clients (``admin``, ``operator``, ``viewer``); page tests use the session
clients (``operator_client``, ``viewer_client``, and pytest-django's superuser ``admin_client``).
"""
import pytest
from django.core.cache import cache, caches

from tasks_app.api.testing import make_user, token_client
from tasks_app.health import forget_cached_health


@pytest.fixture
def operator_user():
    return make_user("operator")


@pytest.fixture
def viewer_user():
    return make_user("viewer")


@pytest.fixture
def admin():
    return token_client(make_user(superuser=True))


@pytest.fixture
def operator(operator_user):
    return token_client(operator_user)


@pytest.fixture
def viewer(viewer_user):
    return token_client(viewer_user)


@pytest.fixture
def operator_client(client, operator_user):
    client.force_login(operator_user)
    return client


@pytest.fixture
def viewer_client(client, viewer_user):
    client.force_login(viewer_user)
    return client


@pytest.fixture(autouse=True)
def _empty_cache():
    """The dashboard caches chart days and upcoming slots per process; each test starts without them."""
    cache.clear()
    forget_cached_health()
    throttle = caches["throttle"]
    if hasattr(throttle, "_cache"):  # Redis: clear() would flush the whole database, the broker's keys too
        client = throttle._cache.get_client(None, write=True)
        for key in client.scan_iter(match=f"{throttle.key_prefix}*"):
            client.delete(key)
    else:
        throttle.clear()


@pytest.fixture(autouse=True)
def _loopback_receivers_allowed(settings):
    """The tests' webhook receivers listen on 127.0.0.1, which channels refuse unless allow-listed."""
    settings.MYSTOCKS_ALERT_ALLOWED_NETWORKS = ["127.0.0.1/32"]
