"""Slot arithmetic, next runs and schedules in words."""
import datetime
import zoneinfo

from tasks_app.models import TaskDefinition
from tasks_app.slots import describe, interval_slot, next_run_times, slot_for, validate_cron

SH = zoneinfo.ZoneInfo("Asia/Shanghai")


def _at(*args):
    return datetime.datetime(*args, tzinfo=SH)


def test_a_cron_firing_belongs_to_the_cron_time_just_before_it():
    task = TaskDefinition(schedule_type="cron", cron_expression="0 16 * * 1-5", timezone="Asia/Shanghai")
    assert slot_for(task, _at(2026, 11, 27, 16, 0, 0, 300_000)) == _at(2026, 11, 27, 16, 0)
    assert slot_for(task, _at(2026, 11, 27, 15, 59, 59, 995_000)) == _at(2026, 11, 27, 16, 0), "fired a hair early"


def test_interval_slots_lie_on_a_grid_every_beat_agrees_on():
    anchor = _at(2026, 1, 1)
    assert interval_slot(_at(2026, 1, 1, 0, 10, 0, 4000), every=300, anchor=anchor) == _at(2026, 1, 1, 0, 10)
    assert interval_slot(_at(2026, 1, 1, 0, 14, 58), every=300, anchor=anchor) == _at(2026, 1, 1, 0, 10)
    assert interval_slot(_at(2026, 1, 1, 0, 14, 59, 990_000), every=300, anchor=anchor) == _at(2026, 1, 1, 0, 15), \
        "beat firing a few milliseconds early still lands on its grid point"


def test_next_run_times_respect_the_time_zone_and_end_time():
    task = TaskDefinition(schedule_type="cron", cron_expression="0 16 * * 1-5", timezone="Asia/Shanghai",
                          end_time=_at(2026, 12, 1, 23, 0))
    runs = next_run_times(task, n=5, after=_at(2026, 11, 27, 17, 0))
    assert runs == [_at(2026, 11, 30, 16, 0), _at(2026, 12, 1, 16, 0)]


def test_schedules_are_described_in_chinese_and_english():
    task = TaskDefinition(schedule_type="cron", cron_expression="0 16 * * 1-5")
    assert describe(task, lang="zh-hans") == "每个工作日 16:00"
    assert describe(task, lang="en") == "every weekday at 16:00"
    assert describe(TaskDefinition(schedule_type="interval", interval_seconds=3600), lang="en") == "every 1 hour"
    assert describe(TaskDefinition(schedule_type="none"), lang="zh-hans") == "手动"


def test_cron_expressions_need_exactly_five_valid_fields():
    assert validate_cron("0 16 * * 1-5") is None
    assert "5 fields" in validate_cron("0 0 16 * * 1-5")
    assert "not a valid" in validate_cron("61 * * * *")


def test_a_firing_in_the_repeated_autumn_hour_belongs_to_its_own_slot():
    task = TaskDefinition(schedule_type="cron", cron_expression="0 * * * *", timezone="America/New_York")
    est_one = datetime.datetime(2026, 11, 1, 6, 0, 0, 2000, tzinfo=datetime.timezone.utc)  # 01:00 EST, 2nd time
    assert slot_for(task, est_one) == datetime.datetime(2026, 11, 1, 6, 0, tzinfo=datetime.timezone.utc)
