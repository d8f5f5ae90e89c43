"""/api/tasks/statistics/, /api/tasks/health, token auth, the schema and docs, error shapes, throttling."""
import pytest
from rest_framework.test import APIClient

from tasks_app import stats
from tasks_app.api.testing import make_user, token_client
from tasks_app.models import Status, TaskExecution
from tasks_app.testing import make_definition

pytestmark = pytest.mark.django_db


def test_statistics_per_task_and_global(viewer):
    task = make_definition("noop", task_id="counted")
    for status, duration in ((Status.SUCCESS, 1), (Status.SUCCESS, 3), (Status.FAILED, 5)):
        TaskExecution.objects.create(task=task, status=status, duration=duration)
    make_definition("noop", task_id="idle")
    body = viewer.get("/api/tasks/statistics/").json()
    assert body["global"]["tasks"] == 2 and body["global"]["executions_today"] == 3
    assert body["global"]["success_rate_today"] == round(2 / 3, 4)
    rows = {row["task_id"]: row for row in body["tasks"]}
    assert (rows["counted"]["success"], rows["counted"]["failed"], rows["counted"]["max_duration"]) == (2, 1, 5)
    assert rows["idle"]["total"] == 0 and rows["idle"]["success_rate"] is None
    assert len(body["daily"]) == 14 and body["daily"][-1]["total"] == 3
    one = viewer.get("/api/tasks/statistics/?task_id=counted&days=3").json()
    assert [row["task_id"] for row in one["tasks"]] == ["counted"] and len(one["daily"]) == 3
    assert viewer.get("/api/tasks/statistics?task_id=nope").status_code == 404
    assert viewer.get("/api/tasks/statistics/?since=someday").status_code == 400


def test_health_is_public_and_not_shadowed_by_a_task_id():
    make_definition("noop", task_id="health")
    response = APIClient().get("/api/tasks/health")
    assert response.status_code in (200, 503)
    body = response.json()
    assert body["status"] in ("ok", "degraded", "down")
    assert body["database"]["ok"] is True


def test_a_token_is_obtained_with_username_and_password():
    user = make_user("viewer", username="analyst")
    response = APIClient().post("/api/auth/token", {"username": "analyst", "password": "pw-secret-123"}, format="json")
    assert response.status_code == 200
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    assert client.get("/api/tasks/").status_code == 200
    assert user.auth_token.key == response.json()["token"]
    bad = APIClient().post("/api/auth/token", {"username": "analyst", "password": "wrong"}, format="json")
    assert bad.status_code == 400 and bad.json()["errors"]


def test_schema_and_docs_are_public_and_served_offline():
    client = APIClient()
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    for path in ("/api/tasks/register", "/api/tasks/{task_id}/start", "/api/tasks/executions/{id}/log",
                 "/api/tasks/statistics", "/api/tasks/health", "/api/groups/{group_id}/start", "/api/jobs/"):
        assert any(p.rstrip("/") == path.rstrip("/") for p in paths), path
    for url in ("/api/docs", "/api/docs/"):
        page = client.get(url)
        assert page.status_code == 200
        html = page.content.decode()
        assert "swagger-ui" in html and "cdn.jsdelivr" not in html and "unpkg" not in html


def test_unknown_api_paths_and_methods_answer_json(viewer):
    response = viewer.get("/api/nothing/here")
    assert response.status_code == 404 and response.json()["detail"]
    response = viewer.put("/api/tasks/executions/", {}, format="json")
    assert response.status_code in (403, 405) and set(response.json()) == {"detail", "errors"}


def test_unexpected_errors_are_json_500(viewer, monkeypatch):
    def explode(**kwargs):
        raise RuntimeError("database on fire")

    monkeypatch.setattr(stats, "global_statistics", explode)
    response = viewer.get("/api/tasks/statistics/")
    assert response.status_code == 500
    assert response.json() == {"detail": "internal server error", "errors": {}}


def test_writes_are_throttled_per_user(settings):
    settings.MYSTOCKS_API_THROTTLE_WRITE = "2/min"
    make_definition("noop", task_id="t")
    client = token_client(make_user("operator"))
    codes = [client.post("/api/tasks/t/pause").status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    assert client.get("/api/tasks/t").status_code == 200  # reads are counted apart
    other = token_client(make_user("operator"))
    assert other.post("/api/tasks/t/resume").status_code == 200


def test_nul_characters_are_a_400_not_a_database_error(viewer):
    # Found by schemathesis: PostgreSQL refuses NUL in text, which used to surface as a 500.
    response = viewer.get("/api/tasks/statistics/", {"task_id": "a\x00b"})
    assert response.status_code == 400 and "query.task_id" in response.json()["errors"]
    operator = token_client(make_user("operator"))
    response = operator.post("/api/tasks/register", {"task_id": "x", "task_name": "n\x00", "task_type": "cron",
                                                      "task_function": "noop"}, format="json")
    assert response.status_code == 400 and "body.task_name" in response.json()["errors"]


def test_paths_with_control_characters_answer_json_404(viewer):
    # Found by schemathesis: a newline in the path slipped past the catch-all to Django's HTML page.
    response = viewer.get("/api/jobs/a%0Ab/")
    assert response.status_code == 404 and response["Content-Type"] == "application/json"


def test_the_browsable_api_renders_for_a_logged_in_user():
    client = APIClient()
    client.force_login(make_user("viewer"))
    response = client.get("/api/tasks/", HTTP_ACCEPT="text/html")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/html")
    assert b"Task" in response.content
