"""The periodic alert checks, in one call: missed runs, long runs, beat and worker health, and a
trading calendar about to run out.

Run by the monitor thread of every worker and beat process (``monitor``), by the built-in beat
schedule, and by ``manage.py check_alerts``; ``claim_turn`` lets only one of them run per interval.
"""
import datetime
import logging

from django.conf import settings
from django.db import IntegrityError
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import health
from ..models import AlertIncident, ServiceHeartbeat
from . import delivery, incidents, missed

logger = logging.getLogger(__name__)
TURN_NAME = "alert-checks"
Kind = AlertIncident.Kind


def interval_seconds():
    return getattr(settings, "MYSTOCKS_ALERT_CHECK_INTERVAL", 30)


def claim_turn(*, every=None, now=None, holder="", name=TURN_NAME):
    """True for the one process that may run the ``name`` pass now (a conditional UPDATE decides)."""
    every = every or interval_seconds()
    now = now or timezone.now()
    long_ago = now - datetime.timedelta(days=1)
    try:
        ServiceHeartbeat.objects.get_or_create(name=name, defaults={"beat_at": long_ago})
    except IntegrityError:  # another process created it at the same moment
        pass
    # 0.9 × interval: timers of different processes drift; a turn is never taken twice in a row.
    due = now - datetime.timedelta(seconds=every * 0.9)
    return bool(ServiceHeartbeat.objects.filter(name=name, beat_at__lte=due).update(
        beat_at=now, detail={"holder": holder},
    ))


def run_checks(*, check_workers=True, now=None):
    """Run every check once; returns a summary dict. Each check's failure is logged, not raised."""
    now = now or timezone.now()
    summary = {}
    for name, check in (
        ("missed_runs", lambda: missed.check_missed_runs(now=now)),
        ("long_runs", lambda: incidents.check_long_runs(now=now)),
        ("system", lambda: check_system(check_workers=check_workers)),
        ("resent", lambda: delivery.retry_stuck_deliveries(now=now)),
    ):
        try:
            summary[name] = check()
        except Exception:
            logger.exception("alert check %s failed", name)
            summary[name] = "error"
    return summary


def check_system(*, check_workers=True):
    """Alert when beat's heartbeat is stale or no worker answers; recover when they are back.

    System alerts are sent inline: with no worker alive a queued message would never go out.
    """
    beat = health.check_beat()
    _set_condition(Kind.BEAT_DOWN, failing=not beat["ok"], detail=_beat_detail(beat))
    calendar = health.check_calendar()
    _set_condition(Kind.CALENDAR_ENDING, failing=not calendar["ok"], detail=calendar_detail(calendar))
    result = {"beat_ok": beat["ok"], "calendar_ok": calendar["ok"]}
    if check_workers:
        workers = health.check_workers(timeout=getattr(settings, "MYSTOCKS_HEALTH_INSPECT_TIMEOUT", 2.0))
        _set_condition(Kind.WORKERS_DOWN, failing=not workers["ok"], detail=workers.get("error", ""))
        result["workers"] = len(workers["workers"])
    return result


def _set_condition(kind, *, failing, detail):
    if failing:
        incidents.report(kind=kind, detail=detail, occurrences=1, inline=True)
    else:
        incidents.resolve(kind=kind, inline=True)


def calendar_detail(calendar):
    if calendar.get("end") is None:
        return calendar.get("error") or "no trading calendar loaded"
    return (f"calendar ends in {calendar['days_left']} days ({calendar['end']}): "
            f"{calendar['future_trading_days']} future trading days known, fewer than "
            f"{calendar['min_future_days']}; run sync_trade_calendar")


def _beat_detail(beat):
    if beat.get("age_seconds") is None:
        return _("no beat heartbeat recorded")
    return _("last heartbeat %(age)ss ago (threshold %(threshold)ss)") % {
        "age": f"{beat['age_seconds']:.0f}", "threshold": beat["stale_after_seconds"]}
