"""POST /api/tasks/import and GET/POST /api/tasks/export: the YAML catalogue over HTTP, never a server path."""
import json

import pytest
import yaml
from django.core.files.uploadedfile import SimpleUploadedFile

from tasks_app.api.testing import make_user, token_client
from tasks_app.models import AuditLog, TaskDefinition
from tasks_app.testing import make_definition

pytestmark = pytest.mark.django_db

DOCUMENT = """
version: "1.0"
tasks:
  - task_id: hourly_task
    task_name: 每小时任务
    task_type: cron
    task_function: noop
    schedule: {schedule_type: cron, cron_expression: "0 * * * *"}
"""
BROKEN = """
tasks:
  - task_id: bad
    task_name: bad
    task_type: cron
    task_function: nope
"""


def test_import_a_raw_yaml_body(operator):
    response = operator.post("/api/tasks/import", DOCUMENT, content_type="application/x-yaml")
    assert response.status_code == 200, response.json()
    assert response.json()["created"] == ["hourly_task"] and response.json()["applied"] is True
    assert TaskDefinition.objects.get(task_id="hourly_task").cron_expression == "0 * * * *"
    assert AuditLog.objects.filter(action="import", interface="api").exists()


def test_import_an_uploaded_file_as_a_dry_run(operator):
    upload = SimpleUploadedFile("tasks.yaml", DOCUMENT.encode(), content_type="application/x-yaml")
    response = operator.post("/api/tasks/import", {"file": upload, "dry_run": "true"}, format="multipart")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["created"], body["dry_run"], body["applied"]) == (["hourly_task"], True, False)
    assert not TaskDefinition.objects.exists()


def test_import_json_content_or_a_json_document(operator):
    response = operator.post("/api/tasks/import?dry_run=1", {"content": DOCUMENT}, format="json")
    assert response.status_code == 200 and response.json()["dry_run"] is True
    document = yaml.safe_load(DOCUMENT)
    response = operator.post("/api/tasks/import", json.dumps(document), content_type="application/json")
    assert response.status_code == 200 and response.json()["created"] == ["hourly_task"]


def test_replace_deletes_tasks_missing_from_the_document():
    admin = token_client(make_user(superuser=True))
    make_definition("noop", task_id="old_one")
    response = admin.post("/api/tasks/import?replace=true", DOCUMENT, content_type="text/yaml")
    assert response.json()["deleted"] == ["old_one"]
    assert list(TaskDefinition.objects.values_list("task_id", flat=True)) == ["hourly_task"]


def test_an_invalid_document_is_a_400_listing_the_errors_and_writes_nothing(operator):
    response = operator.post("/api/tasks/import", BROKEN, content_type="application/x-yaml")
    assert response.status_code == 400
    errors = response.json()["errors"]["document"]
    assert any("tasks[0] (bad).task_function" in e for e in errors)
    assert not TaskDefinition.objects.exists()
    response = operator.post("/api/tasks/import", "tasks: [", content_type="application/x-yaml")
    assert response.status_code == 400 and "YAML syntax error" in response.json()["errors"]["document"][0]


def test_import_needs_a_document(operator):
    response = operator.post("/api/tasks/import", {"path": "/etc/passwd"}, format="json")
    assert response.status_code == 400 and "file" in response.json()["errors"]


def test_a_viewer_cannot_import():
    viewer = token_client(make_user("viewer"))
    assert viewer.post("/api/tasks/import", DOCUMENT, content_type="application/x-yaml").status_code == 403


def test_export_downloads_the_catalogue_by_get_and_post(operator):
    make_definition("noop", task_id="exported", schedule_type="cron", cron_expression="5 4 * * *")
    for method in (operator.get, operator.post):
        response = method("/api/tasks/export")
        assert response.status_code == 200
        assert response["Content-Disposition"] == 'attachment; filename="tasks.yaml"'
        document = yaml.safe_load(response.content)
        assert document["tasks"][0]["task_id"] == "exported"
        assert document["tasks"][0]["schedule"]["cron_expression"] == "5 4 * * *"


def test_export_then_import_round_trips(operator):
    make_definition("sleep", task_id="round", params={"seconds": 2}, tags=["a"])
    text = operator.get("/api/tasks/export").content.decode()
    TaskDefinition.objects.all().delete()
    assert operator.post("/api/tasks/import", text, content_type="application/x-yaml").json()["created"] == ["round"]
    assert operator.get("/api/tasks/export").content.decode() == text


def test_replace_needs_the_delete_permission(operator):
    make_definition("noop", task_id="old_one")
    response = operator.post("/api/tasks/import?replace=true&dry_run=true", DOCUMENT, content_type="text/yaml")
    assert response.status_code == 403
    assert TaskDefinition.objects.filter(task_id="old_one").exists()
