"""Task list (with type tabs and filters), task detail, and the actions on a task."""
import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from .. import calendar, catalogue, control, dispatch, stats
from ..models import AuditLog, Status, TaskDefinition, TaskExecution
from ..registry import UnknownJob, task_type_choices, task_types
from .common import (
    PAGE_SIZE,
    CheapPage,
    action,
    list_contains,
    messages_of,
    page_number,
)
from .params import RunParamsForm

ALL_TAB, HISTORY_TAB = ("all", gettext_lazy("All"), None), ("history", gettext_lazy("Execution history"), None)


def tabs():
    """The task list's tabs as (key, label, task type): all, one per registered type that asks for a
    tab (in the registry's order; a type keyed "all" or "history" gets none), then "history", which
    lists executions instead."""
    typed = [(t.key, t.label, t.key) for t in task_types() if t.tab and t.key not in (ALL_TAB[0], HISTORY_TAB[0])]
    return [ALL_TAB, *typed, HISTORY_TAB]


def filter_tasks(params, tab):
    """The task list's queryset for a tab and the GET filters (q, type, tag, status, enabled)."""
    tasks = stats.with_last_run(TaskDefinition.objects.defer("description"))
    tab_type = {key: task_type for key, _label, task_type in tabs()}.get(tab)
    if tab_type:
        tasks = tasks.filter(task_type=tab_type)
    q = params.get("q", "").strip()
    if q:
        tasks = tasks.filter(Q(task_id__icontains=q) | Q(task_name__icontains=q) | Q(job__icontains=q))
    if params.get("type"):
        tasks = tasks.filter(task_type=params["type"])
    if params.get("tag"):
        tasks = tasks.filter(list_contains("tags", params["tag"]))
    if params.get("status"):
        tasks = tasks.filter(last_status=params["status"])
    if params.get("enabled") in ("yes", "no"):
        tasks = tasks.filter(enabled=params["enabled"] == "yes")
    return tasks


def filter_executions(params):
    executions = TaskExecution.objects.select_related("task").defer(
        "log", "traceback", "result", "params", "task__description", "task__params",
    )
    if params.get("status"):
        executions = executions.filter(status=params["status"])
    if params.get("task"):
        executions = executions.filter(task__task_id=params["task"])
    if params.get("trigger"):
        executions = executions.filter(trigger=params["trigger"])
    return executions.order_by("-created_at", "-id")


def _all_tags():
    tags = set()
    for task_tags in TaskDefinition.objects.values_list("tags", flat=True):
        tags.update(t for t in task_tags or [] if isinstance(t, str))
    return sorted(tags)


def _task_rows(page):
    for task in page:
        task.schedule_words = task.describe_schedule()
        task.next_run_at = stats.next_run_at(task)
    return page


@login_required
def task_list(request):
    tab_list = tabs()
    tab = request.GET.get("tab", "all")
    if tab not in {key for key, _label, _type in tab_list}:
        tab = "all"
    context = {
        "tabs": tab_list, "tab": tab, "filters": request.GET,
        "task_types": task_type_choices(current=request.GET.get("type")), "statuses": Status.choices,
        "tags": _all_tags(),
    }
    if tab == "history":
        context["page"] = CheapPage(filter_executions(request.GET), page_number(request))
        context["triggers"] = TaskExecution._meta.get_field("trigger").choices
        return render(request, "pages/task_list.html", context)
    context["page"] = _task_rows(CheapPage(filter_tasks(request.GET, tab), page_number(request)))
    return render(request, "pages/task_list.html", context)


def _upcoming(task, n=5):
    rows, open_days = [], {}
    for moment in task.next_run_times(n=n):
        day = moment.astimezone(task.tz).date()
        if task.trading_days_only and day not in open_days:
            open_days[day] = calendar.is_trading_day(day)
        rows.append({"at": moment, "skipped": task.trading_days_only and not open_days[day]})
    return rows


def _relations(task):
    upstreams = list(TaskDefinition.objects.filter(task_id__in=task.dependencies).only("task_id", "task_name"))
    downstreams = list(
        TaskDefinition.objects.filter(list_contains("dependencies", task.task_id)).only("task_id", "task_name")
    )
    memberships = task.group_memberships.select_related("group").order_by("group__group_id")
    return {"upstreams": upstreams, "downstreams": downstreams, "memberships": list(memberships)}


def _run_form(task, data=None):
    try:
        spec = task.job_spec
    except UnknownJob:
        return None
    return RunParamsForm(data, spec=spec, values=task.params, prefix="run")


def _detail_context(task, request, run_form=None):
    history = TaskExecution.objects.filter(task=task).defer("log", "traceback", "result", "params")
    stats.ensure_recent_rollups()
    statistics = stats.task_statistics(tasks=[task])
    return {
        "task": task,
        "params_json": json.dumps(task.params, ensure_ascii=False, indent=2),
        "schedule_words": task.describe_schedule(),
        "upcoming": _upcoming(task),
        "statistics": statistics[0] if statistics else None,
        "trend": [
            {"label": row["finished_at"].strftime("%m-%d %H:%M"), "duration": row["duration"], "status": row["status"]}
            for row in stats.duration_trend(task=task, limit=50)
        ],
        "page": CheapPage(history.order_by("-created_at", "-id"), page_number(request), per_page=PAGE_SIZE),
        "audit": AuditLog.objects.filter(target_type="task", target_id=task.task_id).order_by("-created_at")[:20],
        "run_form": run_form or _run_form(task),
        **_relations(task),
    }


@login_required
def task_detail(request, task_id):
    task = get_object_or_404(TaskDefinition, task_id=task_id)
    return render(request, "pages/task_detail.html", _detail_context(task, request))


@action("run_task")
def task_run(request, task_id):
    """Run now; with the "run with params" form, its fields overlay the task's params."""
    task = get_object_or_404(TaskDefinition, task_id=task_id)
    params, form = None, None
    if request.POST.get("with_params"):
        form = _run_form(task, request.POST)
        if form is None or not form.is_valid():
            return render(request, "pages/task_detail.html", _detail_context(task, request, form), status=400)
        params = form.params()
    try:
        execution = dispatch.run_task_now(
            task=task, actor=request.user, params=params, interface="ui",
            with_upstreams=bool(request.POST.get("with_upstreams")),
        )
    except ValidationError as exc:
        messages.error(request, _("Not started: %(reason)s") % {"reason": messages_of(exc)})
        return _back(request, task)
    messages.success(request, _("Started execution #%(id)s (%(status)s).") % {
        "id": execution.pk, "status": execution.get_status_display()})
    return redirect("pages:execution_detail", pk=execution.pk)


@action("stop_task")
def task_stop(request, task_id):
    task = get_object_or_404(TaskDefinition, task_id=task_id)
    count = control.stop_task(task, actor=request.user, interface="ui")
    messages.success(request, ngettext(
        "Asked %(n)d execution to stop.", "Asked %(n)d executions to stop.", count,
    ) % {"n": count})
    return _back(request, task)


@action("pause_task")
def task_pause(request, task_id):
    task = get_object_or_404(TaskDefinition, task_id=task_id)
    catalogue.set_paused([task], True, actor=request.user, interface="ui")
    messages.success(request, _("Paused %(task)s.") % {"task": task.task_id})
    return _back(request, task)


@action("pause_task")
def task_resume(request, task_id):
    task = get_object_or_404(TaskDefinition, task_id=task_id)
    catalogue.set_paused([task], False, actor=request.user, interface="ui")
    messages.success(request, _("Resumed %(task)s.") % {"task": task.task_id})
    return _back(request, task)


@action("enable_task")
def task_toggle_enabled(request, task_id):
    task = get_object_or_404(TaskDefinition, task_id=task_id)
    catalogue.set_enabled([task], not task.enabled, actor=request.user, interface="ui")
    # set_enabled updated ``task`` in place: it now holds the new state.
    messages.success(request, (_("Enabled %(task)s.") if task.enabled else _("Disabled %(task)s.")) % {
        "task": task.task_id})
    return _back(request, task)


@action("delete_task")
def task_delete(request, task_id):
    task = get_object_or_404(TaskDefinition, task_id=task_id)
    try:
        catalogue.delete_task_definition(task, actor=request.user, interface="ui")
    except ValidationError as exc:
        messages.error(request, _("Not deleted: %(reason)s") % {"reason": messages_of(exc)})
        return redirect("pages:task_detail", task_id=task.task_id)
    messages.success(request, _("Deleted %(task)s.") % {"task": task_id})
    return redirect("pages:task_list")


def _back(request, task):
    target = request.POST.get("next", "")
    if target.startswith("/") and not target.startswith("//"):
        return redirect(target)
    return redirect("pages:task_detail", task_id=task.task_id)
