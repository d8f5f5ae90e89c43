import json
import time

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from tasks_app import permissions
from tasks_app.dispatch import run_task_now
from tasks_app.models import TaskDefinition, TaskExecution


class Command(BaseCommand):
    help = "Run a task now through the normal dispatch path (a worker executes it)."

    def add_arguments(self, parser):
        parser.add_argument("task_id")
        parser.add_argument("--params", default=None, help='runtime params as JSON, e.g. \'{"seconds": 3}\'')
        parser.add_argument("--with-upstreams", action="store_true", help="run missing upstream tasks first")
        parser.add_argument("--wait", action="store_true", help="wait for the execution to finish")
        parser.add_argument("--timeout", type=float, default=None, help="with --wait: give up after N seconds")
        parser.add_argument("--user", default=None, help="act as this user (needs the run permission)")

    def handle(self, *args, task_id, params, with_upstreams, wait, timeout, user, **options):
        try:
            actor = permissions.command_user(user, "run_task")
        except PermissionDenied as exc:
            raise CommandError(str(exc)) from None
        task = TaskDefinition.objects.filter(task_id=task_id).first()
        if task is None:
            raise CommandError(f"unknown task_id {task_id!r}")
        try:
            runtime = json.loads(params) if params else None
        except json.JSONDecodeError as exc:
            raise CommandError(f"--params is not valid JSON: {exc}") from None
        try:
            execution = run_task_now(task=task, actor=actor, params=runtime, with_upstreams=with_upstreams,
                                     interface="command")
        except ValidationError as exc:
            raise CommandError("; ".join(f"{k}: {', '.join(v)}" for k, v in exc.message_dict.items())) from None
        self.stdout.write(f"execution {execution.pk}: {execution.status}")
        if wait:
            self._wait(execution, timeout)

    def _wait(self, execution, timeout):
        deadline = time.monotonic() + (timeout or execution.task.timeout + 120)
        while not execution.is_finished:
            if time.monotonic() > deadline:
                raise CommandError(f"execution {execution.pk} still {execution.status} after waiting")
            time.sleep(0.5)
            execution = TaskExecution.objects.get(pk=execution.pk)
        self.stdout.write(execution.log, ending="")
        summary = f"execution {execution.pk}: {execution.status}"
        if execution.error or execution.skip_reason:
            summary += f" - {execution.error or execution.skip_reason}"
        if execution.result is not None:
            summary += f"\nresult: {json.dumps(execution.result, ensure_ascii=False)}"
        self.stdout.write(summary)
        if execution.status != "success":
            raise CommandError(f"execution {execution.pk} ended {execution.status}")
