"""Schedules are bounded to what the code can compute; a failed write stores nothing; lists survive bad rows."""
import datetime

import pytest
from django.urls import reverse

from tasks_app.api import views
from tasks_app.models import TaskDefinition
from tasks_app.testing import make_definition

pytestmark = pytest.mark.django_db

REGISTER = {"task_id": "far", "task_name": "far", "task_type": "cron", "task_function": "noop"}


@pytest.mark.parametrize("schedule, field", [
    ({"schedule_type": "interval", "interval_seconds": 10**12}, "schedule.interval_seconds"),
    ({"schedule_type": "interval", "interval_seconds": 10 * 365 * 24 * 3600 + 1}, "schedule.interval_seconds"),
    ({"schedule_type": "once", "start_time": "9999-12-31 00:00:00"}, "schedule.start_time"),
    ({"schedule_type": "once", "start_time": "0001-01-01 00:00:00"}, "schedule.start_time"),
    ({"schedule_type": "cron", "cron_expression": "0 * * * *", "end_time": "2101-01-01 00:00:00"}, "schedule.end_time"),
])
def test_an_out_of_range_schedule_is_a_400_naming_the_field_and_stores_nothing(operator, schedule, field):
    response = operator.post("/api/tasks/register", {**REGISTER, "schedule": schedule}, format="json")
    assert response.status_code == 400, response.json()
    assert field in response.json()["errors"]
    assert not TaskDefinition.objects.exists()


def test_a_ten_year_interval_is_accepted(operator):
    schedule = {"schedule_type": "interval", "interval_seconds": 10 * 365 * 24 * 3600}
    assert operator.post("/api/tasks/register", {**REGISTER, "schedule": schedule}, format="json").status_code == 201


def test_a_stored_schedule_that_cannot_be_computed_does_not_break_the_lists(admin, admin_client):
    task = make_definition("noop", task_id="broken", schedule_type="interval", interval_seconds=60)
    far = datetime.datetime(9999, 12, 31, 20, tzinfo=datetime.timezone.utc)
    TaskDefinition.objects.filter(pk=task.pk).update(interval_seconds=2 * 10**9, start_time=far)
    make_definition("noop", task_id="fine", schedule_type="cron", cron_expression="0 16 * * 1-5")
    for url in (reverse("pages:dashboard"), reverse("pages:task_list"), reverse("pages:task_detail", args=["broken"]),
                "/admin/tasks_app/taskdefinition/"):
        response = admin_client.get(url)
        assert response.status_code == 200, url
    response = admin.get("/api/tasks/")
    assert response.status_code == 200, response.json()
    listed = response.json()["tasks"] if "tasks" in response.json() else response.json()["results"]
    assert {t["task_id"] for t in listed} == {"broken", "fine"}


def test_a_write_request_that_fails_after_saving_is_rolled_back(admin, monkeypatch):
    """The register call used to answer 500 with its row committed; now the request is one transaction."""

    def explode(self, task, code=200):
        raise RuntimeError("rendering failed")

    monkeypatch.setattr(views.TaskViewSet, "_respond", explode)
    response = admin.post("/api/tasks/register", REGISTER, format="json")
    assert response.status_code == 500
    assert not TaskDefinition.objects.exists()
