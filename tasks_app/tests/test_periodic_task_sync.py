"""Each definition's PeriodicTask in django-celery-beat follows it: created, changed, disabled, removed."""
import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from django_celery_beat.models import PeriodicTask, PeriodicTasks

from mystocks.celery import app
from tasks_app import catalogue
from tasks_app.scheduling import SlotScheduler
from tasks_app.testing import make_definition

pytestmark = pytest.mark.django_db


def _periodic(task):
    return PeriodicTask.objects.filter(name=f"mystocks:task:{task.task_id}").first()


def test_a_cron_task_gets_a_crontab_in_its_time_zone():
    task = make_definition("noop", schedule_type="cron", cron_expression="0 16 * * 1-5")
    periodic = _periodic(task)
    assert periodic.task == "tasks_app.run_scheduled" and periodic.enabled
    assert (periodic.crontab.minute, periodic.crontab.hour, periodic.crontab.day_of_week) == ("0", "16", "1-5")
    assert str(periodic.crontab.timezone) == "Asia/Shanghai"
    assert '"task_id": "%s"' % task.task_id in periodic.kwargs


def test_switching_schedule_type_updates_the_same_periodic_task():
    task = make_definition("noop", schedule_type="cron", cron_expression="*/5 * * * *")
    pk = _periodic(task).pk
    task.schedule_type, task.cron_expression, task.interval_seconds = "interval", "", 30
    catalogue.save_task_definition(task)
    periodic = _periodic(task)
    assert periodic.pk == pk and periodic.crontab is None and periodic.interval.every == 30


def test_a_once_task_gets_a_one_off_clocked_schedule():
    when = timezone.now() + datetime.timedelta(hours=1)
    task = make_definition("noop", schedule_type="once", start_time=when)
    periodic = _periodic(task)
    assert periodic.one_off and periodic.clocked.clocked_time == when


def test_disabling_or_pausing_disables_and_a_manual_task_has_none():
    task = make_definition("noop", schedule_type="interval", interval_seconds=60)
    before = PeriodicTasks.last_change()
    catalogue.set_enabled([task], False)
    assert not _periodic(task).enabled and PeriodicTasks.last_change() > before
    catalogue.set_enabled([task], True)
    catalogue.set_paused([task], True)
    assert not _periodic(task).enabled
    task.schedule_type = "none"
    catalogue.save_task_definition(task)
    assert _periodic(task) is None


def test_deleting_a_definition_removes_its_periodic_task():
    task = make_definition("noop", schedule_type="interval", interval_seconds=60)
    catalogue.delete_task_definition(task)
    assert _periodic(task) is None


def test_invalid_definitions_are_refused_before_saving():
    with pytest.raises(ValidationError) as exc:
        make_definition("noop", schedule_type="cron", cron_expression="every day")
    assert "cron_expression" in exc.value.message_dict
    assert not PeriodicTask.objects.filter(name__startswith="mystocks:task:test_noop").exists()


@pytest.mark.django_db(transaction=True)  # beat commits and recycles connections as it reads
def test_an_edit_saved_while_beat_reads_its_schedule_is_not_missed():
    task = make_definition("noop", schedule_type="interval", interval_seconds=3600)

    class EditDuringInitialRead(SlotScheduler):
        edited = False

        def all_as_schedule(self):
            schedule = super().all_as_schedule()
            if not self.edited:  # the edit commits just after beat's first read
                self.edited = True
                task.interval_seconds = 1
                catalogue.save_task_definition(task)
            return schedule

    scheduler = EditDuringInitialRead(app=app, lazy=True)
    scheduler.setup_schedule()
    entry = scheduler.schedule[_periodic(task).name]
    assert entry.schedule.run_every == datetime.timedelta(seconds=1)
