"""Retries: each attempt is its own row, delayed with exponential backoff, and they end."""
import time

import pytest

from tasks_app.dispatch import retry_delay_seconds, run_task_now
from tasks_app.models import Status, TaskDefinition, TaskExecution, Trigger
from tasks_app.testing import make_definition, run_definition_inline, wait_until

pytestmark = pytest.mark.django_db(transaction=True)


def _attempts(task):
    return list(TaskExecution.objects.filter(task=task).order_by("attempt"))


def test_failed_attempts_are_retried_with_backoff_until_one_succeeds(start_worker):
    task = make_definition("test_fail_until", params={"succeed_on_attempt": 3}, retry_count=3, retry_delay=1)
    start_worker()
    run_task_now(task=task)
    wait_until(lambda: any(a.status == Status.SUCCESS for a in _attempts(task)), timeout=40, message="success")
    first, second, third = _attempts(task)
    assert [a.status for a in (first, second, third)] == [Status.FAILED, Status.FAILED, Status.SUCCESS]
    assert (second.trigger, second.retry_of_id, third.retry_of_id) == (Trigger.RETRY, first.pk, second.pk)
    assert (second.started_at - first.finished_at).total_seconds() >= 0.85, "about retry_delay"
    assert (third.started_at - second.finished_at).total_seconds() >= 1.7, "about 2 × retry_delay"


def test_retries_stop_after_retry_count(start_worker):
    task = make_definition("fail", retry_count=2, retry_delay=1)
    start_worker()
    run_task_now(task=task)
    wait_until(lambda: len(_attempts(task)) == 3 and all(a.is_finished for a in _attempts(task)), timeout=40,
               message="three finished attempts")
    time.sleep(4)
    attempts = _attempts(task)
    assert [a.attempt for a in attempts] == [1, 2, 3]
    assert all(a.status == Status.FAILED for a in attempts)


def test_the_backoff_doubles_is_capped_and_jittered(settings):
    settings.MYSTOCKS_MAX_RETRY_DELAY = 1000
    task = TaskDefinition(retry_delay=300)
    delays = [retry_delay_seconds(task, attempt) for attempt in (1, 2, 3, 4)]
    assert 270 <= delays[0] <= 330 and 540 <= delays[1] <= 660
    assert 900 <= delays[2] <= 1100 and 900 <= delays[3] <= 1100


def test_a_run_stopped_just_before_it_fails_is_not_retried():
    # The stop lands while the job runs, before a heartbeat carried it to the runner: the
    # follow-ups must still see it, or a user's stop would be answered with a retry.
    task = make_definition("test_stopped_then_fails", retry_count=2, retry_delay=0)
    execution = run_definition_inline(task)
    assert execution.status == Status.FAILED and execution.cancel_requested
    assert TaskExecution.objects.filter(task=task).count() == 1
