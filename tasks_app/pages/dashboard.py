"""The dashboard: headline figures, 14-day chart, upcoming runs, recent failures, system health."""
import datetime
import heapq
import logging

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone

from .. import calendar, stats
from ..models import Status, TaskDefinition, TaskExecution

logger = logging.getLogger(__name__)
UPCOMING = 10
RECENT_FAILURES = 8


def upcoming_runs(n=UPCOMING):
    """The next ``n`` slots across enabled, unpaused scheduled tasks, soonest first.

    A k-way merge: one next time per task, then only the task that just fired computes another,
    so 200 tasks cost ~200 + n schedule computations, not 200 × n.
    """
    now = timezone.now()
    tasks = TaskDefinition.objects.filter(enabled=True, paused=False).exclude(schedule_type="none")
    heap = []
    for task in tasks:
        times = task.next_run_times(n=1, after=now)
        if times:
            heap.append((times[0], task.pk, task))
    heapq.heapify(heap)
    runs, open_days = [], {}
    while heap and len(runs) < n:
        moment, pk, task = heapq.heappop(heap)
        runs.append(_upcoming_row(task, moment, open_days))
        following = task.next_run_times(n=1, after=moment)
        if following:
            heapq.heappush(heap, (following[0], pk, task))
    return runs


def _upcoming_row(task, moment, open_days):
    day = moment.astimezone(task.tz).date()
    skipped = False
    if task.trading_days_only:
        if day not in open_days:
            open_days[day] = calendar.is_trading_day(day)
        skipped = not open_days[day]
    return {"task": task, "at": moment, "skipped": skipped, "schedule": task.describe_schedule()}


def recent_failures(n=RECENT_FAILURES):
    """The newest failed or timed-out executions of the last 7 days (uses the status index)."""
    since = timezone.now() - datetime.timedelta(days=7)
    return list(
        TaskExecution.objects.filter(status__in=(Status.FAILED, Status.TIMEOUT), created_at__gte=since)
        .select_related("task").defer("log", "traceback", "result", "task__description")
        .order_by("-created_at")[:n]
    )


def _chart_data(days):
    statuses = ("success", "failed", "timeout", "cancelled", "skipped")
    return {
        "labels": [row["day"].strftime("%m-%d") for row in days],
        "series": {status: [row[status] for row in days] for status in statuses},
    }


def _summary_context():
    return {
        "figures": stats.global_statistics(),
        "upcoming": upcoming_runs(),
        "failures": recent_failures(),
        "refreshed_at": timezone.now(),
    }


@login_required
def dashboard(request):
    context = _summary_context()
    context["chart"] = _chart_data(stats.daily_status_counts(days=14))
    return render(request, "pages/dashboard.html", context)


@login_required
def dashboard_summary(request):
    """The polled part of the dashboard (htmx swaps it every few seconds)."""
    return render(request, "pages/dashboard_summary.html", _summary_context())


@login_required
def dashboard_health(request):
    """System health, polled separately: asking workers waits for their replies."""
    try:
        from .. import health
    except ImportError:
        return render(request, "pages/dashboard_health.html", {"health": None})
    try:
        report = health.system_health(inspect_timeout=0.5)
    except Exception as exc:  # a health probe must never break the dashboard
        logger.warning("system health failed: %s", exc)
        report = None
    return render(request, "pages/dashboard_health.html", {"health": report})
