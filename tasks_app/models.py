import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Concat
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import schedules
from .registry import ParamsInvalid, UnknownJob, get_job


class TaskType(models.TextChoices):
    CRON = "cron", _("定时任务")
    SUPERVISOR = "supervisor", _("常驻任务")
    MANUAL = "manual", _("手动任务")
    DATA_SYNC = "data_sync", _("数据同步")
    INDICATOR_CALC = "indicator_calc", _("指标计算")
    MARKET_FETCH = "market_fetch", _("行情获取")
    DATA_PROCESSING = "data_processing", _("数据处理")
    STRATEGY_BACKTEST = "strategy_backtest", _("策略回测")
    CACHE_CLEANUP = "cache_cleanup", _("缓存清理")
    MARKET_SYNC = "market_sync", _("市场同步")
    NOTIFICATION = "notification", _("通知")
    HEALTH_CHECK = "health_check", _("健康检查")
    CACHE_WARMUP = "cache_warmup", _("缓存预热")
    REPORT_GENERATION = "report_generation", _("报表生成")


class ScheduleType(models.TextChoices):
    NONE = "none", _("手动")
    CRON = "cron", _("Cron 表达式")
    INTERVAL = "interval", _("固定间隔")
    ONCE = "once", _("单次")


class ConcurrencyPolicy(models.TextChoices):
    SKIP = "skip", _("跳过")
    QUEUE = "queue", _("排队")
    ALLOW = "allow", _("允许并行")


QUEUES = ("default", "fetch", "compute")


def validate_timezone(value):
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValidationError(_("unknown time zone %(tz)s"), params={"tz": value}) from None


class TaskDefinition(models.Model):
    """A job with its params, schedule and policies: the source of truth beat is synced from.

    Field names follow the old task manager's YAML so its files map 1:1.
    """

    task_id = models.CharField(
        max_length=100, unique=True,
        validators=[RegexValidator(r"^[A-Za-z0-9_.-]+$", _("letters, digits, _ . - only"))],
    )
    task_name = models.CharField(max_length=200)
    task_type = models.CharField(max_length=32, choices=TaskType.choices, default=TaskType.MANUAL)
    job = models.CharField(max_length=100, help_text=_("registered job name (YAML: task_function)"))
    task_module = models.CharField(max_length=200, blank=True, help_text=_("kept for reference only"))
    description = models.TextField(blank=True)
    priority = models.PositiveIntegerField(
        default=500, validators=[MinValueValidator(100), MaxValueValidator(900)],
        help_text=_("100 critical … 900 batch; lower is more urgent"),
    )
    params = models.JSONField(default=dict, blank=True)
    timeout = models.PositiveIntegerField(default=3600, validators=[MinValueValidator(1)])
    retry_count = models.PositiveIntegerField(default=0, validators=[MaxValueValidator(20)])
    retry_delay = models.PositiveIntegerField(default=60)
    tags = models.JSONField(default=list, blank=True)
    dependencies = models.JSONField(default=list, blank=True, help_text=_("upstream task_ids"))
    auto_restart = models.BooleanField(default=False)
    stop_on_error = models.BooleanField(default=True)
    enabled = models.BooleanField(default=True)
    paused = models.BooleanField(default=False)
    queue = models.CharField(max_length=32, default="default", choices=[(q, q) for q in QUEUES])
    concurrency_policy = models.CharField(
        max_length=8, choices=ConcurrencyPolicy.choices, default=ConcurrencyPolicy.SKIP,
    )
    misfire_grace = models.PositiveIntegerField(default=300, help_text=_("seconds"))
    trading_days_only = models.BooleanField(default=False)

    schedule_type = models.CharField(max_length=16, choices=ScheduleType.choices, default=ScheduleType.NONE)
    cron_expression = models.CharField(max_length=120, blank=True)
    interval_seconds = models.PositiveIntegerField(null=True, blank=True)
    start_time = models.DateTimeField(null=True, blank=True)
    end_time = models.DateTimeField(null=True, blank=True)
    timezone = models.CharField(max_length=64, default="Asia/Shanghai", validators=[validate_timezone])

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["priority", "task_id"]
        permissions = [("run_taskdefinition", "Can run, stop, pause and resume tasks")]

    def __str__(self):
        return f"{self.task_name} ({self.task_id})"

    @property
    def job_spec(self):
        return get_job(self.job)

    @property
    def is_scheduled(self):
        return self.schedule_type != ScheduleType.NONE

    @property
    def tz(self):
        return zoneinfo.ZoneInfo(self.timezone)

    def clean(self):
        errors = {}
        self._clean_job(errors)
        self._clean_schedule(errors)
        self._clean_lists(errors)
        if errors:
            raise ValidationError(errors)

    def _clean_job(self, errors):
        try:
            self.params = get_job(self.job).validate_params(self.params)
        except UnknownJob as exc:
            errors["job"] = [str(exc)]
        except ParamsInvalid as exc:
            errors["params"] = exc.messages

    def _clean_schedule(self, errors):
        for field, message in schedules.validate_schedule(
            schedule_type=self.schedule_type, cron_expression=self.cron_expression,
            interval_seconds=self.interval_seconds, start_time=self.start_time, end_time=self.end_time,
        ).items():
            errors.setdefault(field, []).append(message)

    def _clean_lists(self, errors):
        for field in ("tags", "dependencies"):
            value = getattr(self, field)
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                errors[field] = [_("must be a list of strings")]
        if isinstance(self.dependencies, list) and self.task_id in self.dependencies:
            errors["dependencies"] = [_("a task cannot depend on itself")]

    def describe_schedule(self, lang=None):
        return schedules.describe(self, lang=lang)

    def next_run_times(self, n=5, after=None):
        return schedules.next_run_times(self, n=n, after=after)


class TaskGroup(models.Model):
    """Ordered members run as one group run, sequentially or in parallel."""

    class Mode(models.TextChoices):
        SEQUENTIAL = "sequential", _("顺序执行")
        PARALLEL = "parallel", _("并行执行")

    group_id = models.CharField(
        max_length=100, unique=True,
        validators=[RegexValidator(r"^[A-Za-z0-9_.-]+$", _("letters, digits, _ . - only"))],
    )
    group_name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    execution_mode = models.CharField(max_length=16, choices=Mode.choices, default=Mode.SEQUENTIAL)
    enabled = models.BooleanField(default=True)
    stop_on_error = models.BooleanField(default=True)
    schedule_type = models.CharField(max_length=16, choices=ScheduleType.choices, default=ScheduleType.NONE)
    cron_expression = models.CharField(max_length=120, blank=True)
    interval_seconds = models.PositiveIntegerField(null=True, blank=True)
    timezone = models.CharField(max_length=64, default="Asia/Shanghai", validators=[validate_timezone])
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["group_id"]

    def __str__(self):
        return f"{self.group_name} ({self.group_id})"

    def clean(self):
        errors = schedules.validate_schedule(
            schedule_type=self.schedule_type, cron_expression=self.cron_expression,
            interval_seconds=self.interval_seconds, start_time=None, end_time=None,
        )
        if errors:
            raise ValidationError(errors)

    def member_task_ids(self):
        return [m.task.task_id for m in self.members.select_related("task").order_by("position")]


class TaskGroupMember(models.Model):
    group = models.ForeignKey(TaskGroup, on_delete=models.CASCADE, related_name="members")
    task = models.ForeignKey(TaskDefinition, on_delete=models.CASCADE, related_name="group_memberships")
    position = models.PositiveIntegerField()

    class Meta:
        ordering = ["group", "position"]
        constraints = [
            models.UniqueConstraint(fields=["group", "position"], name="group_member_position_unique"),
            models.UniqueConstraint(fields=["group", "task"], name="group_member_task_unique"),
        ]


class Status(models.TextChoices):
    PENDING = "pending", _("等待中")
    RUNNING = "running", _("运行中")
    SUCCESS = "success", _("成功")
    FAILED = "failed", _("失败")
    TIMEOUT = "timeout", _("超时")
    CANCELLED = "cancelled", _("已取消")
    SKIPPED = "skipped", _("已跳过")


ACTIVE_STATUSES = (Status.PENDING, Status.RUNNING)
FINISHED_STATUSES = (Status.SUCCESS, Status.FAILED, Status.TIMEOUT, Status.CANCELLED, Status.SKIPPED)


class Trigger(models.TextChoices):
    SCHEDULE = "schedule", _("调度")
    MANUAL = "manual", _("手动")
    API = "api", _("API")
    RETRY = "retry", _("重试")
    DEPENDENCY = "dependency", _("依赖")
    GROUP = "group", _("任务组")
    RESTART = "restart", _("自动重启")


class GroupRun(models.Model):
    """One run of a TaskGroup: pending → running → success | failed | cancelled."""

    group = models.ForeignKey(TaskGroup, on_delete=models.CASCADE, related_name="runs")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    trigger = models.CharField(max_length=16, choices=Trigger.choices, default=Trigger.MANUAL)
    scheduled_for = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    duration = models.FloatField(null=True, blank=True)
    error = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
    )

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["group", "-created_at"], name="grouprun_group_created")]
        constraints = [
            models.UniqueConstraint(
                fields=["group", "scheduled_for"], condition=Q(trigger="schedule"),
                name="grouprun_scheduled_slot_unique",
            ),
        ]


class TaskExecution(models.Model):
    """One attempt at running a task.

    State machine (every change is a conditional UPDATE, so two processes never both win)::

        pending ──mark_running──▶ running ──finish──▶ success | failed | timeout | cancelled
        pending ──skip──────────▶ skipped        (a policy said no; ``skip_reason`` says which)
        pending ──cancel────────▶ cancelled      (stopped before a worker started it)

    A finished row never changes status again. Retries are new rows (``retry_of``, ``attempt``).
    """

    task = models.ForeignKey(TaskDefinition, on_delete=models.CASCADE, related_name="executions")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    trigger = models.CharField(max_length=16, choices=Trigger.choices, default=Trigger.MANUAL)
    scheduled_for = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    queued_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    duration = models.FloatField(null=True, blank=True, help_text=_("seconds"))
    attempt = models.PositiveIntegerField(default=1)
    retry_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="retries")
    group_run = models.ForeignKey(
        GroupRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="executions",
    )
    worker_host = models.CharField(max_length=200, blank=True)
    worker_pid = models.PositiveIntegerField(null=True, blank=True)
    celery_task_id = models.CharField(max_length=64, blank=True, db_index=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    progress_done = models.FloatField(null=True, blank=True)
    progress_total = models.FloatField(null=True, blank=True)
    progress_message = models.CharField(max_length=500, blank=True)
    result = models.JSONField(null=True, blank=True)
    error = models.TextField(blank=True)
    traceback = models.TextField(blank=True)
    skip_reason = models.TextField(blank=True)
    log = models.TextField(blank=True)
    log_truncated = models.BooleanField(default=False)
    params = models.JSONField(default=dict, blank=True)
    cancel_requested = models.BooleanField(default=False)
    wait_reason = models.CharField(
        max_length=200, blank=True, help_text=_("why a pending run is held back (overlap queue, upstreams)"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["task", "-created_at"], name="exec_task_created"),
            models.Index(fields=["-created_at"], name="exec_created"),
            models.Index(fields=["status", "-created_at"], name="exec_status_created"),
            models.Index(fields=["task", "status", "-finished_at"], name="exec_task_status_finished"),
            models.Index(fields=["task"], condition=Q(status="pending") & ~Q(wait_reason=""), name="exec_waiting"),
            models.Index(fields=["heartbeat_at"], condition=Q(status="running"), name="exec_running_heartbeat"),
        ]
        constraints = [
            # Exactly-once scheduled slots: a second beat firing the same slot hits this.
            models.UniqueConstraint(
                fields=["task", "scheduled_for"], condition=Q(trigger="schedule"),
                name="exec_scheduled_slot_unique",
            ),
        ]

    def __str__(self):
        return f"#{self.pk} {self.task_id} {self.status}"

    @property
    def is_finished(self):
        return self.status in FINISHED_STATUSES

    @property
    def lag(self):
        if self.started_at and self.scheduled_for:
            return (self.started_at - self.scheduled_for).total_seconds()
        return None

    def _transition(self, from_statuses, *, unless_cancelled=False, **changes):
        """Apply ``changes`` only if the row is still in one of ``from_statuses``; True when it was."""
        rows = TaskExecution.objects.filter(pk=self.pk, status__in=from_statuses)
        if unless_cancelled:
            rows = rows.filter(cancel_requested=False)
        if not rows.update(**changes):
            return False
        for field, value in changes.items():
            if not hasattr(value, "resolve_expression"):
                setattr(self, field, value)
        return True

    def mark_running(self, *, worker_host, worker_pid):
        """pending → running, unless it was cancelled or another delivery already started it."""
        now = timezone.now()
        return self._transition(
            [Status.PENDING], unless_cancelled=True, status=Status.RUNNING, started_at=now,
            heartbeat_at=now, worker_host=worker_host, worker_pid=worker_pid,
        )

    def skip(self, reason):
        """pending → skipped with the policy's reason."""
        now = timezone.now()
        return self._transition(
            [Status.PENDING], status=Status.SKIPPED, skip_reason=reason, finished_at=now, duration=0,
        )

    def cancel_pending(self, reason="stopped by user"):
        """pending → cancelled; the worker will find it cancelled and not start it."""
        return self._transition(
            [Status.PENDING], status=Status.CANCELLED, cancel_requested=True, error=reason,
            finished_at=timezone.now(),
        )

    def finish(self, status, *, result=None, error="", traceback="", log_tail="", log_truncated=False, progress=None):
        """running → a final status, with its outcome, duration and the last captured log lines."""
        now = timezone.now()
        changes = {
            "status": status, "result": result, "error": error, "traceback": traceback,
            "finished_at": now, "duration": (now - self.started_at).total_seconds() if self.started_at else None,
        }
        if log_tail:
            changes["log"] = Concat(F("log"), models.Value(log_tail))
        if log_truncated:
            changes["log_truncated"] = True
        if progress:
            changes.update(progress_done=progress["done"], progress_total=progress["total"],
                           progress_message=progress["message"])
        if not self._transition([Status.RUNNING], **changes):
            return False
        if log_tail:
            self.log += log_tail
        return True

    def append_log(self, text, *, truncated=False):
        """Append captured lines in the database (readable while the job runs)."""
        changes = {"log": Concat(F("log"), models.Value(text))}
        if truncated:
            changes["log_truncated"] = True
        TaskExecution.objects.filter(pk=self.pk).update(**changes)

    def record_progress(self, progress):
        TaskExecution.objects.filter(pk=self.pk).update(
            progress_done=progress["done"], progress_total=progress["total"],
            progress_message=progress["message"],
        )

    def record_heartbeat(self):
        """Refresh heartbeat_at; return whether a stop was requested meanwhile."""
        TaskExecution.objects.filter(pk=self.pk).update(heartbeat_at=timezone.now())
        return TaskExecution.objects.filter(pk=self.pk, cancel_requested=True).exists()


class TradingDay(models.Model):
    """An open day of the A-share market (SSE/SZSE share one calendar)."""

    date = models.DateField(primary_key=True)
    source = models.CharField(max_length=32, default="akshare-bundled")

    class Meta:
        ordering = ["date"]

    def __str__(self):
        return self.date.isoformat()


class CalendarCoverage(models.Model):
    """The date range a calendar source has covered: days inside it that are not TradingDays are closed."""

    source = models.CharField(max_length=32, primary_key=True)
    start = models.DateField()
    end = models.DateField()
    updated_at = models.DateTimeField(auto_now=True)


class AuditLog(models.Model):
    """Who did what to which object, from which interface. Written by the service layer only."""

    class Interface(models.TextChoices):
        ADMIN = "admin", _("管理后台")
        UI = "ui", _("页面")
        API = "api", _("API")
        COMMAND = "command", _("命令行")
        SYSTEM = "system", _("系统")

    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
    )
    actor_name = models.CharField(max_length=150, blank=True, help_text=_("kept when the user is deleted"))
    action = models.CharField(max_length=32)
    target_type = models.CharField(max_length=32)
    target_id = models.CharField(max_length=200, blank=True)
    interface = models.CharField(max_length=16, choices=Interface.choices, default=Interface.SYSTEM)
    changes = models.JSONField(default=dict, blank=True, help_text=_("field: [old, new] for updates"))
    message = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["target_type", "target_id", "-created_at"], name="audit_target")]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_name or 'system'} {self.action} {self.target_id}"


class DailyRollup(models.Model):
    """Executions per task, day (in TIME_ZONE) and status, kept after old executions are deleted."""

    day = models.DateField()
    task = models.ForeignKey(TaskDefinition, on_delete=models.CASCADE, related_name="rollups")
    status = models.CharField(max_length=16, choices=Status.choices)
    count = models.PositiveIntegerField(default=0)
    total_duration = models.FloatField(default=0)
    max_duration = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["-day"]
        constraints = [
            models.UniqueConstraint(fields=["day", "task", "status"], name="rollup_day_task_status_unique"),
        ]


class ServiceHeartbeat(models.Model):
    """Last sign of life of a singleton service (beat, reaper), for health checks and alerts."""

    name = models.CharField(max_length=32, primary_key=True)
    beat_at = models.DateTimeField()
    detail = models.JSONField(default=dict, blank=True)

    def __str__(self):
        return f"{self.name} @ {self.beat_at:%Y-%m-%d %H:%M:%S}"


# === Alerts (issue #7: notification channels, rules, incidents, deliveries) ===================
# Owned by the operations area (tasks_app/alerts/). Decisions live in tasks_app.alerts.incidents.


class NotificationChannel(models.Model):
    """Where alerts go: an e-mail list, a generic JSON webhook, a DingTalk or WeCom robot."""

    class Kind(models.TextChoices):
        EMAIL = "email", _("电子邮件")
        WEBHOOK = "webhook", _("Webhook (JSON)")
        DINGTALK = "dingtalk", _("钉钉机器人")
        WECOM = "wecom", _("企业微信机器人")

    name = models.CharField(max_length=100, unique=True)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    enabled = models.BooleanField(default=True)
    recipients = models.JSONField(default=list, blank=True, help_text=_("e-mail addresses (e-mail channels)"))
    url = models.URLField(max_length=500, blank=True, help_text=_("webhook / robot URL"))
    secret = models.CharField(
        max_length=200, blank=True,
        help_text=_("DingTalk signing secret, or the HMAC key of a generic webhook; never shown in full"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return f"{self.name} ({self.kind})"

    def clean(self):
        if self.kind == self.Kind.EMAIL:
            if not self.recipients or not isinstance(self.recipients, list):
                raise ValidationError({"recipients": _("an e-mail channel needs a list of recipients")})
        elif not self.url:
            raise ValidationError({"url": _("this channel needs a URL")})


class AlertRule(models.Model):
    """Which events of which tasks alert which channels.

    Scope: a task, a group (its member tasks) or, with neither, the global default. The most
    specific scope that has enabled rules wins for a task (task rules, else its groups' rules,
    else the global rules); system alerts (beat down, no worker) use the global rules.
    """

    name = models.CharField(max_length=100)
    task = models.ForeignKey(
        TaskDefinition, null=True, blank=True, on_delete=models.CASCADE, related_name="alert_rules",
    )
    group = models.ForeignKey(TaskGroup, null=True, blank=True, on_delete=models.CASCADE, related_name="alert_rules")
    enabled = models.BooleanField(default=True)
    channels = models.ManyToManyField(NotificationChannel, related_name="rules", blank=True)
    on_failure = models.BooleanField(default=True, help_text=_("after the last retry failed"))
    on_timeout = models.BooleanField(default=True)
    on_recovery = models.BooleanField(default=True, help_text=_("first success after an alert"))
    on_missed_run = models.BooleanField(default=True, help_text=_("a scheduled slot never started"))
    on_system = models.BooleanField(default=True, help_text=_("beat down / no worker (global rules only)"))
    long_run_seconds = models.PositiveIntegerField(
        null=True, blank=True, help_text=_("alert when a run takes longer than this"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def clean(self):
        if self.task_id and self.group_id:
            raise ValidationError(_("a rule applies to a task or a group, not both"))

    @property
    def scope(self):
        if self.task_id:
            return "task"
        return "group" if self.group_id else "global"


class AlertIncident(models.Model):
    """One problem, alerted once: open while it lasts, resolved by a recovery.

    At most one open incident per ``key`` (kind + task, or kind + "system"), enforced by a
    partial unique constraint, so repeated failures or missed slots only count ``occurrences``.
    """

    class Kind(models.TextChoices):
        FAILURE = "failure", _("失败")
        TIMEOUT = "timeout", _("超时")
        MISSED_RUN = "missed_run", _("漏跑")
        LONG_RUN = "long_run", _("运行过久")
        BEAT_DOWN = "beat_down", _("调度器停止")
        WORKERS_DOWN = "workers_down", _("无可用 Worker")

    key = models.CharField(max_length=160)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    task = models.ForeignKey(
        TaskDefinition, null=True, blank=True, on_delete=models.CASCADE, related_name="alert_incidents",
    )
    first_execution = models.ForeignKey(
        TaskExecution, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
    )
    last_execution = models.ForeignKey(
        TaskExecution, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
    )
    scheduled_for = models.DateTimeField(null=True, blank=True, help_text=_("first missed slot"))
    detail = models.TextField(blank=True)
    occurrences = models.PositiveIntegerField(default=1)
    opened_at = models.DateTimeField(default=timezone.now)
    last_seen_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-opened_at", "-id"]
        indexes = [models.Index(fields=["task", "kind", "resolved_at"], name="incident_task_kind")]
        constraints = [
            models.UniqueConstraint(fields=["key"], condition=Q(resolved_at__isnull=True), name="incident_open_key_unique"),
        ]

    def __str__(self):
        state = "resolved" if self.resolved_at else "open"
        return f"{self.kind} {self.task.task_id if self.task_id else 'system'} ({state})"

    @property
    def is_open(self):
        return self.resolved_at is None


class AlertDelivery(models.Model):
    """One message to one channel, with every attempt's outcome."""

    class Event(models.TextChoices):
        ALERT = "alert", _("告警")
        RECOVERY = "recovery", _("恢复")
        TEST = "test", _("测试")

    class State(models.TextChoices):
        PENDING = "pending", _("待发送")
        SENT = "sent", _("已发送")
        FAILED = "failed", _("发送失败")

    channel = models.ForeignKey(NotificationChannel, on_delete=models.CASCADE, related_name="deliveries")
    incident = models.ForeignKey(
        AlertIncident, null=True, blank=True, on_delete=models.CASCADE, related_name="deliveries",
    )
    event = models.CharField(max_length=16, choices=Event.choices)
    status = models.CharField(max_length=16, choices=State.choices, default=State.PENDING)
    title = models.CharField(max_length=300, blank=True)
    message = models.JSONField(default=dict, blank=True, help_text=_("the rendered message, fixed when queued"))
    error = models.TextField(blank=True)
    attempts = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "-created_at"], name="delivery_status_created")]

    def __str__(self):
        return f"{self.event} → {self.channel.name}: {self.status}"
