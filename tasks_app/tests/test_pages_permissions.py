"""Pages: anonymous users go to the login page, viewers see no action buttons and get 403 on actions."""
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from tasks_app.models import AuditLog, Status, TaskExecution
from tasks_app.testing import make_definition

pytestmark = pytest.mark.django_db


@pytest.fixture
def task():
    return make_definition("noop", task_id="perm_task", task_name="权限测试")


@pytest.fixture
def execution(task):
    return TaskExecution.objects.create(task=task, status=Status.FAILED, error="boom")


def test_anonymous_users_are_sent_to_the_login_page(client, task, execution):
    for url in (reverse("pages:dashboard"), reverse("pages:task_list"),
                reverse("pages:task_detail", args=[task.task_id]),
                reverse("pages:execution_detail", args=[execution.pk]), reverse("pages:group_list"),
                reverse("pages:import_page"), reverse("pages:export_catalogue")):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("login")), url


def test_anonymous_post_to_an_action_runs_nothing(client, task):
    response = client.post(reverse("pages:task_run", args=[task.task_id]))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert not TaskExecution.objects.filter(task=task).exists()


def test_a_viewer_sees_the_pages_without_action_buttons(viewer_client, task, execution):
    for url in (reverse("pages:task_list"), reverse("pages:task_detail", args=[task.task_id])):
        html = viewer_client.get(url).content.decode()
        assert task.task_id in html
        for action in ("run", "stop", "pause", "delete"):
            assert reverse(f"pages:task_{action}", args=[task.task_id]) not in html, (url, action)
        assert reverse("pages:task_edit", args=[task.task_id]) not in html
    html = viewer_client.get(reverse("pages:dashboard")).content.decode()
    assert reverse("pages:task_create") not in html


@pytest.mark.parametrize("name", ["task_run", "task_stop", "task_pause", "task_resume", "task_delete",
                                  "task_toggle_enabled"])
def test_a_viewer_gets_403_on_task_actions(viewer_client, task, name):
    response = viewer_client.post(reverse(f"pages:{name}", args=[task.task_id]))
    assert response.status_code == 403
    task.refresh_from_db()
    assert task.enabled and not task.paused
    assert not TaskExecution.objects.filter(task=task).exists()


def test_a_viewer_gets_403_on_forms_stop_import_and_cleanup(viewer_client, task, execution):
    assert viewer_client.get(reverse("pages:task_create")).status_code == 403
    assert viewer_client.get(reverse("pages:task_edit", args=[task.task_id])).status_code == 403
    assert viewer_client.post(reverse("pages:execution_stop", args=[execution.pk])).status_code == 403
    assert viewer_client.post(reverse("pages:import_page")).status_code == 403
    assert viewer_client.post(reverse("pages:import_apply")).status_code == 403
    assert viewer_client.get(reverse("pages:cleanup_page")).status_code == 403
    assert viewer_client.post(reverse("pages:cleanup_apply"), {"days": 1}).status_code == 403
    assert TaskExecution.objects.filter(pk=execution.pk).exists()


def test_replacing_on_import_needs_the_delete_permission(operator_client, task):
    # The operator role may add and change task definitions but not delete them.
    empty = SimpleUploadedFile("empty.yaml", b"tasks: []\n")
    assert operator_client.post(reverse("pages:import_page"), {"file": empty, "replace": "on"}).status_code == 403
    empty.seek(0)
    assert operator_client.post(reverse("pages:import_page"), {"file": empty}).status_code == 200


def test_actions_are_post_only(operator_client, task):
    assert operator_client.get(reverse("pages:task_run", args=[task.task_id])).status_code == 405
    assert not TaskExecution.objects.filter(task=task).exists()


def test_an_operator_pauses_and_resumes_from_the_page_and_it_is_audited_as_ui(operator_client, operator_user, task):
    operator_client.post(reverse("pages:task_pause", args=[task.task_id]))
    task.refresh_from_db()
    assert task.paused
    operator_client.post(reverse("pages:task_resume", args=[task.task_id]))
    task.refresh_from_db()
    assert not task.paused
    entries = AuditLog.objects.filter(target_id=task.task_id, action__in=["pause", "resume"])
    assert {(e.action, e.interface, e.actor_id) for e in entries} == {
        ("pause", "ui", operator_user.pk), ("resume", "ui", operator_user.pk)}


def test_the_csrf_token_is_required_on_actions(operator_user, task):
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(operator_user)
    assert strict.post(reverse("pages:task_pause", args=[task.task_id])).status_code == 403
    task.refresh_from_db()
    assert not task.paused
