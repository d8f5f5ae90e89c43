"""A task whose policies need no lock is dispatched in one INSERT, outside any transaction.

The row is inserted already pending (then sent) or already skipped; slots stay exactly-once, a
late slot to catch up still goes through the transactional path, and a runner whose database
connection was cut reconnects instead of failing the run.
"""
import datetime
import threading

import pytest
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tasks_app.dispatch import dispatch_scheduled, dispatch_task
from tasks_app.models import Status, TaskExecution, Trigger
from tasks_app.runner import run_execution
from tasks_app.testing import make_definition, wait_until

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_run_that_needs_no_lock_is_one_insert_then_sent(start_worker):
    task = make_definition("noop", concurrency_policy="allow")
    with CaptureQueriesContext(connection) as queries:
        execution = dispatch_task(task=task, trigger=Trigger.API)
    assert [q["sql"].split()[0] for q in queries.captured_queries] == ["INSERT"]
    assert TaskExecution.objects.get(pk=execution.pk).status == Status.PENDING
    start_worker()
    wait_until(lambda: TaskExecution.objects.get(pk=execution.pk).status == Status.SUCCESS, message="the run")


def test_a_task_that_serialises_its_runs_still_takes_the_lock():
    task = make_definition("noop", concurrency_policy="skip")
    with CaptureQueriesContext(connection) as queries:
        dispatch_task(task=task, trigger=Trigger.API)
    assert any("FOR UPDATE" in q["sql"] for q in queries.captured_queries)


def test_a_paused_task_slot_is_inserted_already_skipped():
    task = make_definition("noop", concurrency_policy="allow", schedule_type="interval", interval_seconds=60,
                           paused=True)
    with CaptureQueriesContext(connection) as queries:
        execution = dispatch_scheduled(task_id=task.task_id)
    assert [q["sql"].split()[0] for q in queries.captured_queries] == ["SELECT", "INSERT"]  # the definition, the run
    execution.refresh_from_db()
    assert (execution.status, execution.skip_reason, execution.duration) == (Status.SKIPPED, "task is paused", 0)
    assert execution.finished_at is not None


def test_concurrent_firings_of_one_slot_give_one_run():
    task = make_definition("noop", concurrency_policy="allow", schedule_type="interval", interval_seconds=60)
    fired = timezone.now().replace(second=0, microsecond=0).isoformat()
    results, barrier = [], threading.Barrier(4)

    def fire():
        try:
            barrier.wait()
            results.append(dispatch_scheduled(task_id=task.task_id, fired_at=fired).pk)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=fire) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 4 and len(set(results)) == 1
    assert TaskExecution.objects.filter(task=task).count() == 1


def test_a_late_slot_to_catch_up_is_skipped_and_caught_up():
    task = make_definition("noop", concurrency_policy="allow", schedule_type="interval", interval_seconds=60,
                           misfire_grace=10, misfire_policy="run_once")
    late = (timezone.now() - datetime.timedelta(seconds=90)).replace(second=0, microsecond=0)
    execution = dispatch_scheduled(task_id=task.task_id, fired_at=late.isoformat())
    execution.refresh_from_db()
    assert execution.status == Status.SKIPPED and execution.skip_reason.startswith("misfire")
    catch_up = TaskExecution.objects.get(task=task, trigger=Trigger.CATCH_UP)
    assert execution.scheduled_for.isoformat() in catch_up.covers_slots


def test_the_runner_reconnects_when_its_database_connection_was_cut():
    task = make_definition("noop", concurrency_policy="allow")
    execution = TaskExecution.objects.create(task=task, trigger=Trigger.MANUAL)
    pid = connection.connection.info.backend_pid
    other = connection.copy()
    try:
        with other.cursor() as cursor:  # another session ends this one's backend, as a database restart would
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
            wait_until(lambda: not _backend_alive(cursor, pid), timeout=10, message="the backend gone")
    finally:
        other.close()
    run_execution(execution.pk)
    execution.refresh_from_db()
    assert execution.status == Status.SUCCESS


def _backend_alive(cursor, pid):
    cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = %s", [pid])
    return cursor.fetchone()[0]
