"""Groups: list, create and edit, detail with members in order, run now, and a group run's timeline."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, OuterRef, Subquery
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import catalogue, control, groups
from ..models import GroupRun, TaskGroup
from .common import CheapPage, action, page_number, requires
from .forms import GroupForm


@login_required
def group_list(request):
    newest = GroupRun.objects.filter(group=OuterRef("pk")).order_by("-created_at")
    rows = (
        TaskGroup.objects.annotate(
            member_count=Count("members"),
            last_run_status=Subquery(newest.values("status")[:1]),
            last_run_at=Subquery(newest.values("created_at")[:1]),
            last_run_id=Subquery(newest.values("pk")[:1]),
        ).prefetch_related("members__task")
    )
    return render(request, "pages/group_list.html", {"groups": rows})


@login_required
def group_detail(request, group_id):
    group = get_object_or_404(TaskGroup, group_id=group_id)
    members = list(group.members.select_related("task").order_by("position"))
    for member in members:
        member.stops_group = group.stops_on_error_of(member.task)
    runs = CheapPage(group.runs.order_by("-created_at"), page_number(request), per_page=15)
    return render(request, "pages/group_detail.html", {"group": group, "members": members, "page": runs})


def _save_group(request, form, context):
    """Validate the form, then save through the catalogue; its errors land next to the fields."""
    if form.is_valid():
        try:
            catalogue.save_group(form.instance, form.cleaned_data["members"], actor=request.user, interface="ui")
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error("members" if field == "tasks" else (field if field in form.fields else None), errors)
        else:
            messages.success(request, _("Saved group %(group)s.") % {"group": form.instance.group_id})
            return redirect("pages:group_detail", group_id=form.instance.group_id)
    return render(request, "pages/group_form.html", {"form": form, **context}, status=400)


@requires("create_group")
def group_create(request):
    if request.method == "POST":
        return _save_group(request, GroupForm(request.POST), {"creating": True})
    return render(request, "pages/group_form.html", {"form": GroupForm(), "creating": True})


@requires("change_group")
def group_edit(request, group_id):
    group = get_object_or_404(TaskGroup, group_id=group_id)
    if request.method == "POST":
        return _save_group(request, GroupForm(request.POST, instance=group), {"creating": False, "group": group})
    return render(request, "pages/group_form.html", {"form": GroupForm(instance=group), "creating": False,
                                                      "group": group})


@action("run_group")
def group_run_now(request, group_id):
    group = get_object_or_404(TaskGroup, group_id=group_id)
    run = groups.start_group_run(group=group, actor=request.user, interface="ui")
    messages.success(request, _("Started group run #%(id)s.") % {"id": run.pk})
    return redirect("pages:group_run_detail", pk=run.pk)


def timeline(run, executions):
    """Gantt bars: each member execution's start and length as percentages of the run's span."""
    start = run.started_at or run.created_at
    ends = [e.finished_at or timezone.now() for e in executions if e.started_at or e.finished_at]
    end = max([run.finished_at or timezone.now(), *ends])
    span = max((end - start).total_seconds(), 0.001)
    bars = []
    for e in executions:
        begin = e.started_at or e.finished_at or e.created_at
        finish = e.finished_at or timezone.now()
        left = max(0.0, (begin - start).total_seconds() / span * 100)
        width = max(0.5, (finish - begin).total_seconds() / span * 100) if e.started_at else 0.5
        bars.append({"execution": e, "left": round(left, 2), "width": round(min(width, 100 - left), 2)})
    return {"bars": bars, "span_seconds": span}


@login_required
def group_run_detail(request, pk):
    run = get_object_or_404(GroupRun.objects.select_related("group"), pk=pk)
    executions = list(
        run.executions.select_related("task").defer("log", "traceback", "result", "params")
        .order_by("created_at", "id")
    )
    started = {e.task_id for e in executions}
    not_started = [m.task for m in run.group.members.select_related("task").order_by("position")
                   if m.task_id not in started]
    context = {"run": run, "not_started": not_started, **timeline(run, executions)}
    template = "pages/group_run_live.html" if request.headers.get("HX-Request") else "pages/group_run_detail.html"
    return render(request, template, context)


@action("stop_group_run")
def group_run_stop(request, pk):
    run = get_object_or_404(GroupRun, pk=pk)
    control.stop_group_run(run, actor=request.user, interface="ui")
    messages.success(request, _("Asked group run #%(id)s to stop.") % {"id": run.pk})
    return redirect("pages:group_run_detail", pk=run.pk)
