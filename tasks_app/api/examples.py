"""Request and response examples of the old task manager's endpoints, shown in /api/docs."""
from drf_spectacular.utils import OpenApiExample

REGISTER_REQUEST = OpenApiExample(
    "Register an hourly task (old TaskConfig JSON)",
    request_only=True,
    value={
        "task_id": "hourly_task", "task_name": "每小时任务", "task_type": "cron",
        "task_module": "app.tasks.example", "task_function": "noop",
        "schedule": {"schedule_type": "cron", "cron_expression": "0 * * * *", "enabled": True},
        "params": {}, "timeout": 600, "retry_count": 2, "retry_delay": 60, "dependencies": [],
        "tags": ["hourly"], "auto_restart": False, "stop_on_error": True, "priority": 500,
        "description": "runs at minute 0 of every hour",
    },
)
START_WRAPPED = OpenApiExample(
    "Runtime params wrapped", request_only=True,
    value={"params": {"seconds": 5}, "with_upstreams": False},
)
START_BARE = OpenApiExample("Runtime params as a bare object", request_only=True, value={"seconds": 5})
START_RESPONSE = OpenApiExample(
    "Started", response_only=True, status_codes=["202"],
    value={"success": True, "message": "task hourly_task started", "task_id": "hourly_task",
           "execution_id": 42, "status": "pending", "skip_reason": "", "execution": {"id": 42, "status": "pending"}},
)
HEALTH_RESPONSE = OpenApiExample(
    "Healthy", response_only=True,
    value={"status": "ok", "database": {"ok": True, "latency_ms": 0.4}, "broker": {"ok": True},
           "beat": {"ok": True, "age_seconds": 3.1}, "workers": {"ok": True, "workers": ["celery@host"]}},
)
IMPORT_REQUEST = OpenApiExample(
    "Import a YAML document (dry run)", request_only=True, media_type="application/json",
    value={"content": "version: '1.0'\ntasks:\n- task_id: hourly_task\n  task_name: hourly\n"
                      "  task_type: cron\n  task_function: noop\n", "dry_run": True},
)
