"""Alerting: notification channels, rules, incidents and deliveries (logic in tasks_app.alerts)."""
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .definitions import TaskDefinition, TaskGroup
from .runs import TaskExecution


class NotificationChannel(models.Model):
    """Where alerts go: an e-mail list, a generic JSON webhook, a DingTalk or WeCom robot."""

    class Kind(models.TextChoices):
        EMAIL = "email", _("E-mail")
        WEBHOOK = "webhook", _("Webhook (JSON)")
        DINGTALK = "dingtalk", _("DingTalk robot")
        WECOM = "wecom", _("WeCom robot")

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
        FAILURE = "failure", _("Failed")
        TIMEOUT = "timeout", _("Timeout")
        MISSED_RUN = "missed_run", pgettext_lazy("alert kind", "Missed run")
        LONG_RUN = "long_run", _("Running too long")
        BEAT_DOWN = "beat_down", _("Beat down")
        WORKERS_DOWN = "workers_down", _("No worker")
        CALENDAR_ENDING = "calendar_ending", _("Trading calendar runs out")

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
            models.UniqueConstraint(fields=["key"], condition=Q(resolved_at__isnull=True),
                                    name="incident_open_key_unique"),
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
        ALERT = "alert", _("Alert")
        RECOVERY = "recovery", _("Recovery")
        TEST = "test", _("Test")

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting to send")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Sending failed")

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
