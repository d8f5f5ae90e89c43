"""Representations. Writes of task definitions validate through ``TaskConfigSerializer``, whose
validation is the YAML import's builder (``catalogue_yaml.build_task_definition``), so the API,
the YAML files and the old task manager's TaskConfig are one format; it saves through the
catalogue service."""
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from .. import catalogue, stats
from ..catalogue_yaml import build_task_definition, task_to_dict
from ..models import (
    AuditLog,
    GroupRun,
    Priority,
    ScheduleType,
    Status,
    TaskDefinition,
    TaskExecution,
    TaskGroup,
)
from ..registry import task_type_choices
from ..slots import describe


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()
    errors = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))


class ScheduleSerializer(serializers.Serializer):
    schedule_type = serializers.ChoiceField(choices=ScheduleType.choices)
    cron_expression = serializers.CharField(required=False, allow_blank=True)
    interval_seconds = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    start_time = serializers.DateTimeField(required=False, allow_null=True)
    end_time = serializers.DateTimeField(required=False, allow_null=True)
    enabled = serializers.BooleanField(required=False)


@extend_schema_field({"oneOf": [
    {"type": "integer", "minimum": 100, "maximum": 900},
    {"type": "string", "enum": list(Priority.names), "description": "an old level name, any case"},
]})
class PriorityField(serializers.IntegerField):
    """Documents that a priority is a number (100 first … 900) or a level name; the builder parses it."""


class TaskConfigSerializer(serializers.Serializer):
    """The old task manager's TaskConfig (request body of register, PUT and PATCH).

    The declared fields document the format for the schema; validation is the import's builder,
    ``build_task_definition``, reporting each bad key, and saving is ``catalogue.save_task_definition``.
    With an instance, the definition is rebuilt in place (its executions and statistics stay).
    """

    task_id = serializers.RegexField(r"\A[A-Za-z0-9_.-]+\Z", max_length=100)
    task_name = serializers.CharField(max_length=200)
    task_type = serializers.ChoiceField(choices=[], help_text="a registered task type")
    task_function = serializers.CharField(help_text="registered job name (see GET /api/jobs/)")
    task_module = serializers.CharField(required=False, allow_blank=True, help_text="kept for reference only")
    schedule = ScheduleSerializer(required=False, allow_null=True)
    params = serializers.DictField(required=False)
    timeout = serializers.IntegerField(required=False, min_value=1)
    retry_count = serializers.IntegerField(required=False, min_value=0, max_value=20)
    retry_delay = serializers.IntegerField(required=False, min_value=0)
    dependencies = serializers.ListField(child=serializers.CharField(), required=False)
    tags = serializers.ListField(child=serializers.CharField(), required=False)
    auto_restart = serializers.BooleanField(required=False)
    stop_on_error = serializers.BooleanField(required=False)
    priority = PriorityField(required=False, min_value=100, max_value=900)
    description = serializers.CharField(required=False, allow_blank=True)
    timezone = serializers.CharField(required=False)
    trading_days_only = serializers.BooleanField(required=False)
    misfire_grace = serializers.IntegerField(required=False, min_value=0)
    misfire_policy = serializers.ChoiceField(choices=["skip", "run_once", "run_all"], required=False)
    max_lateness = serializers.IntegerField(required=False, min_value=1, max_value=31 * 86400)
    concurrency_policy = serializers.ChoiceField(choices=["skip", "queue", "allow"], required=False)
    queue = serializers.ChoiceField(choices=["default", "fetch", "compute"], required=False)
    enabled = serializers.BooleanField(required=False)
    paused = serializers.BooleanField(required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["task_type"].choices = task_type_choices()  # the registry's, at request time

    def to_internal_value(self, data):
        definition, errors = build_task_definition(data, existing=self.instance)
        if errors:
            raise serializers.ValidationError(errors)
        return {"definition": definition}

    def create(self, validated_data):
        return catalogue.save_task_definition(
            validated_data["definition"], actor=self.context["request"].user, interface="api",
        )

    def update(self, instance, validated_data):
        return self.create(validated_data)


class StoredDateTimeField(serializers.DateTimeField):
    """A stored moment, in UTC when it cannot be shown in the local time zone (out of range): the list still renders."""

    def to_representation(self, value):
        try:
            return super().to_representation(value)
        except serializers.ValidationError:
            return value.isoformat()


class TaskSerializer(serializers.ModelSerializer):
    """A task as the old task manager returned it (its TaskConfig keys) plus schedule in words and runs."""

    task_function = serializers.CharField(source="job")
    start_time = StoredDateTimeField(allow_null=True, read_only=True)
    end_time = StoredDateTimeField(allow_null=True, read_only=True)
    schedule = serializers.SerializerMethodField()
    schedule_description = serializers.SerializerMethodField()
    next_run_at = serializers.SerializerMethodField()
    last_run_at = serializers.DateTimeField(allow_null=True, read_only=True)
    last_status = serializers.ChoiceField(choices=Status.choices, allow_null=True, read_only=True)

    class Meta:
        model = TaskDefinition
        fields = [
            "id", "task_id", "task_name", "task_type", "task_function", "job", "task_module", "description",
            "priority", "schedule", "schedule_type", "cron_expression", "interval_seconds", "start_time",
            "end_time", "timezone", "params", "timeout", "retry_count", "retry_delay", "tags", "dependencies",
            "auto_restart", "stop_on_error", "enabled", "paused", "queue", "concurrency_policy",
            "misfire_grace", "misfire_policy", "max_lateness", "trading_days_only", "schedule_description",
            "next_run_at", "last_run_at",
            "last_status", "created_at", "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(ScheduleSerializer(allow_null=True))
    def get_schedule(self, task):
        return task_to_dict(task).get("schedule")

    def get_schedule_description(self, task) -> str:
        return task.describe_schedule()

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_next_run_at(self, task):
        return stats.next_run_at(task)


class ProgressSerializer(serializers.Serializer):
    done = serializers.FloatField(allow_null=True)
    total = serializers.FloatField(allow_null=True)
    message = serializers.CharField()
    percent = serializers.FloatField(allow_null=True)


class ExecutionSerializer(serializers.ModelSerializer):
    """An execution in lists: no log or traceback (fetch one execution for those)."""

    execution_id = serializers.IntegerField(source="pk", read_only=True)
    task_id = serializers.CharField(source="task.task_id", read_only=True)
    task_name = serializers.CharField(source="task.task_name", read_only=True)
    progress = serializers.SerializerMethodField()
    created_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)

    class Meta:
        model = TaskExecution
        fields = [
            "id", "execution_id", "task_id", "task_name", "status", "trigger", "scheduled_for", "created_at",
            "queued_at", "started_at", "finished_at", "duration", "attempt", "retry_of", "group_run",
            "progress", "error", "skip_reason", "wait_reason", "cancel_requested", "worker_host", "params",
            "created_by",
        ]
        read_only_fields = fields

    @extend_schema_field(ProgressSerializer)
    def get_progress(self, execution):
        done, total = execution.progress_done, execution.progress_total
        percent = round(100 * done / total, 1) if done is not None and total else None
        return {"done": done, "total": total, "message": execution.progress_message, "percent": percent}


class ExecutionDetailSerializer(ExecutionSerializer):
    lag = serializers.FloatField(read_only=True, allow_null=True)
    result = serializers.JSONField(read_only=True, allow_null=True)

    class Meta(ExecutionSerializer.Meta):
        fields = [
            *ExecutionSerializer.Meta.fields, "result", "traceback", "log", "log_truncated", "celery_task_id",
            "heartbeat_at", "worker_pid", "lag", "covers_slots",
        ]
        read_only_fields = fields


class StartRequestSerializer(serializers.Serializer):
    params = serializers.DictField(required=False, help_text="runtime params; a bare object is accepted too")
    with_upstreams = serializers.BooleanField(required=False, default=False)


class StartResponseSerializer(serializers.Serializer):
    success = serializers.BooleanField()
    message = serializers.CharField()
    task_id = serializers.CharField()
    execution_id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=Status.choices)
    skip_reason = serializers.CharField(allow_blank=True)
    execution = ExecutionSerializer()


class StopResponseSerializer(serializers.Serializer):
    success = serializers.BooleanField()
    message = serializers.CharField()
    stopped = serializers.IntegerField()


class NextRunsSerializer(serializers.Serializer):
    task_id = serializers.CharField()
    schedule_description = serializers.CharField()
    next_runs = serializers.ListField(child=serializers.DateTimeField())


class TaskStatisticsSerializer(serializers.Serializer):
    task_id = serializers.CharField()
    total = serializers.IntegerField()
    success = serializers.IntegerField()
    failed = serializers.IntegerField()
    timeout = serializers.IntegerField()
    cancelled = serializers.IntegerField()
    skipped = serializers.IntegerField()
    success_rate = serializers.FloatField(allow_null=True)
    avg_duration = serializers.FloatField(allow_null=True)
    p50_duration = serializers.FloatField(allow_null=True)
    p95_duration = serializers.FloatField(allow_null=True)
    max_duration = serializers.FloatField(allow_null=True)
    last_run_at = serializers.DateTimeField(allow_null=True)
    last_status = serializers.CharField(allow_null=True)
    next_run_at = serializers.DateTimeField(allow_null=True)


class GlobalStatisticsSerializer(serializers.Serializer):
    tasks = serializers.IntegerField()
    enabled = serializers.IntegerField()
    running_now = serializers.IntegerField()
    executions_today = serializers.IntegerField()
    success_rate_today = serializers.FloatField(allow_null=True)
    success_rate_7d = serializers.FloatField(allow_null=True)
    failures_today = serializers.IntegerField()


class DailyCountsSerializer(serializers.Serializer):
    day = serializers.DateField()
    success = serializers.IntegerField()
    failed = serializers.IntegerField()
    timeout = serializers.IntegerField()
    cancelled = serializers.IntegerField()
    skipped = serializers.IntegerField()
    total = serializers.IntegerField()


class StatisticsSerializer(serializers.Serializer):
    global_ = GlobalStatisticsSerializer()
    tasks = TaskStatisticsSerializer(many=True)
    daily = DailyCountsSerializer(many=True)

    def get_fields(self):
        fields = super().get_fields()
        fields["global"] = fields.pop("global_")
        return fields


class AuditLogSerializer(serializers.ModelSerializer):
    class Meta:
        model = AuditLog
        fields = ["id", "created_at", "actor", "actor_name", "action", "target_type", "target_id",
                  "interface", "changes", "message"]
        read_only_fields = fields


class GroupSerializer(serializers.ModelSerializer):
    tasks = serializers.SerializerMethodField()
    schedule_description = serializers.SerializerMethodField()

    class Meta:
        model = TaskGroup
        fields = ["id", "group_id", "group_name", "description", "execution_mode", "enabled", "stop_on_error",
                  "schedule_type", "cron_expression", "interval_seconds", "timezone", "schedule_description",
                  "tasks", "created_at", "updated_at"]
        read_only_fields = fields

    def get_tasks(self, group) -> list[str]:
        return [m.task.task_id for m in sorted(group.members.all(), key=lambda m: m.position)]

    def get_schedule_description(self, group) -> str:
        if group.schedule_type not in (ScheduleType.CRON, ScheduleType.INTERVAL):
            return ""  # groups have no start_time, so no "once" to describe
        return describe(group)


class MemberExecutionSerializer(serializers.ModelSerializer):
    task_id = serializers.CharField(source="task.task_id", read_only=True)

    class Meta:
        model = TaskExecution
        fields = ["id", "task_id", "status", "started_at", "finished_at", "duration", "error"]
        read_only_fields = fields


class GroupRunSerializer(serializers.ModelSerializer):
    group_id = serializers.CharField(source="group.group_id", read_only=True)
    members = MemberExecutionSerializer(source="executions", many=True, read_only=True)
    summary = serializers.SerializerMethodField()

    class Meta:
        model = GroupRun
        fields = ["id", "group_id", "status", "trigger", "scheduled_for", "created_at", "started_at",
                  "finished_at", "duration", "error", "summary", "members"]
        read_only_fields = fields

    def get_summary(self, run) -> dict[str, int]:
        counts = {"total": 0, **{s: 0 for s in Status.values}}
        for execution in run.executions.all():
            counts[execution.status] += 1
            counts["total"] += 1
        return counts


class GroupStartResponseSerializer(serializers.Serializer):
    success = serializers.BooleanField()
    message = serializers.CharField()
    group_run = GroupRunSerializer()


class JobParamSerializer(serializers.Serializer):
    name = serializers.CharField()
    type = serializers.CharField()
    default = serializers.JSONField(allow_null=True)
    choices = serializers.ListField(child=serializers.JSONField(), allow_null=True)
    required = serializers.BooleanField()
    help = serializers.CharField(allow_blank=True)


class JobSerializer(serializers.Serializer):
    name = serializers.CharField()
    description = serializers.CharField(allow_blank=True)
    queue = serializers.CharField()
    implemented = serializers.BooleanField()
    params = JobParamSerializer(many=True)


class ImportRequestSerializer(serializers.Serializer):
    content = serializers.CharField(help_text="the YAML or JSON document")
    dry_run = serializers.BooleanField(required=False, default=False)
    replace = serializers.BooleanField(required=False, default=False)


class ImportReportSerializer(serializers.Serializer):
    errors = serializers.ListField(child=serializers.CharField())
    warnings = serializers.ListField(child=serializers.CharField(), help_text="imported, but will not work as written")
    notes = serializers.ListField(child=serializers.CharField(), help_text="how old-format keys were read")
    created = serializers.ListField(child=serializers.CharField())
    updated = serializers.ListField(child=serializers.CharField())
    unchanged = serializers.ListField(child=serializers.CharField())
    deleted = serializers.ListField(child=serializers.CharField())
    groups_created = serializers.ListField(child=serializers.CharField())
    groups_updated = serializers.ListField(child=serializers.CharField())
    groups_deleted = serializers.ListField(child=serializers.CharField())
    applied = serializers.BooleanField()
    dry_run = serializers.BooleanField()


class CleanupResponseSerializer(serializers.Serializer):
    success = serializers.BooleanField()
    message = serializers.CharField()
    deleted = serializers.IntegerField()
    days = serializers.IntegerField()
