"""The names the admin shows for the engine's models and fields: English here, zh-hans in locale/.

One table for every model, applied when the app is ready (``apps.py``), so the admin's titles,
column headers, filter titles ("By task type") and form labels are translated instead of
Django's defaults made from attribute names ("TASK ID", "Alert deliverys"). Field help texts stay
on the fields. The migrations record these names like any verbose_name.
"""
from django.utils.translation import gettext_lazy as _

LABELS = {
    "TaskDefinition": (_("task definition"), _("task definitions"), {
        "task_id": _("task ID"), "task_name": _("task name"), "task_type": _("task type"), "job": _("job"),
        "task_module": _("task module"), "description": _("description"), "priority": _("priority"),
        "params": _("params"), "timeout": _("timeout (s)"), "retry_count": _("retries"),
        "retry_delay": _("retry delay (s)"), "tags": _("tags"), "dependencies": _("dependencies"),
        "auto_restart": _("restart automatically"), "stop_on_error": _("stop group on error"),
        "enabled": _("enabled"), "paused": _("paused"), "queue": _("queue"),
        "concurrency_policy": _("if still running"), "misfire_grace": _("misfire grace (s)"),
        "misfire_policy": _("missed runs"), "max_lateness": _("catch up at most (s) late"),
        "trading_days_only": _("trading days only"), "schedule_type": _("schedule type"),
        "cron_expression": _("cron expression"), "interval_seconds": _("every (seconds)"),
        "start_time": _("start time"), "end_time": _("end time"), "timezone": _("time zone"),
        "created_by": _("created by"), "created_at": _("created at"), "updated_at": _("updated at"),
    }),
    "TaskGroup": (_("task group"), _("task groups"), {
        "group_id": _("group ID"), "group_name": _("group name"), "description": _("description"),
        "execution_mode": _("execution mode"), "enabled": _("enabled"), "stop_on_error": _("stop on error"),
        "schedule_type": _("schedule type"), "cron_expression": _("cron expression"),
        "interval_seconds": _("every (seconds)"), "timezone": _("time zone"), "created_at": _("created at"),
        "updated_at": _("updated at"),
    }),
    "TaskGroupMember": (_("group member"), _("group members"), {
        "group": _("group"), "task": _("task"), "position": _("position"),
    }),
    "GroupRun": (_("group run"), _("group runs"), {
        "group": _("group"), "status": _("status"), "trigger": _("trigger"), "scheduled_for": _("scheduled for"),
        "created_at": _("created at"), "started_at": _("started at"), "finished_at": _("finished at"),
        "duration": _("duration (s)"), "error": _("error"), "created_by": _("created by"),
    }),
    "TaskExecution": (_("execution"), _("executions"), {
        "task": _("task"), "status": _("status"), "trigger": _("trigger"), "scheduled_for": _("scheduled for"),
        "created_at": _("created at"), "queued_at": _("queued at"), "started_at": _("started at"),
        "finished_at": _("finished at"), "duration": _("duration (s)"), "attempt": _("attempt"),
        "retry_of": _("retry of"), "group_run": _("group run"), "worker_host": _("worker host"),
        "worker_pid": _("worker PID"), "celery_task_id": _("Celery task ID"), "heartbeat_at": _("last heartbeat"),
        "progress_done": _("progress done"), "progress_total": _("progress total"),
        "progress_message": _("progress message"), "result": _("result"), "error": _("error"),
        "traceback": _("traceback"), "skip_reason": _("skip reason"), "log": _("log"),
        "log_truncated": _("log truncated"), "params": _("params"), "covers_slots": _("covers slots"),
        "cancel_requested": _("stop requested"), "wait_reason": _("wait reason"), "created_by": _("created by"),
    }),
    "NotificationChannel": (_("notification channel"), _("notification channels"), {
        "name": _("name"), "kind": _("kind"), "enabled": _("enabled"), "recipients": _("recipients"), "url": _("URL"),
        "secret": _("secret"), "created_at": _("created at"), "updated_at": _("updated at"),
    }),
    "AlertRule": (_("alert rule"), _("alert rules"), {
        "name": _("name"), "task": _("task"), "group": _("group"), "enabled": _("enabled"),
        "on_failure": _("on failure"), "on_timeout": _("on timeout"), "on_recovery": _("on recovery"),
        "on_missed_run": _("on missed run"), "on_system": _("on system alerts"),
        "long_run_seconds": _("long run (s)"), "created_at": _("created at"), "updated_at": _("updated at"),
        "channels": _("channels"),
    }),
    "AlertIncident": (_("alert incident"), _("alert incidents"), {
        "key": _("key"), "kind": _("kind"), "task": _("task"), "first_execution": _("first execution"),
        "last_execution": _("last execution"), "scheduled_for": _("scheduled for"), "detail": _("detail"),
        "occurrences": _("occurrences"), "opened_at": _("opened at"), "last_seen_at": _("last seen at"),
        "resolved_at": _("resolved at"),
    }),
    "AlertDelivery": (_("alert delivery"), _("alert deliveries"), {
        "channel": _("channel"), "incident": _("incident"), "event": _("event"), "status": _("status"),
        "title": _("title"), "message": _("message"), "error": _("error"), "attempts": _("attempts"),
        "created_at": _("created at"), "sent_at": _("sent at"),
    }),
    "TradingDay": (_("trading day"), _("trading days"), {
        "date": _("date"), "source": _("source"),
    }),
    "CalendarCoverage": (_("calendar coverage"), _("calendar coverage"), {
        "source": _("source"), "start": _("start"), "end": _("end"), "updated_at": _("updated at"),
    }),
    "AuditLog": (_("audit entry"), _("audit log"), {
        "created_at": _("time"), "actor": _("user"), "actor_name": _("user name"), "action": _("action"),
        "target_type": _("target type"), "target_id": _("target ID"), "interface": _("interface"),
        "changes": _("changes"), "message": _("message"),
    }),
    "DailyRollup": (_("daily roll-up"), _("daily roll-ups"), {
        "day": _("day"), "task": _("task"), "status": _("status"), "count": _("count"),
        "total_duration": _("total duration (s)"), "max_duration": _("longest (s)"),
    }),
    "ServiceHeartbeat": (_("service heartbeat"), _("service heartbeats"), {
        "name": _("name"), "beat_at": _("last beat"), "detail": _("detail"),
    }),
}


def apply_labels(app_config, labels):
    """Set each listed model's verbose names and its fields' verbose_name from ``labels``."""
    for model_name, (singular, plural, fields) in labels.items():
        opts = app_config.get_model(model_name)._meta
        opts.verbose_name, opts.verbose_name_plural = singular, plural
        opts.original_attrs.update(verbose_name=singular, verbose_name_plural=plural)  # seen by migrations
        for name, label in fields.items():
            opts.get_field(name).verbose_name = label
