"""Two beat processes at once never produce two runs of one slot."""
import time

import pytest
from django.db import IntegrityError

from tasks_app.dispatch import dispatch_scheduled
from tasks_app.models import TaskExecution, Trigger
from tasks_app.testing import make_definition, wait_until

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_beats_give_one_execution_per_slot(start_worker, start_beat):
    task = make_definition("noop", schedule_type="interval", interval_seconds=1)
    start_worker(concurrency=2)
    start_beat("one")
    start_beat("two")
    time.sleep(8)
    rows = TaskExecution.objects.filter(task=task, trigger=Trigger.SCHEDULE)
    wait_until(lambda: rows.count() >= 5, timeout=10, message="several slots")
    slots = list(rows.values_list("scheduled_for", flat=True))
    assert len(slots) == len(set(slots))
    assert all(s.microsecond == 0 for s in slots), "slots are grid points, not firing times"


def test_a_repeated_firing_of_a_slot_returns_the_existing_run():
    task = make_definition("noop", schedule_type="cron", cron_expression="* * * * *", misfire_grace=3600)
    fired = "2026-11-27T08:00:00.150000+00:00"
    first = dispatch_scheduled(task_id=task.task_id, fired_at=fired)
    second = dispatch_scheduled(task_id=task.task_id, fired_at="2026-11-27T08:00:00.700000+00:00")
    assert first.pk == second.pk
    assert TaskExecution.objects.filter(task=task).count() == 1
    with pytest.raises(IntegrityError):
        TaskExecution.objects.create(task=task, trigger=Trigger.SCHEDULE, scheduled_for=first.scheduled_for)
