"""Users with the permissions the pages check, shared by the page tests (imported as fixtures)."""
import pytest
from django.contrib.auth.models import Permission

OPERATOR_PERMS = (
    "run_taskdefinition", "add_taskdefinition", "change_taskdefinition", "delete_taskdefinition",
    "delete_taskexecution",
)


def make_user(django_user_model, username, codenames=()):
    user = django_user_model.objects.create_user(username=username, password="pw-" + username)
    if codenames:
        user.user_permissions.set(Permission.objects.filter(content_type__app_label="tasks_app",
                                                            codename__in=codenames))
    return user


@pytest.fixture
def viewer(django_user_model):
    return make_user(django_user_model, "viewer")


@pytest.fixture
def operator(django_user_model):
    return make_user(django_user_model, "operator", OPERATOR_PERMS)


@pytest.fixture
def viewer_client(client, viewer):
    client.force_login(viewer)
    return client


@pytest.fixture
def operator_client(client, operator):
    client.force_login(operator)
    return client


@pytest.fixture(autouse=True)
def _empty_cache():
    """The dashboard caches chart days and upcoming slots per process; each test starts without them."""
    from django.core.cache import cache

    cache.clear()
