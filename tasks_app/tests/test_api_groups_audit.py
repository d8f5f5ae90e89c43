"""/api/groups/…, /api/tasks/audit/logs, /api/tasks/cleanup/audit and /api/jobs/."""
import datetime

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from tasks_app import catalogue
from tasks_app.api.testing import make_user, token_client
from tasks_app.models import AuditLog, GroupRun, Status, TaskExecution, TaskGroup
from tasks_app.testing import make_definition

pytestmark = pytest.mark.django_db


@pytest.fixture
def group():
    for task_id in ("first", "second"):
        make_definition("noop", task_id=task_id)
    return catalogue.save_group(TaskGroup(group_id="daily_job", group_name="每日"), ["first", "second"])


def test_groups_list_and_detail_with_ordered_members(viewer, group):
    body = viewer.get("/api/groups/").json()
    assert [g["group_id"] for g in body["results"]] == ["daily_job"]
    assert viewer.get("/api/groups/daily_job").json()["tasks"] == ["first", "second"]
    assert viewer.get("/api/groups/nope").status_code == 404


def test_start_a_group_and_stop_its_runs(operator, viewer, group):
    assert viewer.post("/api/groups/daily_job/start").status_code == 403
    response = operator.post("/api/groups/daily_job/start")
    assert response.status_code == 202, response.json()
    run = response.json()["group_run"]
    assert run["group_id"] == "daily_job" and run["status"] == "running"
    assert [m["task_id"] for m in run["members"]] == ["first"]  # sequential: the first member only
    response = operator.post("/api/groups/daily_job/stop")
    assert response.json()["stopped"] == 1
    assert GroupRun.objects.get(pk=run["id"]).status == Status.CANCELLED
    assert TaskExecution.objects.get(group_run_id=run["id"]).status == Status.CANCELLED


def test_group_runs_list_summarises_members(operator, viewer, group):
    operator.post("/api/groups/daily_job/start")
    body = viewer.get("/api/groups/runs/?group_id=daily_job").json()
    assert body["count"] == 1
    summary = body["results"][0]["summary"]
    assert summary["total"] == 1 and summary["pending"] == 1
    assert viewer.get("/api/groups/runs/?status=success").json()["count"] == 0


def test_audit_log_lists_and_filters(viewer, operator, group):
    operator.post("/api/groups/daily_job/start")
    body = viewer.get("/api/tasks/audit/logs").json()
    assert {"start", "create"} <= {row["action"] for row in body["results"]}
    started = viewer.get("/api/tasks/audit/logs?action=start&interface=api&target_type=group").json()["results"]
    assert [(r["action"], r["target_id"], r["interface"]) for r in started] == [("start", "daily_job", "api")]
    assert started[0]["actor_name"].startswith("operator")
    actor = started[0]["actor_name"]
    assert viewer.get(f"/api/tasks/audit/logs?actor={actor}").json()["count"] == 1
    later = (timezone.now() + datetime.timedelta(minutes=1)).isoformat()
    assert viewer.get("/api/tasks/audit/logs", {"created_after": later}).json()["count"] == 0


def test_audit_cleanup_is_for_admins_only(operator):
    old = AuditLog.objects.create(action="update", target_type="task",
                                  created_at=timezone.now() - datetime.timedelta(days=40))
    recent = AuditLog.objects.create(action="update", target_type="task")
    assert operator.post("/api/tasks/cleanup/audit?days=30").status_code == 403
    admin = token_client(make_user(superuser=True))
    response = admin.post("/api/tasks/cleanup/audit", {"days": 30}, format="json")
    assert response.status_code == 200 and response.json()["deleted"] == 1
    assert not AuditLog.objects.filter(pk=old.pk).exists() and AuditLog.objects.filter(pk=recent.pk).exists()
    assert AuditLog.objects.filter(action="cleanup", target_type="audit").exists()
    assert admin.post("/api/tasks/cleanup/audit?days=-1").status_code == 400


def test_jobs_list_declared_params(viewer):
    jobs = {job["name"]: job for job in viewer.get("/api/jobs/").json()}
    assert {"noop", "sleep", "fail"} <= set(jobs)
    assert [p["name"] for p in jobs["sleep"]["params"]] == ["seconds"]
    assert viewer.get("/api/jobs/sleep").json()["name"] == "sleep"
    assert viewer.get("/api/jobs/nope").status_code == 404
    assert APIClient().get("/api/jobs/").status_code == 401
