"""Lost runs are recovered, and beat's heartbeat is written, however beat was started: with the
project's scheduler, or with django-celery-beat's own ``-S`` flag after a bare ``migrate`` (no
built-in schedules at all)."""
import pytest
from django_celery_beat.models import PeriodicTask

from tasks_app import health
from tasks_app.dispatch import run_task_now
from tasks_app.models import ServiceHeartbeat, Status, TaskExecution, Trigger
from tasks_app.testing import make_definition, wait_until

pytestmark = pytest.mark.django_db(transaction=True)
FOREIGN = "django_celery_beat.schedulers:DatabaseScheduler"


@pytest.mark.parametrize("scheduler", [None, FOREIGN], ids=["project-scheduler", "django-celery-beat-flag"])
def test_a_killed_workers_run_is_finished_and_schedules_still_fire(start_worker, start_beat, scheduler):
    PeriodicTask.objects.filter(name__startswith="mystocks:").delete()  # as after a bare migrate
    task = make_definition("sleep", params={"seconds": 30})
    ticking = make_definition("noop", schedule_type="interval", interval_seconds=2)
    doomed = start_worker(name="doomed")
    ServiceHeartbeat.objects.filter(name="beat").delete()
    start_beat(extra_args=["-S", scheduler] if scheduler else [])
    wait_until(lambda: health.check_beat()["ok"], timeout=20, message="beat's heartbeat")
    expected = "DatabaseScheduler" if scheduler else "SlotScheduler"
    assert ServiceHeartbeat.objects.get(name="beat").detail["scheduler"].endswith(expected)
    execution = run_task_now(task=task)
    wait_until(lambda: TaskExecution.objects.filter(pk=execution.pk, status=Status.RUNNING).exists(),
               timeout=20, message="running")
    doomed.kill()
    start_worker(name="survivor")

    lost = wait_until(lambda: TaskExecution.objects.filter(pk=execution.pk, status=Status.FAILED).first(),
                      timeout=60, message="worker lost")
    assert lost.error.startswith("worker lost")
    wait_until(lambda: TaskExecution.objects.filter(task=ticking, trigger=Trigger.SCHEDULE, status=Status.SUCCESS)
               .exists(), timeout=20, message="a scheduled run fired by this beat")
    builtin = PeriodicTask.objects.filter(name="mystocks:reap-lost-executions").exists()
    assert builtin == (scheduler is None), "with the foreign flag only the workers' own timer recovered it"
    beat = ServiceHeartbeat.objects.get(name="beat")
    assert health.check_beat()["ok"], f"the heartbeat keeps coming while beat ticks (last {beat.beat_at})"
