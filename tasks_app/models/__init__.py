"""The engine's models, split by concept; import them from here."""
from .alerts import AlertDelivery, AlertIncident, AlertRule, NotificationChannel
from .definitions import (
    QUEUES,
    ConcurrencyPolicy,
    MisfirePolicy,
    Priority,
    ScheduleType,
    TaskDefinition,
    TaskGroup,
    TaskGroupMember,
    parse_priority,
    validate_timezone,
)
from .history import AuditLog, CalendarCoverage, DailyRollup, ServiceHeartbeat, TradingDay
from .runs import ACTIVE_STATUSES, FINISHED_STATUSES, GroupRun, Status, TaskExecution, Trigger, choice_label

__all__ = [
    "ACTIVE_STATUSES", "FINISHED_STATUSES", "QUEUES", "AlertDelivery", "AlertIncident", "AlertRule", "AuditLog",
    "CalendarCoverage", "ConcurrencyPolicy", "DailyRollup", "GroupRun", "MisfirePolicy", "NotificationChannel",
    "Priority", "ScheduleType", "ServiceHeartbeat", "Status", "TaskDefinition", "TaskExecution", "TaskGroup",
    "TaskGroupMember",
    "TradingDay", "Trigger", "choice_label", "parse_priority", "validate_timezone",
]
