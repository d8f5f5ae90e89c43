"""Groups saved from the admin go through the catalogue service once, members and all."""
import pytest
from django.urls import reverse
from django_celery_beat.models import PeriodicTask

from tasks_app.catalogue import save_group
from tasks_app.models import AuditLog, TaskGroup
from tasks_app.testing import make_definition

pytestmark = pytest.mark.django_db


def _form(group, members, **fields):
    """The admin change form's POST data for ``group`` with ``members`` [(member or None, task, position)]."""
    data = {
        "group_id": group.group_id, "group_name": group.group_name, "description": "",
        "execution_mode": group.execution_mode, "enabled": "on", "stop_on_error": "on",
        "schedule_type": group.schedule_type, "cron_expression": group.cron_expression,
        "interval_seconds": "", "timezone": group.timezone,
        "members-TOTAL_FORMS": len(members), "members-INITIAL_FORMS": sum(m is not None for m, _, _ in members),
        "members-MIN_NUM_FORMS": 0, "members-MAX_NUM_FORMS": 1000, **fields,
    }
    for i, (member, task, position) in enumerate(members):
        data |= {f"members-{i}-id": member.pk if member else "", f"members-{i}-group": group.pk or "",
                 f"members-{i}-task": task.pk, f"members-{i}-position": position}
    return data


def test_reordering_members_in_the_admin_saves_the_new_order(admin_client):
    first, second = make_definition("noop"), make_definition("noop")
    group = save_group(TaskGroup(group_id="g_reorder", group_name="reorder"), [first.task_id, second.task_id])
    a, b = group.members.order_by("position")
    response = admin_client.post(
        reverse("admin:tasks_app_taskgroup_change", args=[group.pk]),
        _form(group, [(a, first, 1), (b, second, 0)]),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert group.member_task_ids() == [second.task_id, first.task_id]


def test_a_group_added_in_the_admin_gets_its_members_beat_row_and_one_audit_entry(admin_client):
    first, second = make_definition("noop"), make_definition("noop")
    group = TaskGroup(group_id="g_admin", group_name="from the admin", schedule_type="cron",
                      cron_expression="0 17 * * 1-5")
    response = admin_client.post(
        reverse("admin:tasks_app_taskgroup_add"), _form(group, [(None, second, 5), (None, first, 1)]),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    saved = TaskGroup.objects.get(group_id="g_admin")
    assert saved.member_task_ids() == [first.task_id, second.task_id]
    assert PeriodicTask.objects.filter(kwargs__contains="g_admin").exists()
    entries = AuditLog.objects.filter(target_type="group", target_id="g_admin")
    assert [(e.action, e.interface, e.changes) for e in entries] == [
        ("create", "admin", {"members": [first.task_id, second.task_id]}),
    ]
