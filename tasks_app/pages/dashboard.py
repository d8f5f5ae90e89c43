"""The dashboard: headline figures, 14-day chart, upcoming runs, recent failures, system health."""
import datetime
import heapq
import logging

from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.db.models import Count, Max
from django.shortcuts import render
from django.utils import timezone

from .. import calendar, health, stats
from ..models import Status, TaskDefinition, TaskExecution

logger = logging.getLogger(__name__)
UPCOMING = 10
RECENT_FAILURES = 8
PAST_DAYS_CACHE_SECONDS = 600
UPCOMING_CACHE_SECONDS = 300


def upcoming_runs(n=UPCOMING):
    """The next ``n`` slots across enabled, unpaused scheduled tasks, soonest first, with skip marks.

    The slots depend only on the catalogue and the clock, so they are cached until the catalogue
    changes (any save moves the newest ``updated_at``) or the first of them has passed.
    """
    now = timezone.now()
    version = TaskDefinition.objects.aggregate(changed=Max("updated_at"), count=Count("pk"))
    key = f"pages:upcoming:{n}:{version['count']}:{version['changed'] and version['changed'].timestamp()}"
    slots = cache.get(key)
    if not slots or slots[0][0] <= now:
        slots = next_slots(n, now)
        if slots:
            cache.set(key, slots, min(UPCOMING_CACHE_SECONDS, (slots[0][0] - now).total_seconds()))
    tasks = TaskDefinition.objects.in_bulk({pk for _at, pk in slots})
    open_days = {}
    return [_upcoming_row(tasks[pk], at, open_days) for at, pk in slots if pk in tasks]


def next_slots(n, now):
    """[(moment, task pk)] of the next ``n`` slots: a k-way merge of every task's schedule.

    One next time per task, then only the task that just fired computes another, so 200 tasks
    cost ~200 + n schedule computations, not 200 × n.
    """
    tasks = TaskDefinition.objects.filter(enabled=True, paused=False).exclude(schedule_type="none")
    heap = []
    for task in tasks:
        times = task.next_run_times(n=1, after=now)
        if times:
            heap.append((times[0], task.pk, task))
    heapq.heapify(heap)
    slots = []
    while heap and len(slots) < n:
        moment, pk, task = heapq.heappop(heap)
        slots.append((moment, pk))
        following = task.next_run_times(n=1, after=moment)
        if following:
            heapq.heappush(heap, (following[0], pk, task))
    return slots


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


def _summary_context(days):
    return {
        "figures": stats.global_statistics(week=days[-7:]),
        "upcoming": upcoming_runs(),
        "failures": recent_failures(),
        "refreshed_at": timezone.now(),
    }


def daily_counts(days=14):
    """Counts per day for the chart: finished days cached for ten minutes, today always live.

    The days before today hardly change, but counting them scans hundreds of thousands of
    executions; today's bar matches the live cards next to it.
    """
    key = f"pages:daily-status-counts:{days}:{stats.today()}"
    past = cache.get(key)
    if past is None:
        past = stats.daily_status_counts(days=days)[:-1]
        cache.set(key, past, PAST_DAYS_CACHE_SECONDS)
    return past + stats.daily_status_counts(days=1)


@login_required
def dashboard(request):
    stats.ensure_recent_rollups()  # keeps the executions the statistics scan to a few days
    days = daily_counts()
    context = _summary_context(days)
    context["chart"] = _chart_data(days)
    return render(request, "pages/dashboard.html", context)


@login_required
def dashboard_summary(request):
    """The polled part of the dashboard (htmx swaps it every few seconds)."""
    return render(request, "pages/dashboard_summary.html", _summary_context(daily_counts()))


@login_required
def dashboard_health(request):
    """System health, polled separately: asking workers waits for their replies."""
    try:
        report = health.cached_system_health(inspect_timeout=0.5)
    except Exception as exc:  # a health probe must never break the dashboard
        logger.warning("system health failed: %s", exc)
        report = None
    if report is not None and not request.user.is_staff:
        report = health.public_report(report)
    return render(request, "pages/dashboard_health.html", {"health": report})
