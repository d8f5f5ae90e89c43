"""The Django admin: changelists without N+1 queries, read-only executions with logs, actions."""
import pytest
from django.urls import reverse
from django.utils import timezone

from tasks_app.models import Status, TaskDefinition, TaskExecution
from tasks_app.testing import make_definition

pytestmark = pytest.mark.django_db


@pytest.fixture
def populated():
    tasks = [make_definition("noop", schedule_type="cron", cron_expression="0 16 * * 1-5") for _ in range(15)]
    now = timezone.now()
    TaskExecution.objects.bulk_create(
        TaskExecution(task=t, status=Status.SUCCESS, created_at=now, finished_at=now, log="hello <b>log</b>")
        for t in tasks for _ in range(5)
    )
    return tasks


def test_the_task_changelist_query_count_does_not_grow_with_rows(admin_client, populated,
                                                                 django_assert_max_num_queries):
    with django_assert_max_num_queries(12):
        response = admin_client.get(reverse("admin:tasks_app_taskdefinition_changelist"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "每个工作日 16:00" in body and '<span class="ms-status ms-status-success">成功</span>' in body


def test_the_execution_changelist_and_detail_show_status_and_escaped_log(admin_client, populated,
                                                                        django_assert_max_num_queries):
    with django_assert_max_num_queries(10):
        response = admin_client.get(reverse("admin:tasks_app_taskexecution_changelist"))
    assert response.status_code == 200
    execution = TaskExecution.objects.first()
    detail = admin_client.get(reverse("admin:tasks_app_taskexecution_change", args=[execution.pk]))
    assert detail.status_code == 200 and "hello &lt;b&gt;log&lt;/b&gt;" in detail.content.decode()


def test_admin_actions_pause_and_disable_through_the_services(admin_client, populated):
    ids = [t.pk for t in populated[:2]]
    url = reverse("admin:tasks_app_taskdefinition_changelist")
    admin_client.post(url, {"action": "pause", "_selected_action": ids})
    assert TaskDefinition.objects.filter(pk__in=ids, paused=True).count() == 2
    admin_client.post(url, {"action": "disable", "_selected_action": ids})
    assert TaskDefinition.objects.filter(pk__in=ids, enabled=False).count() == 2
    response = admin_client.post(url, {"action": "run_now", "_selected_action": ids}, follow=True)
    assert "已禁用" in response.content.decode()  # the admin speaks the request's language (zh-hans)


def test_an_invalid_cron_is_refused_by_the_admin_form(admin_client):
    response = admin_client.post(reverse("admin:tasks_app_taskdefinition_add"), {
        "task_id": "bad_cron", "task_name": "bad", "task_type": "cron", "job": "noop", "params": "{}",
        "priority": 500, "timeout": 60, "retry_count": 0, "retry_delay": 60, "tags": "[]", "dependencies": "[]",
        "queue": "default", "concurrency_policy": "skip", "misfire_grace": 300, "schedule_type": "cron",
        "cron_expression": "0 25 * * *", "timezone": "Asia/Shanghai", "enabled": "on", "stop_on_error": "on",
    })
    assert response.status_code == 200
    assert "不是有效的 cron 表达式" in response.content.decode()
    assert not TaskDefinition.objects.filter(task_id="bad_cron").exists()
