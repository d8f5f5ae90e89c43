"""System health: database, broker, beat heartbeat and workers, checked in one call.

``system_health()`` never raises: every probe catches its own failure and reports it, so the
health endpoint answers even while the thing it checks is down. Status:

- ``down``: the database or the broker is unreachable (nothing can be dispatched);
- ``degraded``: beat's heartbeat is stale or no worker answered (schedules or runs stall);
- ``ok``: everything answered.

``calendar`` reports how many future trading days the calendar knows ("ends in N days"); it does
not change the status (runs still dispatch), the alert checks raise it as an alert instead.
"""
import logging
import threading
import time

from celery import current_app
from django.conf import settings
from django.db import connection
from django.utils import timezone

from . import calendar
from .models import ServiceHeartbeat

logger = logging.getLogger(__name__)

BEAT_HEARTBEAT_NAME = "beat"
# What a failing component means for the whole: the database and broker stop everything.
COMPONENT_DOWN_STATUS = {"database": "down", "broker": "down", "beat": "degraded", "workers": "degraded"}
_cache_lock = threading.Lock()
_cached = {"report": None, "at": 0.0}


def system_health(*, inspect_timeout=1.0):
    """Probe every part of the system and return a JSON-ready report (see module docstring)."""
    database = check_database()
    broker = check_broker(timeout=max(inspect_timeout, 0.5))
    beat = check_beat() if database["ok"] else {"ok": False, "last_heartbeat": None, "age_seconds": None}
    workers = check_workers(timeout=inspect_timeout) if broker["ok"] else {"ok": False, "workers": []}
    return {
        "calendar": check_calendar() if database["ok"] else {"ok": False},
        "status": overall_status(database=database, broker=broker, beat=beat, workers=workers),
        "database": database,
        "broker": broker,
        "beat": beat,
        "workers": workers,
        "checked_at": timezone.now().isoformat(),
    }


def cached_system_health(*, inspect_timeout=1.0, max_age=None):
    """system_health(), reused for ``max_age`` seconds (MYSTOCKS_HEALTH_CACHE_SECONDS) in this process.

    Asking the workers waits for their replies (a second or more): uncached, every anonymous
    call to the health endpoint held a web thread that long. Concurrent callers wait for one probe.
    """
    max_age = getattr(settings, "MYSTOCKS_HEALTH_CACHE_SECONDS", 5) if max_age is None else max_age
    with _cache_lock:
        if _cached["report"] is None or time.monotonic() - _cached["at"] > max_age:
            _cached["report"] = system_health(inspect_timeout=inspect_timeout)
            _cached["at"] = time.monotonic()
        return _cached["report"]


def forget_cached_health():
    with _cache_lock:
        _cached["report"] = None


def public_report(report):
    """The health report for anyone: each component's ok flag and status, no host, port, role or worker names."""
    summary = {"status": report["status"], "checked_at": report["checked_at"]}
    for name, failing in COMPONENT_DOWN_STATUS.items():
        ok = bool(report[name].get("ok"))
        summary[name] = {"ok": ok, "status": "ok" if ok else failing}
    return summary


def overall_status(*, database, broker, beat, workers):
    if not (database["ok"] and broker["ok"]):
        return "down"
    if not (beat["ok"] and workers["ok"]):
        return "degraded"
    return "ok"


def check_database():
    started = time.monotonic()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any driver error means "not reachable" to an operator
        return {"ok": False, "error": _short(exc), "latency_ms": None}
    return {"ok": True, "latency_ms": round((time.monotonic() - started) * 1000, 2)}


def check_broker(*, timeout=1.0):
    started = time.monotonic()
    try:
        with current_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=timeout)
    except Exception as exc:
        return {"ok": False, "error": _short(exc), "transport": _transport_name(current_app)}
    return {
        "ok": True, "transport": _transport_name(current_app),
        "latency_ms": round((time.monotonic() - started) * 1000, 2),
    }


def beat_heartbeat_age(now=None):
    """(last heartbeat datetime or None, its age in seconds or None) of the beat process."""
    heartbeat = ServiceHeartbeat.objects.filter(name=BEAT_HEARTBEAT_NAME).first()
    if heartbeat is None:
        return None, None
    return heartbeat.beat_at, ((now or timezone.now()) - heartbeat.beat_at).total_seconds()


def beat_stale_seconds():
    # Beat writes its heartbeat every 5 s; the default tolerates a slow database or a restart.
    return getattr(settings, "MYSTOCKS_BEAT_STALE_SECONDS", 60)


def check_beat():
    try:
        last, age = beat_heartbeat_age()
    except Exception as exc:
        return {"ok": False, "error": _short(exc), "last_heartbeat": None, "age_seconds": None}
    return {
        "ok": age is not None and age <= beat_stale_seconds(),
        "last_heartbeat": last.isoformat() if last else None,
        "age_seconds": round(age, 1) if age is not None else None,
        "stale_after_seconds": beat_stale_seconds(),
    }


def check_calendar():
    try:
        return calendar.coverage(today=timezone.localdate())
    except Exception as exc:
        return {"ok": False, "error": _short(exc)}


def check_workers(*, timeout=1.0):
    """Ask every worker for its active tasks; a worker that does not answer within ``timeout`` is absent.

    Remote control is a broadcast over the broker (Redis or the filesystem transport's fanout),
    so this sees workers on every machine that share the broker.
    """
    try:
        replies = current_app.control.inspect(timeout=timeout).active() or {}
    except Exception as exc:
        return {"ok": False, "error": _short(exc), "workers": []}
    workers = [{"name": name, "active": len(tasks or [])} for name, tasks in sorted(replies.items())]
    return {"ok": bool(workers), "workers": workers}


def _transport_name(app):
    try:
        return app.conf.broker_url.split("://", 1)[0]
    except Exception:
        return "unknown"


def _short(exc):
    return f"{type(exc).__name__}: {exc}"[:300]
