"""Beat (DatabaseScheduler) really fires schedules through a real worker, and picks up edits live."""
import pytest

from tasks_app.catalogue import save_task_definition
from tasks_app.models import Status, TaskExecution, Trigger
from tasks_app.testing import make_definition, wait_until

pytestmark = pytest.mark.django_db(transaction=True)


def _scheduled(task):
    return TaskExecution.objects.filter(task=task, trigger=Trigger.SCHEDULE)


def test_an_interval_task_fires_on_schedule_and_its_log_is_recorded(start_worker, start_beat):
    task = make_definition("noop", schedule_type="interval", interval_seconds=2)
    start_worker()
    start_beat()

    wait_until(lambda: _scheduled(task).filter(status=Status.SUCCESS).count() >= 2,
               timeout=40, message="two successful scheduled runs")
    first = _scheduled(task).filter(status=Status.SUCCESS).order_by("scheduled_for").first()
    assert "starting job noop" in first.log and "noop" in first.log and "succeeded" in first.log
    assert first.result == {"ok": True}
    assert first.scheduled_for.timestamp() % 2 == 0, "interval slots lie on the 2 s grid"
    slots = list(_scheduled(task).values_list("scheduled_for", flat=True))
    assert len(slots) == len(set(slots))


def test_editing_a_schedule_takes_effect_without_restarting_beat(start_worker, start_beat):
    task = make_definition("noop", schedule_type="cron", cron_expression="0 0 1 1 *")
    start_worker()
    start_beat()
    wait_until(lambda: True, timeout=1)
    assert not _scheduled(task).exists()

    task.schedule_type, task.interval_seconds, task.cron_expression = "interval", 1, ""
    save_task_definition(task)

    run = wait_until(lambda: _scheduled(task).filter(status=Status.SUCCESS).first(), timeout=15,
                     message="a run after the schedule edit")
    assert run.scheduled_for is not None
