"""What the engine keeps beside runs: trading calendar, audit trail, daily roll-ups, heartbeats."""
from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .definitions import TaskDefinition
from .runs import Status


class TradingDay(models.Model):
    """An open day of the trading calendar, with the source that said so (a CalendarCoverage's)."""

    date = models.DateField(primary_key=True)
    source = models.CharField(max_length=32)

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
        ADMIN = "admin", _("Admin")
        UI = "ui", _("Pages")
        API = "api", _("API")
        COMMAND = "command", _("Command")
        SYSTEM = "system", _("System")

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
