"""Group runs: a database state machine advanced as members end (sequential and parallel)."""
import pytest

from tasks_app.catalogue import save_group
from tasks_app.control import stop_group_run
from tasks_app.groups import start_group_run
from tasks_app.models import GroupRun, Status, TaskGroup
from tasks_app.testing import make_definition, wait_until

pytestmark = pytest.mark.django_db(transaction=True)


def _group(mode, tasks):
    return save_group(TaskGroup(group_id=f"g_{mode}", group_name=mode, execution_mode=mode),
                      [t.task_id for t in tasks])


def _finished(group_run):
    row = GroupRun.objects.get(pk=group_run.pk)
    return row if row.status not in (Status.PENDING, Status.RUNNING) else None


def _by_task(group_run):
    return {e.task.task_id: e for e in group_run.executions.select_related("task")}


def test_a_sequential_group_stops_at_a_failed_member_with_stop_on_error(start_worker):
    first = make_definition("noop")
    broken = make_definition("fail", params={"message": "no data"}, stop_on_error=True)
    last = make_definition("noop")
    group = _group("sequential", [first, broken, last])
    start_worker()
    run = start_group_run(group=group)
    run = wait_until(lambda: _finished(run), timeout=40, message="group run to end")
    rows = _by_task(run)
    assert run.status == Status.FAILED and broken.task_id in run.error
    assert rows[first.task_id].status == Status.SUCCESS and rows[broken.task_id].status == Status.FAILED
    assert rows[last.task_id].status == Status.SKIPPED and "group stopped" in rows[last.task_id].skip_reason
    assert rows[broken.task_id].started_at >= rows[first.task_id].finished_at
    assert run.duration is not None


def test_a_sequential_group_goes_on_past_a_failure_without_stop_on_error(start_worker):
    broken = make_definition("fail", stop_on_error=False)
    after = make_definition("noop")
    group = _group("sequential", [broken, after])
    start_worker()
    run = start_group_run(group=group)
    run = wait_until(lambda: _finished(run), timeout=40, message="group run to end")
    assert _by_task(run)[after.task_id].status == Status.SUCCESS
    assert run.status == Status.FAILED


def test_a_parallel_group_runs_members_at_once_and_ends_when_all_end(start_worker):
    a = make_definition("sleep", params={"seconds": 2})
    b = make_definition("sleep", params={"seconds": 2})
    group = _group("parallel", [a, b])
    start_worker(concurrency=2)
    run = start_group_run(group=group)
    run = wait_until(lambda: _finished(run), timeout=40, message="group run to end")
    rows = _by_task(run)
    assert run.status == Status.SUCCESS
    assert rows[a.task_id].started_at < rows[b.task_id].finished_at
    assert rows[b.task_id].started_at < rows[a.task_id].finished_at


def test_stopping_a_group_run_stops_its_members(start_worker):
    a = make_definition("sleep", params={"seconds": 60})
    b = make_definition("noop")
    group = _group("sequential", [a, b])
    start_worker()
    run = start_group_run(group=group)
    wait_until(lambda: _by_task(run).get(a.task_id) and _by_task(run)[a.task_id].status == Status.RUNNING,
               timeout=20, message="first member running")
    stop_group_run(run)
    wait_until(lambda: _by_task(run)[a.task_id].status == Status.CANCELLED, timeout=10, message="member cancelled")
    assert GroupRun.objects.get(pk=run.pk).status == Status.CANCELLED
    assert b.task_id not in _by_task(run)


def test_the_groups_own_stop_on_error_decides_over_its_members_flags(start_worker):
    lenient_member = make_definition("fail", stop_on_error=False)
    strict_member = make_definition("fail", stop_on_error=True)
    after_a, after_b = make_definition("noop"), make_definition("noop")
    strict = save_group(TaskGroup(group_id="g_strict", group_name="strict", stop_on_error=True),
                        [lenient_member.task_id, after_a.task_id])
    lenient = save_group(TaskGroup(group_id="g_lenient", group_name="lenient", stop_on_error=False),
                         [strict_member.task_id, after_b.task_id])
    start_worker()
    strict_run, lenient_run = start_group_run(group=strict), start_group_run(group=lenient)
    strict_run = wait_until(lambda: _finished(strict_run), timeout=40, message="strict group run to end")
    lenient_run = wait_until(lambda: _finished(lenient_run), timeout=40, message="lenient group run to end")
    assert _by_task(strict_run)[after_a.task_id].status == Status.SKIPPED
    assert strict_run.error.startswith("group stopped")
    assert _by_task(lenient_run)[after_b.task_id].status == Status.SUCCESS
    assert lenient_run.status == Status.FAILED and not lenient_run.error.startswith("group stopped")


def test_a_scheduled_group_fires_through_beat_and_runs_its_members(start_worker, start_beat):
    first, second = make_definition("noop"), make_definition("noop")
    group = save_group(TaskGroup(group_id="g_timed", group_name="timed", schedule_type="interval",
                                 interval_seconds=3), [first.task_id, second.task_id])
    start_worker()
    start_beat()
    run = wait_until(lambda: GroupRun.objects.filter(group=group, trigger="schedule", status=Status.SUCCESS).first(),
                     timeout=40, message="a scheduled group run to succeed")
    rows = _by_task(run)
    assert rows[first.task_id].finished_at <= rows[second.task_id].started_at
    assert run.scheduled_for.timestamp() % 3 == 0, "group slots lie on the interval grid"
    slots = list(GroupRun.objects.filter(group=group, trigger="schedule").values_list("scheduled_for", flat=True))
    assert len(slots) == len(set(slots))
