"""run_task: the command-line 'run now', through the same dispatch path as every other door."""
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tasks_app.models import AuditLog
from tasks_app.testing import make_definition

pytestmark = pytest.mark.django_db(transaction=True)


def test_run_task_waits_and_prints_the_log_and_result(start_worker):
    task = make_definition("sleep", params={"seconds": 1})
    start_worker()
    out = io.StringIO()
    call_command("run_task", task.task_id, "--params", '{"seconds": 2}', "--wait", stdout=out)
    text = out.getvalue()
    assert "slept 1s of 2.0s" in text and ": success" in text and '"slept": 2.0' in text
    assert AuditLog.objects.filter(action="start", target_id=task.task_id, interface="command").exists()


def test_run_task_rejects_unknown_tasks_and_bad_params():
    task = make_definition("sleep")
    with pytest.raises(CommandError, match="unknown task_id 'ghost'"):
        call_command("run_task", "ghost")
    with pytest.raises(CommandError, match="params: seconds: must be a number"):
        call_command("run_task", task.task_id, "--params", '{"seconds": "soon"}')
    with pytest.raises(CommandError, match="not valid JSON"):
        call_command("run_task", task.task_id, "--params", "{seconds")
