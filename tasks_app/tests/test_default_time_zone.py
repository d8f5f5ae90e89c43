"""The engine takes its default time zone from settings.TIME_ZONE, not from a market it assumes."""
import datetime
import zoneinfo

from tasks_app.models import TaskDefinition, TaskGroup
from tasks_app.slots import next_run_times


def test_a_new_definition_and_group_take_the_projects_time_zone(settings):
    settings.TIME_ZONE = "Europe/Berlin"
    assert TaskDefinition(job="noop").timezone == "Europe/Berlin"
    assert TaskGroup(group_id="g").timezone == "Europe/Berlin"


def test_a_definition_without_a_time_zone_is_scheduled_in_the_projects(settings):
    settings.TIME_ZONE = "America/New_York"
    task = TaskDefinition(schedule_type="cron", cron_expression="0 16 * * *", timezone="")
    after = datetime.datetime(2026, 3, 2, 12, 0, tzinfo=datetime.UTC)
    (first,) = next_run_times(task, n=1, after=after)
    assert first == datetime.datetime(2026, 3, 2, 16, 0, tzinfo=zoneinfo.ZoneInfo("America/New_York"))
