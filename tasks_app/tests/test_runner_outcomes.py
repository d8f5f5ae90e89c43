"""The runner records every outcome of a job: result, error, traceback, log, progress, duration."""
import threading

import pytest

from tasks_app.models import Status, TaskDefinition, TaskExecution
from tasks_app.runner import TRUNCATION_MARKER, run_execution
from tasks_app.testing import make_definition, run_job_inline

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_successful_job_stores_its_result_log_and_duration():
    execution = run_job_inline("sleep", {"seconds": 1.2})
    assert execution.status == Status.SUCCESS
    assert execution.result == {"slept": 1.2}
    assert execution.duration >= 1.2 and execution.finished_at > execution.started_at
    assert "starting job sleep" in execution.log and "slept 0s of 1.2s" in execution.log
    assert (execution.progress_done, execution.progress_total, execution.progress_message) == (1, 1, "done")
    assert execution.params == {"seconds": 1.2}


def test_a_raising_job_fails_with_error_and_traceback():
    execution = run_job_inline("fail", {"message": "provider down"})
    assert execution.status == Status.FAILED
    assert execution.error == "RuntimeError: provider down"
    assert "Traceback" in execution.traceback and "provider down" in execution.traceback
    assert "about to fail: provider down" in execution.log


def test_a_returned_failed_status_counts_as_failure():
    execution = run_job_inline("test_returns_failed")
    assert execution.status == Status.FAILED
    assert execution.error == "upstream API returned nothing"


def test_ordinary_logging_is_captured_and_the_log_is_capped(settings):
    settings.MYSTOCKS_LOG_MAX_CHARS = 3000
    execution = run_job_inline("test_chatty", {"lines": 200, "width": 50})
    assert execution.status == Status.SUCCESS
    assert execution.log_truncated
    assert execution.log.endswith(TRUNCATION_MARKER.format(limit=3000))
    assert len(execution.log) <= 3000 + len(TRUNCATION_MARKER) + 10
    assert "line 00000" in execution.log, "a library's own logging lands in the execution log"


def test_a_job_that_disappeared_from_the_registry_fails_clearly():
    definition = make_definition("noop")
    TaskDefinition.objects.filter(pk=definition.pk).update(job="removed_job")
    definition.refresh_from_db()
    row = TaskExecution.objects.create(task=definition, params={})
    run_execution(row.pk)
    row.refresh_from_db()
    assert row.status == Status.FAILED
    assert "unknown job 'removed_job'" in row.error


def test_a_finished_execution_is_never_started_again():
    execution = run_job_inline("noop")
    run_execution(execution.pk)
    execution.refresh_from_db()
    assert execution.status == Status.SUCCESS
    assert execution.log.count("starting job noop") == 1


def test_one_heartbeat_thread_beats_for_every_run_of_the_process(settings):
    # A thread per run cost a thread start and a switch on every execution, however short.
    settings.MYSTOCKS_HEARTBEAT_SECONDS = 0.2
    runs = [run_job_inline("sleep", {"seconds": 0.8}) for _ in range(2)]
    assert all(run.status == Status.SUCCESS and run.heartbeat_at > run.started_at for run in runs)
    beating = [t for t in threading.enumerate() if t.name.startswith(("execution-heartbeats", "heartbeat-"))]
    assert len(beating) == 1 and beating[0].is_alive()
