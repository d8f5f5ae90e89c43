"""Create and edit a task: the form view, its live cron preview and its job-params fragment."""
import zoneinfo

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from .. import catalogue, slots
from ..models import TaskDefinition
from ..registry import UnknownJob, get_job
from .common import requires
from .forms import TaskForm
from .params import param_fields


def _save(request, form, template, status_context):
    """Validate the form, then save through the catalogue; its errors land next to the fields."""
    if form.is_valid():
        definition = form.instance
        try:
            catalogue.save_task_definition(definition, actor=request.user, interface="ui")
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field, errors)
        else:
            messages.success(request, _("Saved %(task)s.") % {"task": definition.task_id})
            return redirect("pages:task_detail", task_id=definition.task_id)
    return render(request, template, {"form": form, **status_context}, status=400)


@requires("create_task")
def task_create(request):
    if request.method == "POST":
        return _save(request, TaskForm(request.POST), "pages/task_form.html", {"creating": True})
    initial = {"job": request.GET.get("job", "noop")}
    instance = TaskDefinition(job=initial["job"])
    return render(request, "pages/task_form.html", {"form": TaskForm(instance=instance, initial=initial),
                                                     "creating": True})


@requires("change_task")
def task_edit(request, task_id):
    task = get_object_or_404(TaskDefinition, task_id=task_id)
    if request.method == "POST":
        # Editing updates the row in place: its executions, statistics and audit trail stay.
        return _save(request, TaskForm(request.POST, instance=task), "pages/task_form.html",
                     {"creating": False, "task": task})
    return render(request, "pages/task_form.html", {"form": TaskForm(instance=task), "creating": False, "task": task})


@login_required
def cron_preview(request):
    """htmx: the cron expression in words and its next 5 times in the task's time zone, or the error."""
    expression = request.GET.get("cron_expression", "").strip()
    tz_name = request.GET.get("timezone") or settings.TIME_ZONE
    context = {"expression": expression}
    if not expression:
        return render(request, "pages/cron_preview.html", {"hint": _("enter a cron expression")})
    error = slots.validate_cron(expression)
    try:
        tz = zoneinfo.ZoneInfo(tz_name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        error = error or _("unknown time zone %(tz)s") % {"tz": tz_name}
    if error:
        context["error"] = error
    else:
        probe = TaskDefinition(schedule_type="cron", cron_expression=expression, timezone=tz_name)
        context["words"] = slots.describe_cron(expression, zh=(get_language() or "").startswith("zh"))
        context["times"] = [t.astimezone(tz) for t in probe.next_run_times(n=5, after=timezone.now())]
        context["tz"] = tz_name
    return render(request, "pages/cron_preview.html", context)


@login_required
def job_params(request):
    """htmx: the generated param fields of the job picked in the form."""
    try:
        spec = get_job(request.GET.get("job", ""))
    except UnknownJob:
        return render(request, "pages/job_params.html", {"spec": None, "fields": []})
    form = forms.Form()
    form.fields.update(param_fields(spec))
    return render(request, "pages/job_params.html", {"spec": spec, "fields": list(form)})
