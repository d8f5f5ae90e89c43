"""The task create/edit form with its schedule builder, and the small forms of the other pages."""
import json
import zoneinfo

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..models import ScheduleType, TaskDefinition, TaskGroup
from ..registry import UnknownJob, all_jobs, get_job, task_type_choices
from . import params as param_forms

DATETIME_INPUT = "%Y-%m-%dT%H:%M"
TASK_FIELDS = [
    "task_id", "task_name", "task_type", "job", "description", "priority", "enabled",
    "schedule_type", "cron_expression", "interval_seconds", "start_time", "end_time", "timezone",
    "timeout", "retry_count", "retry_delay", "concurrency_policy", "misfire_grace", "misfire_policy", "max_lateness",
    "trading_days_only", "queue", "tags", "dependencies", "auto_restart", "stop_on_error",
]


def job_choices():
    return [(name, f"{name} — {spec.description}" if spec.description else name) for name, spec in all_jobs().items()]


class TaskForm(forms.ModelForm):
    """A task definition with its job's params as generated fields (or raw JSON) and a schedule builder.

    Start and end times are typed in the task's own time zone, whatever the browser's is.
    """

    job = forms.ChoiceField(label=_("Job"))
    params_mode = forms.ChoiceField(
        choices=[("form", _("Form")), ("raw", _("Raw JSON"))], initial="form", required=False,
        widget=forms.RadioSelect, label=_("Params as"),
    )
    params_json = forms.CharField(
        required=False, label=_("Params (JSON)"), widget=forms.Textarea(attrs={"rows": 5, "class": "mono"}),
    )
    start_time = forms.DateTimeField(
        required=False, label=_("Start time"), input_formats=[DATETIME_INPUT, "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_INPUT),
    )
    end_time = forms.DateTimeField(
        required=False, label=_("End time"), input_formats=[DATETIME_INPUT, "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_INPUT),
    )
    tags = forms.CharField(required=False, label=_("Tags"), help_text=_("comma-separated"))
    dependencies = forms.MultipleChoiceField(
        required=False, label=_("Dependencies"), widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text=_("upstream tasks that must succeed first (same trading day)"),
    )

    class Meta:
        model = TaskDefinition
        fields = TASK_FIELDS
        labels = {
            "task_id": _("Task ID"), "task_name": _("Name"), "task_type": _("Type"), "description": _("Description"),
            "priority": _("Priority"), "enabled": _("Enabled"), "schedule_type": _("Schedule"),
            "cron_expression": _("Cron expression"), "interval_seconds": _("Every (seconds)"),
            "timezone": _("Time zone"), "timeout": _("Timeout (s)"), "retry_count": _("Retries"),
            "retry_delay": _("Retry delay (s)"), "concurrency_policy": _("If still running"),
            "misfire_grace": _("Misfire grace (s)"), "trading_days_only": _("Trading days only"),
            "misfire_policy": _("Missed runs"), "max_lateness": _("Catch up at most (s) late"),
            "queue": _("Queue"), "auto_restart": _("Restart automatically"), "stop_on_error": _("Stop group on error"),
        }
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["job"].choices = job_choices()
        # The registered types (the model's validation names the known ones for anything else).
        self.fields["task_type"].widget = forms.Select(choices=task_type_choices(current=self.instance.task_type))
        others = TaskDefinition.objects.order_by("task_id").values_list("task_id", "task_name")
        if self.instance.pk:
            others = others.exclude(pk=self.instance.pk)
            self.fields["task_id"].disabled = True  # other tasks' dependencies and the YAML refer to it
        self.fields["dependencies"].choices = [(tid, f"{tid} — {name}") for tid, name in others]
        self.fields["cron_expression"].widget.attrs.update({"class": "mono", "placeholder": "0 16 * * 1-5"})
        self._init_from_instance()
        self.spec = self._selected_spec()
        if self.spec is not None:
            current = self.instance.params if self.instance.job == self.spec.name else {}
            self.fields.update(param_forms.param_fields(self.spec, current))

    def _init_from_instance(self):
        inst = self.instance
        if isinstance(self.initial.get("tags"), list):  # model_to_dict gives the list; the input wants text
            self.initial["tags"] = ", ".join(self.initial["tags"])
        self.initial.setdefault("params_json", json.dumps(inst.params or {}, ensure_ascii=False, indent=2))
        tz = zoneinfo.ZoneInfo(inst.timezone or settings.TIME_ZONE)
        for name in ("start_time", "end_time"):
            value = getattr(inst, name)
            if value:
                self.initial[name] = value.astimezone(tz).replace(tzinfo=None)

    def _selected_spec(self):
        name = self.data.get("job") if self.is_bound else (self.instance.job or self.initial.get("job"))
        try:
            return get_job(name) if name else None
        except UnknownJob:
            return None

    def param_field_names(self):
        return [name for name in self.fields if name.startswith(param_forms.PREFIX)]

    def param_bound_fields(self):
        return [self[name] for name in self.param_field_names()]

    def clean_tags(self):
        return [tag.strip() for tag in self.cleaned_data["tags"].split(",") if tag.strip()]

    def clean_params_json(self):
        text = self.cleaned_data["params_json"].strip()
        if self.data.get("params_mode") != "raw":
            return None
        try:
            value = json.loads(text or "{}")
        except json.JSONDecodeError as exc:
            raise forms.ValidationError(_("not valid JSON: %(error)s"), params={"error": exc}) from None
        if not isinstance(value, dict):
            raise forms.ValidationError(_("must be a JSON object"))
        return value

    def clean(self):
        cleaned = super().clean()
        self._localise_times(cleaned)
        return cleaned

    def _localise_times(self, cleaned):
        """The browser sends wall-clock times: read them in the task's time zone, not the server's."""
        try:
            tz = zoneinfo.ZoneInfo(cleaned.get("timezone") or settings.TIME_ZONE)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            return
        for name in ("start_time", "end_time"):
            value = cleaned.get(name)
            if value:
                naive = timezone.make_naive(value) if timezone.is_aware(value) else value
                cleaned[name] = naive.replace(tzinfo=tz)

    def _post_clean(self):
        # Params are part of the instance the model validates, so set them before it does.
        if self.cleaned_data.get("params_json") is not None:
            self.instance.params = self.cleaned_data["params_json"]
        elif self.spec is not None:
            self.instance.params = param_forms.params_from(self, self.spec)
        super()._post_clean()

    def add_error(self, field, error):
        if field == "params" and self.data.get("params_mode") != "raw" and self.param_field_names():
            messages = error.messages if isinstance(error, forms.ValidationError) else (
                error if isinstance(error, list) else [error])
            rest = param_forms.attach_param_errors(self, messages)
            if not rest:
                return
            error = rest
        if field == "params":
            field = "params_json"
        if field is not None and field not in self.fields:
            field = None
        super().add_error(field, error)

    def _update_errors(self, errors):
        # Model validation reports "params"; the form shows it by the generated fields or the JSON box.
        if hasattr(errors, "error_dict") and "params" in errors.error_dict:
            params_errors = errors.error_dict.pop("params")
            messages = [m for e in params_errors for m in e.messages]
            self.add_error("params", messages)
            if not errors.error_dict:
                return
        super()._update_errors(errors)


class GroupForm(forms.ModelForm):
    """A group with its members in order (one task id per line) and its optional schedule."""

    members = forms.CharField(
        label=_("Members, in order"), widget=forms.Textarea(attrs={"rows": 6, "class": "mono"}),
        help_text=_("one task ID per line (or separated by commas), in the order they run"),
    )
    stop_on_error = forms.NullBooleanField(
        required=False, label=_("Stop the group when a member fails"),
        widget=forms.Select(choices=[
            ("unknown", _("not set: each member's own setting decides")),
            ("true", _("yes, for every member")), ("false", _("no, for every member")),
        ]),
    )

    class Meta:
        model = TaskGroup
        fields = ["group_id", "group_name", "description", "execution_mode", "enabled", "stop_on_error",
                  "schedule_type", "cron_expression", "interval_seconds", "timezone"]
        labels = {
            "group_id": _("Group ID"), "group_name": _("Name"), "description": _("Description"),
            "execution_mode": _("Mode"), "enabled": _("Enabled"), "schedule_type": _("Schedule"),
            "cron_expression": _("Cron expression"), "interval_seconds": _("Every (seconds)"),
            "timezone": _("Time zone"),
        }
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["schedule_type"].choices = [c for c in ScheduleType.choices if c[0] != ScheduleType.ONCE]
        self.fields["cron_expression"].widget.attrs.update({"class": "mono", "placeholder": "30 17 * * 1-5"})
        if self.instance.pk:
            self.fields["group_id"].disabled = True
            self.initial.setdefault("members", "\n".join(self.instance.member_task_ids()))

    def clean_members(self):
        ids = [part.strip() for line in self.cleaned_data["members"].splitlines() for part in line.split(",")]
        return [i for i in ids if i]


class CronPreviewForm(forms.Form):
    cron_expression = forms.CharField(required=False)
    timezone = forms.CharField(required=False)


class ImportForm(forms.Form):
    file = forms.FileField(label=_("YAML file"))
    replace = forms.BooleanField(
        required=False, label=_("Replace"),
        help_text=_("also delete tasks and groups that are not in the file"),
    )


class CleanupForm(forms.Form):
    days = forms.IntegerField(min_value=1, max_value=3650, initial=90, label=_("Older than (days)"))
