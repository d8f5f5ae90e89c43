"""Alert text in Chinese or English (settings.MYSTOCKS_ALERT_LANGUAGE), rendered once per delivery.

A message is a dict: ``title``, ``text`` (plain, for e-mail), ``markdown`` (DingTalk, WeCom)
and ``payload`` (the generic webhook's JSON body, documented in ``tasks_app.alerts.channels``).
"""
import zoneinfo

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext_lazy as _

ERROR_LINES = 5

# English source texts; zh-hans in locale/. Rendered in the alert language, not the request's.
TEXT = {
    "alert": _("[ALERT] "), "recovery": _("[RECOVERED] "), "test": _("[TEST] "),
    "failure": _("Task failed"), "timeout": _("Task timed out"), "missed_run": _("Missed run"),
    "long_run": _("Task running too long"), "beat_down": _("Scheduler (beat) is down"),
    "workers_down": _("No worker answers"),
    "calendar_ending": _("Trading calendar runs out soon"), "recovered": _("recovered"),
    "task": _("Task"), "status": _("Status"), "when": _("Time"), "attempt": _("Attempt"), "error": _("Error"),
    "occurrences": _("Occurrences"), "opened": _("Since"), "slot": _("Scheduled for"), "detail": _("Detail"),
    "execution": _("Execution"), "admin": _("Admin"),
    "test_body": _("This is a test message: notification channel {name} works."),
    "system": _("system"),
}


def language():
    return "zh" if str(getattr(settings, "MYSTOCKS_ALERT_LANGUAGE", "zh-hans")).lower().startswith("zh") else "en"


def texts():
    """TEXT in the alert language (MYSTOCKS_ALERT_LANGUAGE)."""
    with translation.override("zh-hans" if language() == "zh" else "en"):
        return {key: str(text) for key, text in TEXT.items()}


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
    t = texts()
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
    t = texts()
    title = f"{t['test']}MyStocks Task Center"
    body = t["test_body"].format(name=channel.name)
    return {
        "title": title, "text": f"{title}\n\n{body}", "markdown": f"### {title}\n\n{body}",
        "payload": {"event": "test", "kind": None, "title": title, "language": language(), "text": body,
                    "task": None, "incident": None, "execution": None},
    }


def _iso(moment):
    return moment.isoformat() if moment else None
