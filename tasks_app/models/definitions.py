"""Task definitions and groups: what to run, with which params, schedule and policies."""
import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .. import limits, slots
from ..registry import TASK_TYPE_MAX_LENGTH, ParamsInvalid, UnknownJob, check_task_type, get_job


class ScheduleType(models.TextChoices):
    NONE = "none", pgettext_lazy("schedule type", "Manual")
    CRON = "cron", _("Cron expression")
    INTERVAL = "interval", _("Interval")
    ONCE = "once", _("Once")


class MisfirePolicy(models.TextChoices):
    SKIP = "skip", _("Skip missed runs")
    RUN_ONCE = "run_once", _("Catch up once")
    RUN_ALL = "run_all", _("Catch up every missed run")


class ConcurrencyPolicy(models.TextChoices):
    SKIP = "skip", _("Skip")
    QUEUE = "queue", pgettext_lazy("concurrency policy", "Queue")
    ALLOW = "allow", _("Allow parallel")


QUEUES = ("default", "fetch", "compute")


class Priority(models.IntegerChoices):
    """The old task manager's five levels; any number from 100 to 900 is allowed, lower first."""

    CRITICAL = 100, _("Critical")
    HIGH = 200, _("High")
    NORMAL = 500, _("Normal")
    LOW = 800, _("Low")
    BATCH = 900, _("Batch")


def parse_priority(value):
    """A priority from a number (100 … 900, also as text) or an old level name (CRITICAL … BATCH,
    any case); raises ValueError naming what is accepted."""
    if isinstance(value, bool):
        raise ValueError(_("must be a number from 100 to 900 or one of CRITICAL, HIGH, NORMAL, LOW, BATCH"))
    if isinstance(value, str):
        text = value.strip()
        if text.upper() in Priority.names:
            return Priority[text.upper()].value
        value = int(text) if text.isdigit() else value
    if isinstance(value, int) and 100 <= value <= 900:
        return value
    raise ValueError(_("must be a number from 100 to 900 or one of CRITICAL, HIGH, NORMAL, LOW, BATCH, got %(value)r")
                     % {"value": value})


def default_timezone():
    """The project's TIME_ZONE: the engine assumes no market's clock of its own."""
    return settings.TIME_ZONE


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
        validators=[RegexValidator(r"\A[A-Za-z0-9_.-]+\Z", _("letters, digits, _ . - only"))],
    )
    task_name = models.CharField(max_length=200)
    task_type = models.CharField(max_length=TASK_TYPE_MAX_LENGTH, default="manual")  # registry.task_types()
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
    misfire_policy = models.CharField(
        max_length=8, choices=MisfirePolicy.choices, default=MisfirePolicy.SKIP,
        help_text=_("slots missed by more than misfire_grace: skip them, run once for all, or run each"),
    )
    max_lateness = models.PositiveIntegerField(
        default=6 * 3600, validators=[MinValueValidator(1), MaxValueValidator(31 * 86400)],
        help_text=_("seconds; older missed slots are not caught up"),
    )
    trading_days_only = models.BooleanField(default=False)

    schedule_type = models.CharField(max_length=16, choices=ScheduleType.choices, default=ScheduleType.NONE)
    cron_expression = models.CharField(max_length=120, blank=True)
    interval_seconds = models.PositiveIntegerField(null=True, blank=True)
    start_time = models.DateTimeField(null=True, blank=True)
    end_time = models.DateTimeField(null=True, blank=True)
    timezone = models.CharField(max_length=64, default=default_timezone, validators=[validate_timezone])

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
        self._clean_task_type(errors)
        self._clean_job(errors)
        self._clean_schedule(errors)
        self._clean_lists(errors)
        if errors:
            raise ValidationError(errors)

    def _clean_task_type(self, errors):
        if self.task_type:  # empty: the field's own "cannot be blank"
            try:
                check_task_type(self.task_type)
            except ValueError as exc:
                errors["task_type"] = [str(exc)]

    def _clean_job(self, errors):
        try:
            self.params = get_job(self.job).validate_params(self.params)
        except UnknownJob as exc:
            errors["job"] = [str(exc)]
        except ParamsInvalid as exc:
            errors["params"] = exc.messages

    def _clean_schedule(self, errors):
        for field, message in slots.validate_schedule(
            schedule_type=self.schedule_type, cron_expression=self.cron_expression,
            interval_seconds=self.interval_seconds, start_time=self.start_time, end_time=self.end_time,
        ).items():
            errors.setdefault(field, []).append(message)

    def _clean_lists(self, errors):
        for field in ("tags", "dependencies"):
            value = getattr(self, field)
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                errors[field] = [_("must be a list of strings")]
            elif limits.find_control_char(value):
                errors[field] = ["must not contain NUL or other control characters"]
        if isinstance(self.dependencies, list) and self.task_id in self.dependencies:
            errors["dependencies"] = [_("a task cannot depend on itself")]

    def describe_schedule(self, lang=None):
        return slots.describe(self, lang=lang)

    def next_run_times(self, n=5, after=None):
        return slots.next_run_times(self, n=n, after=after)


class TaskGroup(models.Model):
    """Ordered members run as one group run, sequentially or in parallel.

    A member that fails (after its last retry) stops the group run when ``stop_on_error`` says so:
    the group's own value when it sets one (true or false) decides for every member; when it is
    not set (empty, as in the old task manager's files, which had no such key on groups), each
    member task's own ``stop_on_error`` decides.
    """

    class Mode(models.TextChoices):
        SEQUENTIAL = "sequential", _("Sequential")
        PARALLEL = "parallel", _("Parallel")

    group_id = models.CharField(
        max_length=100, unique=True,
        validators=[RegexValidator(r"\A[A-Za-z0-9_.-]+\Z", _("letters, digits, _ . - only"))],
    )
    group_name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    execution_mode = models.CharField(max_length=16, choices=Mode.choices, default=Mode.SEQUENTIAL)
    enabled = models.BooleanField(default=True)
    stop_on_error = models.BooleanField(
        null=True, blank=True, default=None,
        help_text=_("set: decides for every member; empty: each member task's own stop_on_error"),
    )
    schedule_type = models.CharField(max_length=16, choices=ScheduleType.choices, default=ScheduleType.NONE)
    cron_expression = models.CharField(max_length=120, blank=True)
    interval_seconds = models.PositiveIntegerField(null=True, blank=True)
    timezone = models.CharField(max_length=64, default=default_timezone, validators=[validate_timezone])
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["group_id"]

    def __str__(self):
        return f"{self.group_name} ({self.group_id})"

    def clean(self):
        errors = slots.validate_schedule(
            schedule_type=self.schedule_type, cron_expression=self.cron_expression,
            interval_seconds=self.interval_seconds, start_time=None, end_time=None,
        )
        if errors:
            raise ValidationError(errors)

    def stops_on_error_of(self, task):
        """Whether a failure of member ``task`` stops this group's run (see the class docstring)."""
        return task.stop_on_error if self.stop_on_error is None else self.stop_on_error

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
