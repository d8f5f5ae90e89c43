"""One permission rule per action, the same at every door: API, pages, admin actions and commands.

The table says by hand which roles may do each action; each (door, action, role) performs the
action for real and checks whether it happened. Staff status alone grants nothing.
"""
import pytest
import yaml
from django.contrib.auth.models import Group, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from tasks_app import catalogue, catalogue_yaml
from tasks_app.api.testing import token_client
from tasks_app.models import (
    AlertDelivery,
    AuditLog,
    GroupRun,
    NotificationChannel,
    Status,
    TaskDefinition,
    TaskExecution,
    TaskGroup,
)
from tasks_app.testing import make_definition

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "nobody", "viewer", "operator", "staff_nobody", "staff_viewer", "staff_operator", "superuser")
RUNNERS = {"operator", "staff_operator", "superuser"}
# Which roles may do each action (the operator role can run and edit tasks, never delete or clean up).
ALLOWED = {
    "run_task": RUNNERS, "stop_task": RUNNERS, "pause_task": RUNNERS, "stop_execution": RUNNERS,
    "run_group": RUNNERS, "stop_group_run": RUNNERS, "enable_task": RUNNERS,
    "delete_task": {"superuser"}, "import_replace": {"superuser"}, "cleanup_executions": {"superuser"},
    "cleanup_audit": {"superuser"}, "test_channel": {"superuser"},
}


def make_role(role):
    if role == "anonymous":
        return None
    # No password: hashing one costs more than the whole check, and the clients log in without it.
    if role == "superuser":
        return User.objects.create_superuser(username=role, password=None)
    user = User.objects.create_user(username=role, password=None, is_staff=role.startswith("staff_"))
    group = role.removeprefix("staff_")
    if group in ("viewer", "operator"):
        user.groups.add(Group.objects.get(name=group))
    return user


class World:
    """A task with a running execution, a spare task to delete, a group with a running group run, a channel."""

    def __init__(self):
        self.task = make_definition("noop", task_id="guarded")
        self.spare = make_definition("noop", task_id="spare")
        self.execution = TaskExecution.objects.create(task=self.task, status=Status.RUNNING)
        self.group = catalogue.save_group(TaskGroup(group_id="grp", group_name="grp"), ["guarded"])
        self.group_run = GroupRun.objects.create(group=self.group, status=Status.RUNNING)
        self.channel = NotificationChannel.objects.create(name="hook", kind="webhook", url="https://example.invalid/h")
        self.catalogue = catalogue_yaml.export_catalogue()
        self.tmp_path = None

    def happened(self, action):
        self.task.refresh_from_db()
        self.execution.refresh_from_db()
        self.group_run.refresh_from_db()
        return {
            "run_task": TaskExecution.objects.filter(task=self.task).exclude(pk=self.execution.pk).exists(),
            "stop_task": self.execution.cancel_requested,
            "stop_execution": self.execution.cancel_requested,
            "pause_task": self.task.paused,
            "enable_task": not self.task.enabled,
            "run_group": GroupRun.objects.filter(group=self.group).count() > 1,
            "stop_group_run": self.group_run.status == Status.CANCELLED,
            "delete_task": not TaskDefinition.objects.filter(task_id="spare").exists(),
            "import_replace": AuditLog.objects.filter(action="import").exists(),
            "cleanup_executions": AuditLog.objects.filter(action="cleanup", target_type="execution").exists(),
            "cleanup_audit": AuditLog.objects.filter(action="cleanup", target_type="audit").exists(),
            "test_channel": AlertDelivery.objects.filter(event="test").exists(),
        }[action]


# --- doors: each performs one action as ``user`` ----------------------------------------------

def _api(user):
    return token_client(user) if user else APIClient()


def api_door(action, user, w):
    client = _api(user)
    doc = w.catalogue
    calls = {
        "run_task": lambda: client.post("/api/tasks/guarded/start", {}, format="json"),
        "stop_task": lambda: client.post("/api/tasks/guarded/stop"),
        "pause_task": lambda: client.post("/api/tasks/guarded/pause"),
        "enable_task": lambda: client.patch("/api/tasks/guarded", {"enabled": False}, format="json"),
        "stop_execution": lambda: client.post(f"/api/tasks/executions/{w.execution.pk}/stop"),
        "run_group": lambda: client.post("/api/groups/grp/start"),
        "stop_group_run": lambda: client.post("/api/groups/grp/stop"),
        "delete_task": lambda: client.delete("/api/tasks/spare"),
        "import_replace": lambda: client.post("/api/tasks/import?replace=true", doc, content_type="application/x-yaml"),
        "cleanup_executions": lambda: client.delete("/api/tasks/executions/cleanup?days=1"),
        "cleanup_audit": lambda: client.post("/api/tasks/cleanup/audit?days=1"),
    }
    return calls[action]().status_code


def _session(user):
    client = Client()
    if user:
        client.force_login(user)
    return client


def pages_door(action, user, w):
    client = _session(user)
    upload = SimpleUploadedFile("c.yaml", w.catalogue.encode(), content_type="application/x-yaml")
    posts = {
        "run_task": (reverse("pages:task_run", args=["guarded"]), {}),
        "stop_task": (reverse("pages:task_stop", args=["guarded"]), {}),
        "pause_task": (reverse("pages:task_pause", args=["guarded"]), {}),
        "enable_task": (reverse("pages:task_toggle_enabled", args=["guarded"]), {}),
        "stop_execution": (reverse("pages:execution_stop", args=[w.execution.pk]), {}),
        "run_group": (reverse("pages:group_run_now", args=["grp"]), {}),
        "stop_group_run": (reverse("pages:group_run_stop", args=[w.group_run.pk]), {}),
        "delete_task": (reverse("pages:task_delete", args=["spare"]), {}),
        "import_replace": (reverse("pages:import_page"), {"file": upload, "replace": "on"}),
        "cleanup_executions": (reverse("pages:cleanup_apply"), {"days": 1}),
    }
    url, data = posts[action]
    response = client.post(url, data)
    if action == "import_replace" and response.status_code == 200:
        response = client.post(reverse("pages:import_apply"))
    return response.status_code


ADMIN_ACTIONS = {
    "run_task": ("taskdefinition", "run_now", "task"), "stop_task": ("taskdefinition", "stop_runs", "task"),
    "pause_task": ("taskdefinition", "pause", "task"), "enable_task": ("taskdefinition", "disable", "task"),
    "delete_task": ("taskdefinition", "delete_selected", "spare"),
    "stop_execution": ("taskexecution", "stop", "execution"), "run_group": ("taskgroup", "run_now", "group"),
    "stop_group_run": ("grouprun", "stop", "group_run"), "test_channel": ("notificationchannel", "send_test_message",
                                                                          "channel"),
}


def admin_door(action, user, w):
    model, name, target = ADMIN_ACTIONS[action]
    data = {"action": name, "_selected_action": [getattr(w, target).pk], "post": "yes"}
    return _session(user).post(reverse(f"admin:tasks_app_{model}_changelist"), data).status_code


def command_door(action, user, w):
    commands = {
        "run_task": ("run_task", "guarded"),
        "cleanup_executions": ("cleanup_executions", "--days", "1", "--executions-only"),
    }
    if action == "import_replace":
        path = w.tmp_path / "catalogue.yaml"
        path.write_text(w.catalogue)
        commands[action] = ("import_tasks", str(path), "--replace")
    try:
        call_command(*commands[action], "--user", user.username, stdout=open("/dev/null", "w"))
    except CommandError:
        return 403
    return 200


DOORS = {"api": api_door, "pages": pages_door, "admin": admin_door, "command": command_door}
# What each door offers (the admin has no import or cleanup action; commands run, import and clean up).
DOOR_ACTIONS = {
    "api": set(ALLOWED) - {"test_channel"},
    "pages": set(ALLOWED) - {"test_channel", "cleanup_audit"},
    "admin": set(ADMIN_ACTIONS),
    "command": {"run_task", "import_replace", "cleanup_executions"},
}
CASES = [(door, action, role) for door in sorted(DOORS) for action in sorted(DOOR_ACTIONS[door]) for role in ROLES
         if not (door == "command" and role == "anonymous")]


@pytest.mark.parametrize("door, action, role", CASES)
def test_every_door_applies_the_same_rule(door, action, role, tmp_path, settings):
    settings.MYSTOCKS_API_THROTTLE_WRITE = "100000/min"
    user = make_role(role)
    world = World()
    world.tmp_path = tmp_path
    status = DOORS[door](action, user, world)
    expected = role in ALLOWED[action] and (door != "admin" or user.is_staff)
    assert world.happened(action) is expected, (door, action, role, status)
    if not expected and door in ("api", "pages", "command") and user is not None:
        assert status == 403, (door, action, role, status)


def test_a_staff_user_with_view_permissions_sees_no_action_buttons_in_the_admin():
    client = _session(make_role("staff_viewer"))
    World()
    html = client.get(reverse("admin:tasks_app_taskdefinition_changelist")).content.decode()
    for name in ("run_now", "stop_runs", "pause", "disable", "delete_selected"):
        assert f'value="{name}"' not in html, name
    html = client.get(reverse("admin:tasks_app_grouprun_changelist")).content.decode()
    assert 'value="stop"' not in html


def test_the_replace_import_needs_the_delete_permission_even_for_staff(tmp_path):
    staff = make_role("staff_operator")
    document = yaml.safe_dump({"tasks": []})
    response = token_client(staff).post("/api/tasks/import?replace=true", document, content_type="application/x-yaml")
    assert response.status_code == 403
