from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import OuterRef, Subquery
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import catalogue, control, dispatch, groups, permissions, stats
from .alerts import channels as alert_channels
from .alerts import delivery as alert_delivery
from .alerts import outbound as alert_outbound
from .models import (
    AlertDelivery,
    AlertIncident,
    AlertRule,
    GroupRun,
    NotificationChannel,
    Status,
    TaskDefinition,
    TaskExecution,
    TaskGroup,
    TaskGroupMember,
    TradingDay,
    choice_label,
)
from .registry import task_type_choices, task_type_label


class TaskDefinitionForm(forms.ModelForm):
    class Meta:
        model = TaskDefinition
        exclude = ["created_by"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The registered types (the model's validation names the known ones for anything else).
        self.fields["task_type"].widget = forms.Select(choices=task_type_choices(current=self.instance.task_type))

    def clean(self):
        cleaned = super().clean()
        if not self.errors:
            problems = catalogue.dependency_errors(self.instance)
            if problems:
                self.add_error("dependencies", problems)
        return cleaned


class RuleActionsMixin:
    """Admin actions check the same rules as the API, pages and commands (tasks_app.permissions).

    An action declared with ``permissions=["run"]`` is offered and allowed only when
    ``has_run_permission`` is true; ``action_rules`` maps those names to rules.
    """

    action_rules = {}

    def _rule(self, request, name):
        return permissions.allowed(request.user, self.action_rules[name])

    def has_run_permission(self, request):
        return self._rule(request, "run")

    def has_stop_permission(self, request):
        return self._rule(request, "stop")

    def has_pause_permission(self, request):
        return self._rule(request, "pause")

    def has_enable_permission(self, request):
        return self._rule(request, "enable")

    def has_test_permission(self, request):
        return self._rule(request, "test")


class TaskTypeFilter(admin.SimpleListFilter):
    """By task type, with the registry's labels; ``field`` is the lookup of the type."""

    title = _("task type")
    parameter_name = "task_type"
    field = "task_type"

    def lookups(self, request, model_admin):
        return task_type_choices()

    def queryset(self, request, queryset):
        return queryset.filter(**{self.field: self.value()}) if self.value() else queryset


class ExecutionTaskTypeFilter(TaskTypeFilter):
    parameter_name = "task__task_type"
    field = "task__task_type"


def _status_badge(status):
    """A status as a coloured badge with its label in the page's language (a stored value no
    longer a status shows as it is)."""
    if not status:
        return "—"
    label = choice_label(Status, status) or status
    return format_html('<span class="ms-status ms-status-{}">{}</span>', status, label)


@admin.register(TaskDefinition)
class TaskDefinitionAdmin(RuleActionsMixin, admin.ModelAdmin):
    form = TaskDefinitionForm
    action_rules = {"run": "run_task", "stop": "stop_task", "pause": "pause_task", "enable": "enable_task"}
    list_display = (
        "task_id", "task_name", "type_in_words", "job", "schedule_in_words", "next_run",
        "last_run", "last_status", "enabled", "paused", "priority",
    )
    list_filter = (TaskTypeFilter, "enabled", "paused", "schedule_type", "queue")
    search_fields = ("task_id", "task_name", "job", "description")
    readonly_fields = ("created_by", "created_at", "updated_at")
    actions = ["run_now", "stop_runs", "enable", "disable", "pause", "resume"]
    fieldsets = (
        (None, {"fields": ("task_id", "task_name", "task_type", "job", "task_module", "description", "params")}),
        (_("Schedule"), {"fields": (
            "schedule_type", "cron_expression", "interval_seconds", "start_time", "end_time", "timezone",
            "trading_days_only", "misfire_grace", "misfire_policy", "max_lateness",
        )}),
        (_("Policies"), {"fields": (
            "enabled", "paused", "priority", "queue", "timeout", "retry_count", "retry_delay",
            "concurrency_policy", "auto_restart", "stop_on_error", "dependencies", "tags",
        )}),
        (_("Audit"), {"fields": ("created_by", "created_at", "updated_at")}),
    )

    def get_queryset(self, request):
        return stats.with_last_run(super().get_queryset(request))

    @admin.display(description=_("task type"), ordering="task_type")
    def type_in_words(self, obj):
        return task_type_label(obj.task_type)

    @admin.display(description=_("schedule"))
    def schedule_in_words(self, obj):
        return obj.describe_schedule()

    @admin.display(description=_("next run"))
    def next_run(self, obj):
        if not obj.enabled or obj.paused:
            return "—"
        times = obj.next_run_times(n=1)
        return times[0].strftime("%Y-%m-%d %H:%M") if times else "—"

    @admin.display(description=_("last run"), ordering="last_run_at")
    def last_run(self, obj):
        return obj.last_run_at

    @admin.display(description=_("last status"))
    def last_status(self, obj):
        return _status_badge(obj.last_status)

    def save_model(self, request, obj, form, change):
        catalogue.save_task_definition(obj, actor=request.user, interface="admin")

    def delete_model(self, request, obj):
        catalogue.delete_task_definition(obj, actor=request.user, interface="admin")

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            catalogue.delete_task_definition(obj, actor=request.user, interface="admin")

    @admin.action(description=_("Run now"), permissions=["run"])
    def run_now(self, request, queryset):
        started, refused = [], []
        for task in queryset:
            try:
                execution = dispatch.run_task_now(task=task, actor=request.user, interface="admin")
                started.append(f"{task.task_id} → #{execution.pk} {execution.status}")
            except ValidationError as exc:
                refused.append(f"{task.task_id}: {'; '.join(exc.messages)}")
        if started:
            self.message_user(request, _("Started: ") + ", ".join(started))
        if refused:
            self.message_user(request, _("Not started: ") + ", ".join(refused), level=messages.WARNING)

    @admin.action(description=_("Stop running executions"), permissions=["stop"])
    def stop_runs(self, request, queryset):
        stopped = sum(control.stop_task(task, actor=request.user, interface="admin") for task in queryset)
        self.message_user(request, ngettext(
            "Asked %(n)d execution to stop.", "Asked %(n)d executions to stop.", stopped,
        ) % {"n": stopped})

    @admin.action(description=_("Enable"), permissions=["enable"])
    def enable(self, request, queryset):
        count = catalogue.set_enabled(queryset, True)
        self.message_user(request, ngettext("Enabled %(n)d task.", "Enabled %(n)d tasks.", count) % {"n": count})

    @admin.action(description=_("Disable"), permissions=["enable"])
    def disable(self, request, queryset):
        count = catalogue.set_enabled(queryset, False)
        self.message_user(request, ngettext("Disabled %(n)d task.", "Disabled %(n)d tasks.", count) % {"n": count})

    @admin.action(description=_("Pause schedule"), permissions=["pause"])
    def pause(self, request, queryset):
        count = catalogue.set_paused(queryset, True)
        self.message_user(request, ngettext("Paused %(n)d task.", "Paused %(n)d tasks.", count) % {"n": count})

    @admin.action(description=_("Resume schedule"), permissions=["pause"])
    def resume(self, request, queryset):
        count = catalogue.set_paused(queryset, False)
        self.message_user(request, ngettext("Resumed %(n)d task.", "Resumed %(n)d tasks.", count) % {"n": count})


@admin.register(TaskExecution)
class TaskExecutionAdmin(RuleActionsMixin, admin.ModelAdmin):
    action_rules = {"stop": "stop_execution"}
    list_display = (
        "id", "task", "status_badge", "trigger", "attempt", "scheduled_for", "started_at", "duration",
        "progress_message",
    )
    list_filter = ("status", "trigger", ExecutionTaskTypeFilter)
    search_fields = ("task__task_id", "task__task_name", "error")
    list_select_related = ("task",)
    show_full_result_count = False
    date_hierarchy = None
    actions = ["stop"]
    readonly_fields = [f.name for f in TaskExecution._meta.fields if f.name != "log"] + ["log_view"]
    exclude = ("log",)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("task", "retry_of", "group_run")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("status"), ordering="status")
    def status_badge(self, obj):
        return _status_badge(obj.status)

    @admin.display(description=_("log"))
    def log_view(self, obj):
        return format_html("<pre>{}</pre>", obj.log)

    @admin.action(description=_("Stop"), permissions=["stop"])
    def stop(self, request, queryset):
        for execution in queryset.select_related("task"):
            control.stop_execution(execution, actor=request.user, interface="admin")
        count = queryset.count()
        self.message_user(request, ngettext(
            "Asked %(n)d execution to stop.", "Asked %(n)d executions to stop.", count,
        ) % {"n": count})


class TaskGroupMemberInline(admin.TabularInline):
    model = TaskGroupMember
    extra = 1
    ordering = ("position",)
    autocomplete_fields = ("task",)


def _member_task_ids(formsets):
    """The member task_ids in position order from the valid member inline forms, deleted rows left out."""
    rows = [
        form.cleaned_data for formset in formsets for form in formset.forms
        if form.cleaned_data.get("task") and not form.cleaned_data.get("DELETE")
    ]
    return [row["task"].task_id for row in sorted(rows, key=lambda row: row["position"])]


@admin.register(TaskGroup)
class TaskGroupAdmin(RuleActionsMixin, admin.ModelAdmin):
    action_rules = {"run": "run_group"}
    list_display = ("group_id", "group_name", "execution_mode", "members", "enabled")
    search_fields = ("group_id", "group_name")
    inlines = [TaskGroupMemberInline]
    actions = ["run_now"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("members__task")

    @admin.display(description=_("members"))
    def members(self, obj):
        return " → ".join(m.task.task_id for m in obj.members.all())

    def save_model(self, request, obj, form, change):
        """Nothing yet: the group is saved with its members by ``save_related``, in one service call."""

    def save_related(self, request, form, formsets, change):
        # The inlines are read, never saved: catalogue.save_group writes the group, its members,
        # its beat row and one audit entry (saving inlines first broke reordering on the unique position).
        catalogue.save_group(form.instance, _member_task_ids(formsets), actor=request.user, interface="admin")

    def construct_change_message(self, request, form, formsets, add=False):
        # The inline formsets were not saved, so they carry no added/changed/deleted objects to list.
        return super().construct_change_message(request, form, [], add)

    @admin.action(description=_("Run now"), permissions=["run"])
    def run_now(self, request, queryset):
        runs = [groups.start_group_run(group=g, actor=request.user, interface="admin") for g in queryset]
        count = len(runs)
        self.message_user(request, ngettext(
            "Started %(n)d group run.", "Started %(n)d group runs.", count,
        ) % {"n": count})


@admin.register(GroupRun)
class GroupRunAdmin(RuleActionsMixin, admin.ModelAdmin):
    action_rules = {"stop": "stop_group_run"}
    list_display = ("id", "group", "status", "trigger", "started_at", "finished_at", "duration")
    list_filter = ("status", "trigger", "group")
    list_select_related = ("group",)
    actions = ["stop"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Stop"), permissions=["stop"])
    def stop(self, request, queryset):
        stopped = sum(control.stop_group_run(run, actor=request.user, interface="admin") for run in queryset)
        self.message_user(request, ngettext(
            "Stopped %(n)d group run.", "Stopped %(n)d group runs.", stopped,
        ) % {"n": stopped})


@admin.register(TradingDay)
class TradingDayAdmin(admin.ModelAdmin):
    list_display = ("date", "source")
    date_hierarchy = "date"


# === Alerts (issue #7) ===========================================================================


class NotificationChannelForm(forms.ModelForm):
    """URL and secret are write-only: the form never renders them back; blank keeps the stored value."""

    url = forms.CharField(
        required=False, widget=forms.PasswordInput(render_value=False),
        help_text=_("webhook / robot URL (it holds the robot's token); leave blank to keep the current one"),
    )
    secret = forms.CharField(
        required=False, widget=forms.PasswordInput(render_value=False),
        help_text=_("DingTalk signing secret (SEC…) or webhook HMAC key; leave blank to keep the current one"),
    )
    clear_secret = forms.BooleanField(required=False, label=_("remove the stored secret"))

    class Meta:
        model = NotificationChannel
        fields = ["name", "kind", "enabled", "recipients", "url", "secret"]

    def clean_url(self):
        value = self.cleaned_data["url"].strip()
        if value:
            forms.URLField().clean(value)
            refused = alert_outbound.literal_address_refused(value)
            if refused:
                raise ValidationError(_("refused: %(why)s; list it in MYSTOCKS_ALERT_ALLOWED_NETWORKS to allow it")
                                      % {"why": refused})
            return value
        return self.instance.url if self.instance.pk else ""

    def clean_secret(self):
        return self.cleaned_data["secret"].strip() or (self.instance.secret if self.instance.pk else "")

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("clear_secret"):
            cleaned["secret"] = ""
            self.instance.secret = ""
        return cleaned


@admin.register(NotificationChannel)
class NotificationChannelAdmin(RuleActionsMixin, admin.ModelAdmin):
    action_rules = {"test": "test_channel"}
    form = NotificationChannelForm
    list_display = ("name", "kind", "enabled", "target", "masked_secret", "last_delivery")
    list_filter = ("kind", "enabled")
    search_fields = ("name",)
    readonly_fields = ("current_url", "masked_secret", "created_at", "updated_at")
    fields = ("name", "kind", "enabled", "recipients", "current_url", "url", "masked_secret", "secret",
              "clear_secret", "created_at", "updated_at")
    actions = ["send_test_message"]

    def get_fields(self, request, obj=None):
        # A read-only view renders every field as text: the URL (with its token) and the secret
        # would be shown in clear, so only their masked forms are listed there.
        fields = super().get_fields(request, obj)
        if not self.has_change_permission(request, obj):
            return [f for f in fields if f not in ("url", "secret", "clear_secret")]
        return fields

    def get_queryset(self, request):
        last = AlertDelivery.objects.filter(channel=OuterRef("pk")).order_by("-created_at", "-id")
        return super().get_queryset(request).annotate(last_delivery_status=Subquery(last.values("status")[:1]))

    @admin.display(description=_("target"))
    def target(self, obj):
        if obj.kind == NotificationChannel.Kind.EMAIL:
            return ", ".join(obj.recipients or [])
        return alert_channels.mask_url(obj.url)

    @admin.display(description=_("current URL"))
    def current_url(self, obj):
        return alert_channels.mask_url(obj.url) or "—"

    @admin.display(description=_("secret"))
    def masked_secret(self, obj):
        return alert_channels.mask(obj.secret) or "—"

    @admin.display(description=_("last delivery"))
    def last_delivery(self, obj):
        return getattr(obj, "last_delivery_status", None) or "—"

    @admin.action(description=_("Send a test message"), permissions=["test"])
    def send_test_message(self, request, queryset):
        for channel in queryset:
            result = alert_delivery.send_test_message(channel)
            if result.status == AlertDelivery.State.SENT:
                self.message_user(request, _("%(name)s: test message sent") % {"name": channel.name})
            else:
                self.message_user(request, _("%(name)s: failed: %(error)s") % {
                    "name": channel.name, "error": result.error}, level=messages.ERROR)


@admin.register(AlertRule)
class AlertRuleAdmin(admin.ModelAdmin):
    list_display = ("name", "scope_display", "enabled", "on_failure", "on_timeout", "on_recovery",
                    "on_missed_run", "on_system", "long_run_seconds", "channel_names")
    list_filter = ("enabled",)
    list_select_related = ("task", "group")
    search_fields = ("name", "task__task_id", "group__group_id")
    autocomplete_fields = ("task",)
    filter_horizontal = ("channels",)

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("channels")

    @admin.display(description=_("applies to"))
    def scope_display(self, obj):
        if obj.task_id:
            return f"task {obj.task.task_id}"
        return f"group {obj.group.group_id}" if obj.group_id else _("all tasks (default)")

    @admin.display(description=_("channels"))
    def channel_names(self, obj):
        return ", ".join(c.name for c in obj.channels.all())


class AlertDeliveryInline(admin.TabularInline):
    model = AlertDelivery
    fields = ("channel", "event", "status", "attempts", "error", "created_at", "sent_at")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(AlertIncident)
class AlertIncidentAdmin(admin.ModelAdmin):
    list_display = ("id", "kind", "task", "occurrences", "opened_at", "last_seen_at", "resolved_at")
    list_filter = ("kind", ("resolved_at", admin.EmptyFieldListFilter))
    list_select_related = ("task",)
    search_fields = ("task__task_id", "detail")
    readonly_fields = [f.name for f in AlertIncident._meta.fields]
    inlines = [AlertDeliveryInline]

    def has_add_permission(self, request):
        return False


@admin.register(AlertDelivery)
class AlertDeliveryAdmin(admin.ModelAdmin):
    list_display = ("id", "channel", "event", "title", "status", "attempts", "created_at", "sent_at")
    list_filter = ("status", "event", "channel")
    list_select_related = ("channel", "incident")
    search_fields = ("title", "error")
    exclude = ("message",)
    readonly_fields = [f.name for f in AlertDelivery._meta.fields if f.name != "message"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
