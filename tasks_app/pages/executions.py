"""Execution detail with its live part (progress, log tail, outcome), log download and stop."""
import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models.functions import Length, Right
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from .. import control
from ..models import TaskExecution
from .common import action

LOG_TAIL_CHARS = 20_000
CHAIN_LIMIT = 50


def _execution(pk):
    """The execution with only the end of its log loaded: a log may hold a million characters."""
    return get_object_or_404(
        TaskExecution.objects.select_related("task", "group_run__group", "created_by")
        .defer("log", "task__description", "task__params")
        .annotate(log_tail=Right("log", LOG_TAIL_CHARS), log_length=Length("log")),
        pk=pk,
    )


def attempts_of(execution):
    """Every attempt of the same run, first to last: walk up ``retry_of``, then down ``retries``."""
    first = execution
    seen = {execution.pk}
    while first.retry_of_id and len(seen) < CHAIN_LIMIT:
        parent = TaskExecution.objects.only("pk", "retry_of", "attempt", "status").get(pk=first.retry_of_id)
        if parent.pk in seen:
            break
        seen.add(parent.pk)
        first = parent
    chain, current = [first], first
    while len(chain) < CHAIN_LIMIT:
        nxt = TaskExecution.objects.only("pk", "retry_of", "attempt", "status").filter(retry_of=current).first()
        if nxt is None or nxt.pk in {c.pk for c in chain}:
            break
        chain.append(nxt)
        current = nxt
    return chain if len(chain) > 1 else []


def _live_context(execution):
    done, total = execution.progress_done, execution.progress_total
    percent = None
    if total:
        percent = max(0, min(100, round(100 * (done or 0) / total)))
    elif execution.status == "success":
        percent = 100
    return {
        "execution": execution,
        "percent": percent,
        "log_cut": execution.log_length > LOG_TAIL_CHARS,
        "result_json": (json.dumps(execution.result, ensure_ascii=False, indent=2)
                        if execution.result is not None else ""),
        "params_json": json.dumps(execution.params, ensure_ascii=False, indent=2),
    }


@login_required
def execution_detail(request, pk):
    execution = _execution(pk)
    context = _live_context(execution)
    context["attempts"] = attempts_of(execution)
    return render(request, "pages/execution_detail.html", context)


@login_required
def execution_live(request, pk):
    """htmx: the changing part of the page; it stops asking once the execution has finished."""
    return render(request, "pages/execution_live.html", _live_context(_execution(pk)))


@login_required
def execution_log(request, pk):
    execution = get_object_or_404(TaskExecution.objects.select_related("task").only("pk", "log", "task__task_id"),
                                  pk=pk)
    response = HttpResponse(execution.log, content_type="text/plain; charset=utf-8")
    filename = f"{execution.task.task_id}-{execution.pk}.log"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@action("stop_execution")
def execution_stop(request, pk):
    execution = get_object_or_404(TaskExecution.objects.select_related("task"), pk=pk)
    control.stop_execution(execution, actor=request.user, interface="ui")
    messages.success(request, _("Asked execution #%(id)s to stop.") % {"id": execution.pk})
    return redirect("pages:execution_detail", pk=execution.pk)
