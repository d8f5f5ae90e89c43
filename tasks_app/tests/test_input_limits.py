"""Bad or huge input is refused with a 4xx naming the problem, before any work and without writing anything."""
import json

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from tasks_app import limits
from tasks_app.models import Status, TaskDefinition, TaskExecution
from tasks_app.pages.forms import TaskForm
from tasks_app.testing import make_definition

pytestmark = pytest.mark.django_db

TASK = """
version: "1.0"
tasks:
  - task_id: {task_id}
    task_name: t
    task_type: manual
    task_function: noop
{extra}
"""
# Nine strings, nine times nine … : 9**6 = 531,441 strings from 400 bytes of text.
BOMB = """
version: "1.0"
description: &a ["x","x","x","x","x","x","x","x","x"]
tasks:
  - task_id: bomb
    task_name: t
    task_type: manual
    task_function: noop
    tags: [&b [*a,*a,*a,*a,*a,*a,*a,*a,*a], &c [*b,*b,*b,*b,*b,*b,*b,*b,*b], &d [*c,*c,*c,*c,*c,*c,*c,*c,*c],
           &e [*d,*d,*d,*d,*d,*d,*d,*d,*d], [*e,*e,*e,*e,*e,*e,*e,*e,*e]]
"""


def test_an_alias_bomb_is_refused_before_validation_through_the_api(operator):
    response = operator.post("/api/tasks/import?dry_run=true", BOMB, content_type="application/x-yaml")
    assert response.status_code == 400
    assert "aliases are expanded" in json.dumps(response.json())
    assert not TaskDefinition.objects.exists()


def test_an_alias_bomb_is_refused_through_the_import_page(operator_client):
    upload = SimpleUploadedFile("bomb.yaml", BOMB.encode(), content_type="application/x-yaml")
    response = operator_client.post(reverse("pages:import_page"), {"file": upload})
    assert "aliases are expanded" in response.content.decode()
    assert not TaskDefinition.objects.exists()


def test_a_small_alias_still_works_and_a_recursive_one_is_refused(operator):
    small = TASK.format(task_id="aliased", extra="    tags: &t [a, b]\n    dependencies: []\n    description: ok")
    assert operator.post("/api/tasks/import", small, content_type="application/x-yaml").status_code == 200
    recursive = TASK.format(task_id="loop", extra="    tags: &t [a, *t]")
    response = operator.post("/api/tasks/import", recursive, content_type="application/x-yaml")
    assert response.status_code == 400 and "refers to itself" in json.dumps(response.json())


def test_deep_yaml_and_deep_json_are_a_400_not_a_crash(operator):
    deep_yaml = "tasks: " + "[" * 20000 + "]" * 20000
    response = operator.post("/api/tasks/import", deep_yaml, content_type="application/x-yaml")
    assert response.status_code == 400 and "nested deeper" in json.dumps(response.json())
    deep_json = '{"task_id": "deep", "params": ' + "[" * 100000 + "]" * 100000 + "}"
    response = operator.post("/api/tasks/register", deep_json, content_type="application/json")
    assert response.status_code == 400 and "nested deeper" in response.json()["detail"]


def test_a_yaml_nul_escape_is_refused_naming_the_field(operator):
    text = TASK.format(task_id="nul", extra='    description: "bad\\0value"')
    response = operator.post("/api/tasks/import", text, content_type="application/x-yaml", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert "tasks[0].description: must not contain NUL" in json.dumps(response.json())
    assert not TaskDefinition.objects.exists()


def test_a_body_over_the_limit_is_a_413_json_answer(operator, settings):
    settings.MYSTOCKS_MAX_REQUEST_BYTES = 10_000
    body = json.dumps({"task_id": "big", "description": "x" * 20_000})
    response = operator.post("/api/tasks/register", body, content_type="application/json")
    assert response.status_code == 413 and "too large" in response.json()["detail"]
    with translation.override("zh-hans"):  # answered before the request's language is chosen: the server's
        response = operator.post("/api/tasks/register", body, content_type="application/json")
    assert response.status_code == 413 and "请求体过大" in response.json()["detail"]


def test_an_import_over_two_megabytes_is_a_413(operator):
    text = TASK.format(task_id="huge", extra="    description: " + "x" * (limits.MAX_DOCUMENT_BYTES + 10))
    response = operator.post("/api/tasks/import?dry_run=true", text, content_type="application/x-yaml")
    assert response.status_code == 413
    assert not TaskDefinition.objects.exists()


@pytest.mark.parametrize("task_id", ["trailing\n", "a\nb"])
def test_ids_with_a_newline_are_refused_everywhere(operator, task_id):
    body = {"task_id": task_id, "task_name": "t", "task_type": "manual", "task_function": "noop"}
    assert operator.post("/api/tasks/register", body, format="json").status_code == 400
    text = TASK.format(task_id=json.dumps(task_id), extra="")
    assert operator.post("/api/tasks/import", text, content_type="application/x-yaml").status_code == 400
    with pytest.raises(ValidationError, match="task_id"):
        make_definition("noop", task_id=task_id)
    assert not TaskDefinition.objects.exists()


def test_params_larger_than_the_limit_are_refused(operator):
    make_definition("fail", task_id="failing")
    response = operator.post("/api/tasks/failing/start", {"params": {"message": "x" * (limits.MAX_PARAMS_BYTES + 1)}},
                             format="json")
    assert response.status_code == 400 and "params" in response.json()["errors"]
    assert not TaskExecution.objects.exists()


def test_an_execution_stores_its_error_traceback_and_result_capped():
    execution = TaskExecution.objects.create(task=make_definition("noop"), status=Status.RUNNING)
    execution.finish(Status.FAILED, error="e" * 2_400_000, traceback="t" * 2_400_000,
                     result={"rows": ["r" * 1000] * 3000})
    execution.refresh_from_db()
    assert len(execution.error) == limits.MAX_ERROR_CHARS and execution.error.endswith("[truncated]")
    assert len(execution.traceback) == limits.MAX_TRACEBACK_CHARS
    assert execution.result["truncated"] is True


@pytest.mark.parametrize("query", [
    "/api/tasks/executions/?group_run=12345678901234567890",
    "/api/tasks/statistics/?since=0001-01-01",
    "/api/tasks/statistics/?since=9999-12-31",
])
def test_out_of_range_queries_are_a_400(viewer, query):
    assert viewer.get(query).status_code == 400


def test_a_huge_page_number_renders_an_empty_page(viewer_client):
    make_definition("noop", task_id="paged")
    response = viewer_client.get(reverse("pages:task_list") + "?tab=history&page=4000000000000000000")
    assert response.status_code == 200


def test_nul_in_params_from_the_task_form_is_a_form_error_not_a_crash(admin_client):
    data = {**{name: field.initial for name, field in TaskForm().fields.items() if field.initial is not None},
            "task_id": "nul_form", "task_name": "t", "task_type": "manual", "job": "fail", "schedule_type": "none",
            "params_mode": "raw", "params_json": '{"message": "a\\u0000b"}', "tags": "x"}
    response = admin_client.post(reverse("pages:task_create"), data, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code in (200, 400)
    assert "must not contain NUL" in response.content.decode()
    assert not TaskDefinition.objects.filter(task_id="nul_form").exists()
