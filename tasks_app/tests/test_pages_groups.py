"""Groups are created and edited in the pages; runs show every member; parallel groups are not chains."""
import pytest
from django.urls import reverse

from tasks_app import catalogue
from tasks_app.groups import start_group_run
from tasks_app.models import AuditLog, TaskGroup
from tasks_app.testing import make_definition

pytestmark = pytest.mark.django_db


def _group_data(**overrides):
    data = {"group_id": "close_flow", "group_name": "收盘流程", "description": "", "execution_mode": "sequential",
            "enabled": "on", "stop_on_error": "unknown", "schedule_type": "cron", "cron_expression": "30 17 * * 1-5",
            "interval_seconds": "", "timezone": "Asia/Shanghai", "members": "g_one\ng_two, g_three"}
    data.update(overrides)
    return data


@pytest.fixture
def three_tasks():
    return [make_definition("noop", task_id=tid) for tid in ("g_one", "g_two", "g_three")]


def test_an_operator_creates_a_scheduled_group_with_members_in_order(operator_client, three_tasks):
    response = operator_client.post(reverse("pages:group_create"), _group_data())
    assert response.status_code == 302, response.context["form"].errors
    group = TaskGroup.objects.get(group_id="close_flow")
    assert group.member_task_ids() == ["g_one", "g_two", "g_three"]
    assert (group.stop_on_error, group.cron_expression) == (None, "30 17 * * 1-5")
    assert AuditLog.objects.get(target_type="group", target_id="close_flow").interface == "ui"


def test_editing_a_group_reorders_members_and_sets_its_stop_on_error(operator_client, three_tasks):
    catalogue.save_group(TaskGroup(group_id="close_flow", group_name="x"), ["g_one", "g_two"])
    form = operator_client.get(reverse("pages:group_edit", args=["close_flow"])).context["form"]
    assert form["members"].value() == "g_one\ng_two"
    response = operator_client.post(reverse("pages:group_edit", args=["close_flow"]),
                                    _group_data(members="g_three g_one", stop_on_error="false"))
    assert response.status_code == 400
    assert "未知的 task_id：g_three g_one" in " ".join(response.context["form"].errors["members"])
    response = operator_client.post(reverse("pages:group_edit", args=["close_flow"]),
                                    _group_data(members="g_three\ng_one", stop_on_error="false"))
    assert response.status_code == 302
    group = TaskGroup.objects.get(group_id="close_flow")
    assert group.member_task_ids() == ["g_three", "g_one"] and group.stop_on_error is False


def test_a_bad_cron_is_shown_by_its_field_and_nothing_is_saved(operator_client, three_tasks):
    response = operator_client.post(reverse("pages:group_create"), _group_data(cron_expression="61 * * *"))
    assert response.status_code == 400 and "cron_expression" in response.context["form"].errors
    assert not TaskGroup.objects.exists()


def test_a_viewer_cannot_create_groups(viewer_client, three_tasks):
    assert viewer_client.get(reverse("pages:group_create")).status_code == 403
    assert viewer_client.post(reverse("pages:group_create"), _group_data()).status_code == 403


def test_a_parallel_group_is_not_drawn_as_a_chain(operator_client, three_tasks):
    catalogue.save_group(TaskGroup(group_id="par", group_name="p", execution_mode="parallel"), ["g_one", "g_two"])
    catalogue.save_group(TaskGroup(group_id="seq", group_name="s"), ["g_one", "g_two"])
    html = operator_client.get(reverse("pages:group_list")).content.decode()
    parallel_cell = html.split('members-parallel">')[1].split("</td>")[0]
    sequential_cell = html.split('members-sequential">')[1].split("</td>")[0]
    assert "→" not in parallel_cell and "→" in sequential_cell
    detail = operator_client.get(reverse("pages:group_detail", args=["par"])).content.decode()
    assert "members-parallel" in detail and "members-sequential" not in detail


def test_a_group_run_shows_the_members_that_have_not_started_yet(operator_client, three_tasks):
    group = catalogue.save_group(TaskGroup(group_id="seq", group_name="s"), ["g_one", "g_two", "g_three"])
    run = start_group_run(group=group)
    response = operator_client.get(reverse("pages:group_run_detail", args=[run.pk]))
    assert [t.task_id for t in response.context["not_started"]] == ["g_two", "g_three"]
    assert response.content.decode().count('class="gantt-row not-started"') == 2
