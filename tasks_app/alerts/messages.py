"""Alert text in Chinese or English (settings.MYSTOCKS_ALERT_LANGUAGE), rendered once per delivery.

A message is a dict: ``title``, ``text`` (plain, for e-mail), ``markdown`` (DingTalk, WeCom)
and ``payload`` (the generic webhook's JSON body, documented in ``tasks_app.alerts.channels``).
"""
import zoneinfo

from django.conf import settings

ERROR_LINES = 5

TEXT = {
    "zh": {
        "alert": "【告警】", "recovery": "【恢复】", "test": "【测试】",
        "failure": "任务失败", "timeout": "任务超时", "missed_run": "任务漏跑", "long_run": "任务运行过久",
        "beat_down": "调度器 (beat) 停止", "workers_down": "没有 Worker 响应",
        "calendar_ending": "交易日历即将用尽",
        "recovered": "已恢复",
        "task": "任务", "status": "状态", "when": "时间", "attempt": "第几次尝试", "error": "错误",
        "occurrences": "累计次数", "opened": "开始于", "slot": "计划时间", "detail": "详情",
        "execution": "执行记录", "admin": "管理后台",
        "test_body": "这是一条测试消息，说明通知渠道 {name} 配置正确。",
        "system": "系统",
    },
    "en": {
        "alert": "[ALERT] ", "recovery": "[RECOVERED] ", "test": "[TEST] ",
        "failure": "Task failed", "timeout": "Task timed out", "missed_run": "Missed run",
        "long_run": "Task running too long", "beat_down": "Scheduler (beat) is down",
        "workers_down": "No worker answers", "calendar_ending": "Trading calendar runs out soon",
        "recovered": "recovered",
        "task": "Task", "status": "Status", "when": "Time", "attempt": "Attempt", "error": "Error",
        "occurrences": "Occurrences", "opened": "Since", "slot": "Scheduled for", "detail": "Detail",
        "execution": "Execution", "admin": "Admin",
        "test_body": "This is a test message: notification channel {name} works.",
        "system": "system",
    },
}


def language():
    return "zh" if str(getattr(settings, "MYSTOCKS_ALERT_LANGUAGE", "zh-hans")).lower().startswith("zh") else "en"


def execution_urls(execution_id):
    base = getattr(settings, "MYSTOCKS_BASE_URL", "http://localhost:8888").rstrip("/")
    return {
        "url": f"{base}/executions/{execution_id}/",
        "admin_url": f"{base}/admin/tasks_app/taskexecution/{execution_id}/change/",
    }


def _fmt(moment):
    if moment is None:
        return ""
    return moment.astimezone(zoneinfo.ZoneInfo(settings.TIME_ZONE)).strftime("%Y-%m-%d %H:%M:%S")


def first_lines(text, n=ERROR_LINES):
    lines = (text or "").strip().splitlines()
    return "\n".join(lines[:n]) + ("\n…" if len(lines) > n else "")


def incident_message(incident, event):
    """The message for an incident's alert or recovery."""
    t = TEXT[language()]
    execution = incident.last_execution or incident.first_execution
    subject = incident.task.task_name if incident.task_id else t["system"]
    headline = t[incident.kind] + (f" {t['recovered']}" if event == "recovery" else "")
    title = f"{t[event]}{headline}: {subject}"
    fields = _fields(incident, execution, event, t)
    error = first_lines(execution.error) if execution and event == "alert" else ""
    links = _links(execution, t)
    return {
        "title": title,
        "text": _plain(title, fields, error, links, t),
        "markdown": _markdown(title, fields, error, links, t),
        "payload": _payload(incident, execution, event, title, fields, error),
    }


def _fields(incident, execution, event, t):
    fields = []
    if incident.task_id:
        fields.append((t["task"], f"{incident.task.task_name} ({incident.task.task_id})"))
    if execution is not None:
        fields.append((t["status"], execution.status))
        fields.append((t["when"], _fmt(execution.finished_at or execution.started_at or execution.created_at)))
        fields.append((t["attempt"], str(execution.attempt)))
    if incident.scheduled_for:
        fields.append((t["slot"], _fmt(incident.scheduled_for)))
    fields.append((t["opened"], _fmt(incident.opened_at)))
    if incident.occurrences > 1 or event == "recovery":
        fields.append((t["occurrences"], str(incident.occurrences)))
    if incident.detail:
        fields.append((t["detail"], incident.detail))
    return fields


def _links(execution, t):
    if execution is None:
        return []
    urls = execution_urls(execution.pk)
    return [(f"{t['execution']} #{execution.pk}", urls["url"]), (t["admin"], urls["admin_url"])]


def _plain(title, fields, error, links, t):
    lines = [title, ""] + [f"{name}: {value}" for name, value in fields]
    if error:
        lines += ["", f"{t['error']}:", error]
    if links:
        lines += [""] + [f"{name}: {url}" for name, url in links]
    return "\n".join(lines)


def _markdown(title, fields, error, links, t):
    lines = [f"### {title}", ""] + [f"- **{name}**: {value}" for name, value in fields]
    if error:
        lines += ["", f"**{t['error']}**:", ""] + [f"> {line}" for line in error.splitlines()]
    if links:
        lines += ["", " | ".join(f"[{name}]({url})" for name, url in links)]
    return "\n".join(lines)


def _payload(incident, execution, event, title, fields, error):
    payload = {
        "event": event,
        "kind": incident.kind,
        "title": title,
        "language": language(),
        "task": {"task_id": incident.task.task_id, "task_name": incident.task.task_name} if incident.task_id else None,
        "incident": {
            "id": incident.pk, "opened_at": _iso(incident.opened_at), "resolved_at": _iso(incident.resolved_at),
            "occurrences": incident.occurrences, "scheduled_for": _iso(incident.scheduled_for),
            "detail": incident.detail,
        },
        "execution": None,
    }
    if execution is not None:
        payload["execution"] = {
            "id": execution.pk, "status": execution.status, "attempt": execution.attempt,
            "trigger": execution.trigger, "scheduled_for": _iso(execution.scheduled_for),
            "started_at": _iso(execution.started_at), "finished_at": _iso(execution.finished_at),
            "duration": execution.duration, "error": error, **execution_urls(execution.pk),
        }
    return payload


def test_message(channel):
    t = TEXT[language()]
    title = f"{t['test']}MyStocks Task Center"
    body = t["test_body"].format(name=channel.name)
    return {
        "title": title, "text": f"{title}\n\n{body}", "markdown": f"### {title}\n\n{body}",
        "payload": {"event": "test", "kind": None, "title": title, "language": language(), "text": body,
                    "task": None, "incident": None, "execution": None},
    }


def _iso(moment):
    return moment.isoformat() if moment else None
