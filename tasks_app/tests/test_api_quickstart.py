"""The old task manager's quick-start, verbatim, against a running server (live_server + requests)."""
import pytest
import requests

from tasks_app.api.testing import make_user
from tasks_app.models import TaskExecution

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def token(live_server):
    make_user(superuser=True, username="quickstart")
    response = requests.post(f"{live_server.url}/api/auth/token",
                             json={"username": "quickstart", "password": "pw-secret-123"}, timeout=10)
    assert response.status_code == 200
    return response.json()["token"]


def test_the_quick_start_works_verbatim(live_server, token):
    base_url = f"{live_server.url}/api"
    headers = {"Authorization": f"Token {token}"}

    health = requests.get(f"{base_url}/tasks/health", timeout=30)
    assert health.status_code in (200, 503) and health.json()["database"]["ok"]

    assert requests.get(f"{base_url}/tasks/", headers=headers, timeout=10).status_code == 200
    assert requests.get(f"{base_url}/tasks/statistics/", headers=headers, timeout=10).status_code == 200

    task_config = {
        "task_id": "hourly_task",
        "task_name": "每小时任务",
        "task_type": "cron",
        "task_module": "app.tasks.example",
        "task_function": "noop",
        "schedule": {"schedule_type": "cron", "cron_expression": "0 * * * *", "enabled": True},
        "timeout": 600,
        "retry_count": 2,
    }
    response = requests.post(f"{base_url}/tasks/register", json=task_config, headers=headers, timeout=10)
    assert response.status_code == 201, response.text
    assert response.json()["task_id"] == "hourly_task"

    response = requests.post(f"{base_url}/tasks/hourly_task/start", headers=headers, timeout=10)
    assert response.status_code == 202, response.text
    execution_id = response.json()["execution_id"]
    assert TaskExecution.objects.get(pk=execution_id).task.task_id == "hourly_task"

    listed = requests.get(f"{base_url}/tasks/executions/", params={"task_id": "hourly_task"}, headers=headers,
                          timeout=10)
    assert [row["id"] for row in listed.json()["results"]] == [execution_id]
    requests.post(f"{base_url}/tasks/executions/{execution_id}/stop", headers=headers, timeout=10)


def test_anonymous_clients_are_refused_with_401(live_server):
    response = requests.get(f"{live_server.url}/api/tasks/", timeout=10)
    assert response.status_code == 401 and response.headers["WWW-Authenticate"] == "Token"
