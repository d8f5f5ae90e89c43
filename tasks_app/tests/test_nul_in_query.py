"""A NUL in a query parameter is refused with 400 naming the parameter, on every page and the
admin (PostgreSQL cannot hold NUL: each of these filters answered 500 before)."""
import pytest
from django.urls import reverse

from tasks_app.testing import make_definition

pytestmark = pytest.mark.django_db

URLS = [
    ("pages:task_list", {"q": "a\x00b"}),
    ("pages:task_list", {"tag": "\x00"}),
    ("pages:task_list", {"type": "cron\x00"}),
    ("pages:task_list", {"tab": "history", "task": "x\x00"}),
    ("admin:tasks_app_taskdefinition_changelist", {"q": "\x00"}),
    ("admin:tasks_app_taskdefinition_changelist", {"task_type": "a\x00b"}),
    ("admin:tasks_app_taskexecution_changelist", {"task__task_type": "\x00"}),
    ("market:stock_search", {"q": "60\x00"}),
]


@pytest.mark.parametrize(("name", "query"), URLS, ids=[f"{n}-{'-'.join(q)}" for n, q in URLS])
def test_a_nul_in_a_query_parameter_is_a_clear_400(admin_client, name, query):
    make_definition("noop", task_id="plain", tags=["daily"])
    response = admin_client.get(reverse(name), query, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    parameter = next(key for key, value in query.items() if "\x00" in value)
    assert response.content.decode() == f"query parameter {parameter} must not contain a NUL character"


def test_the_same_filters_without_nul_still_work(admin_client):
    make_definition("noop", task_id="plain", tags=["daily"])
    assert admin_client.get(reverse("pages:task_list"), {"q": "pla", "tag": "daily"}).status_code == 200


def test_the_api_keeps_its_own_json_error(viewer):
    response = viewer.get("/api/tasks/?search=a%00b")
    assert response.status_code == 400 and "must not contain NUL" in str(response.json())
