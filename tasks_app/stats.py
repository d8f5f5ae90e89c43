"""Read-side aggregates: per-task and global statistics, daily counts for charts, daily roll-ups.

Everything is computed in the database (annotate/aggregate with filtered Count/Sum).

Roll-ups and live executions never overlap. ``DailyRollup`` rows are final for every day up to
the latest rolled-up day; the *watermark* is the day after it. Counts, rates and average/max
durations for days before the watermark come from roll-ups only; for the watermark day and later
they come from executions only. So executions still present before the watermark (not deleted
yet) are ignored, and deleting them changes no figure. Percentiles (p50/p95) need the individual
durations, so they are computed from live executions at or after the watermark only.

Readers call ``ensure_recent_rollups()`` so that live window stays about LIVE_DAYS days long;
retention calls ``roll_up_executions(before=…)`` before it deletes anything.

Days are calendar days in settings.TIME_ZONE, by the execution's ``created_at``.
"""
import datetime
import zoneinfo

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Aggregate, Count, FloatField, Max, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce, TruncDate
from django.db.models.query import QuerySet
from django.utils import timezone

from .models import FINISHED_STATUSES, DailyRollup, Status, TaskDefinition, TaskExecution

STATUS_KEYS = ("success", "failed", "timeout", "cancelled", "skipped")
# Runs that count towards the success rate and duration figures (a failure is a timeout too).
RAN_STATUSES = (Status.SUCCESS, Status.FAILED, Status.TIMEOUT)
# Days of executions statistics read row by row (and take percentiles from); older days come from roll-ups.
LIVE_DAYS = 7
ROLLUP_LOCK_KEY = 0x6D7973746B72  # arbitrary, constant: "mystkr"


class PercentileCont(Aggregate):
    """PostgreSQL ``percentile_cont(f) WITHIN GROUP (ORDER BY expr)`` (continuous, interpolated)."""

    function = "percentile_cont"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()

    def __init__(self, expression, fraction, **extra):
        super().__init__(expression, fraction=float(fraction), **extra)


# --- days and the watermark ----------------------------------------------------------------

def _tz():
    return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def today():
    """Today's date in settings.TIME_ZONE."""
    return timezone.now().astimezone(_tz()).date()


def day_start(day):
    """The aware moment a calendar day starts in settings.TIME_ZONE."""
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=_tz())


def rollup_watermark():
    """The first day not covered by roll-ups (None when nothing was rolled up)."""
    last = DailyRollup.objects.aggregate(last=Max("day"))["last"]
    return last + datetime.timedelta(days=1) if last else None


def _live_executions(*, since_day=None, watermark=None):
    """Executions that count as live: created on or after the watermark and ``since_day``."""
    floor = max([d for d in (since_day, watermark) if d], default=None)
    rows = TaskExecution.objects.all()
    return rows.filter(created_at__gte=day_start(floor)) if floor else rows


def _rollups(*, since_day=None, watermark=None):
    if watermark is None:
        return DailyRollup.objects.none()
    rows = DailyRollup.objects.filter(day__lt=watermark)
    return rows.filter(day__gte=since_day) if since_day else rows


def _status_counts():
    """Total and filtered Count aggregates per final status over executions.

    They count ``status`` (never null), not ``id``: the covering index on created_at includes
    task, status and duration, so PostgreSQL answers from the index alone.
    """
    return {"total": Count("status"), **{key: Count("status", filter=Q(status=key)) for key in STATUS_KEYS}}


def _rollup_sums():
    return {key: Coalesce(Sum("count", filter=Q(status=key)), 0) for key in STATUS_KEYS}


def _since_day(since):
    if since is None:
        return None
    if isinstance(since, datetime.datetime):
        return since.astimezone(_tz()).date()
    return since


# --- per task ------------------------------------------------------------------------------

def task_statistics(*, tasks=None, since=None):
    """Statistics per task (dicts in catalogue order); ``tasks`` a queryset or list, ``since`` a date.

    Keys: task_id, total, success, failed, timeout, cancelled, skipped, success_rate
    (success / (success+failed+timeout), None without such runs), avg_duration, p50_duration,
    p95_duration, max_duration (seconds, over success/failed/timeout runs), last_run_at,
    last_status (the newest execution of any age), next_run_at.
    """
    definitions = _definitions(tasks)
    pks = [d.pk for d in definitions]
    since_day, watermark = _since_day(since), rollup_watermark()
    live = _live_task_aggregates(pks, since_day, watermark)
    rolled = _rollup_task_aggregates(pks, since_day, watermark)
    if connection.vendor == "postgresql":  # computed in the same scan as the counts
        percentiles = {pk: (row["p50"], row["p95"]) for pk, row in live.items()}
    else:
        percentiles = _percentiles_by_offset(pks, since_day, watermark,
                                             {pk: row["ran_durations"] for pk, row in live.items()})
    return [
        _task_row(d, live.get(d.pk), rolled.get(d.pk), percentiles.get(d.pk, (None, None)))
        for d in definitions
    ]


def with_last_run(tasks):
    """Definitions annotated with their newest execution: ``last_run_id``, ``last_run_at``, ``last_status``.

    One correlated subquery per column, served by the (task, -created_at) index: no N+1 on lists.
    """
    newest = TaskExecution.objects.filter(task=OuterRef("pk")).order_by("-created_at", "-id")
    return tasks.annotate(
        last_run_id=Subquery(newest.values("pk")[:1]),
        last_run_at=Subquery(newest.values("created_at")[:1]),
        last_status=Subquery(newest.values("status")[:1]),
    )


def _definitions(tasks):
    """Definitions (a queryset, instances or task_ids) annotated with their newest execution."""
    if tasks is None:
        tasks = TaskDefinition.objects.all()
    elif not isinstance(tasks, QuerySet):
        items = list(tasks)
        task_ids = [t if isinstance(t, str) else t.task_id for t in items]
        tasks = TaskDefinition.objects.filter(task_id__in=task_ids)
    return list(with_last_run(tasks))


def _live_task_aggregates(pks, since_day, watermark):
    ran = Q(status__in=RAN_STATUSES, duration__isnull=False)
    rows = (
        _live_executions(since_day=since_day, watermark=watermark)
        .filter(task_id__in=pks).values("task_id")
        .annotate(
            **_status_counts(),
            ran_durations=Count("duration", filter=ran), duration_sum=Sum("duration", filter=ran),
            max_duration=Max("duration", filter=ran), **_percentile_aggregates(ran),
        )
    )
    return {row["task_id"]: row for row in rows}


def _percentile_aggregates(ran):
    if connection.vendor != "postgresql":
        return {}
    return {"p50": PercentileCont("duration", 0.5, filter=ran), "p95": PercentileCont("duration", 0.95, filter=ran)}


def _rollup_task_aggregates(pks, since_day, watermark):
    ran = Q(status__in=RAN_STATUSES)
    rows = (
        _rollups(since_day=since_day, watermark=watermark).filter(task_id__in=pks).values("task_id")
        .annotate(
            total=Sum("count"), **_rollup_sums(),
            ran_durations=Coalesce(Sum("count", filter=ran), 0),
            duration_sum=Sum("total_duration", filter=ran), max_duration=Max("max_duration", filter=ran),
        )
    )
    return {row["task_id"]: row for row in rows}


def _percentiles_by_offset(pks, since_day, watermark, counts):
    """{task pk: (p50, p95)} of success/failed/timeout durations among live executions (portable path)."""
    runs = _live_executions(since_day=since_day, watermark=watermark).filter(
        task_id__in=pks, status__in=RAN_STATUSES, duration__isnull=False,
    )
    return {pk: (_percentile_by_offset(runs.filter(task_id=pk), n, 0.5),
                 _percentile_by_offset(runs.filter(task_id=pk), n, 0.95))
            for pk, n in counts.items() if n}


def _percentile_by_offset(runs, n, fraction):
    """percentile_cont by ordered OFFSET queries (the portable path, e.g. SQLite)."""
    position = fraction * (n - 1)
    low = int(position)
    values = list(runs.order_by("duration").values_list("duration", flat=True)[low:low + 2])
    if len(values) == 1 or position == low:
        return values[0]
    return values[0] + (values[1] - values[0]) * (position - low)


def _task_row(definition, live, rolled, percentiles):
    row = {"task_id": definition.task_id, "total": 0, **dict.fromkeys(STATUS_KEYS, 0)}
    ran, duration_sum, maxima = 0, 0.0, []
    for part in (live, rolled):
        if not part:
            continue
        for key in ("total", *STATUS_KEYS):
            row[key] += part[key] or 0
        ran += part["ran_durations"] or 0
        duration_sum += part["duration_sum"] or 0.0
        if part["max_duration"] is not None:
            maxima.append(part["max_duration"])
    row.update(
        success_rate=success_rate(row["success"], row["failed"], row["timeout"]),
        avg_duration=duration_sum / ran if ran else None,
        p50_duration=percentiles[0], p95_duration=percentiles[1],
        max_duration=max(maxima) if maxima else None,
        last_run_at=getattr(definition, "last_run_at", None),
        last_status=getattr(definition, "last_status", None),
        next_run_at=next_run_at(definition),
    )
    return row


def success_rate(success, failed, timeout):
    """success / (success + failed + timeout), or None when nothing ran to an outcome."""
    finished = success + failed + timeout
    return round(success / finished, 4) if finished else None


def next_run_at(definition):
    """The next slot of an enabled, unpaused, scheduled definition, else None.

    Cached until that slot passes (keyed by updated_at, so any edit recomputes it): croniter
    costs ~0.3 ms a task, which is most of a 50-task list page.
    """
    if not (definition.enabled and not definition.paused and definition.is_scheduled):
        return None
    stamp = definition.updated_at.timestamp() if definition.updated_at else ""
    key = f"tasks_app:next_run:{definition.pk}:{stamp}"
    now = timezone.now()
    cached = cache.get(key)
    if cached is not None and cached > now:
        return cached
    upcoming = definition.next_run_times(1)
    if not upcoming:
        return None
    cache.set(key, upcoming[0], timeout=max(1, min(3600, int((upcoming[0] - now).total_seconds()))))
    return upcoming[0]


# --- global and per day --------------------------------------------------------------------

def global_statistics(*, week=None):
    """Catalogue-wide figures for the dashboard and /api/tasks/statistics/.

    ``week``: the last 7 entries of a daily_status_counts() the caller already has (saves a scan).
    """
    week = week if week is not None else daily_status_counts(days=7)
    today_counts = week[-1]
    week_counts = {key: sum(day[key] for day in week) for key in ("total", *STATUS_KEYS)}
    tasks = TaskDefinition.objects.aggregate(tasks=Count("pk"), enabled=Count("pk", filter=Q(enabled=True)))
    return {
        **tasks,
        "running_now": TaskExecution.objects.filter(status=Status.RUNNING).count(),
        "executions_today": today_counts["total"],
        "success_rate_today": success_rate(today_counts["success"], today_counts["failed"], today_counts["timeout"]),
        "success_rate_7d": success_rate(week_counts["success"], week_counts["failed"], week_counts["timeout"]),
        "failures_today": today_counts["failed"] + today_counts["timeout"],
    }


def daily_status_counts(*, days=14, task=None):
    """[{day, success, failed, timeout, cancelled, skipped, total}] for the last ``days`` days, oldest first."""
    last = today()
    first = last - datetime.timedelta(days=days - 1)
    by_day = {first + datetime.timedelta(days=i): {"total": 0, **dict.fromkeys(STATUS_KEYS, 0)} for i in range(days)}
    for row in _daily_rows(first, task):
        counts = by_day.get(row.pop("day"))
        if counts is not None:
            for key, value in row.items():
                counts[key] += value or 0
    return [{"day": day, **counts} for day, counts in by_day.items()]


def _daily_rows(first, task):
    watermark = rollup_watermark()
    live = _live_executions(since_day=first, watermark=watermark)
    rolled = _rollups(since_day=first, watermark=watermark)
    if task is not None:
        live, rolled = live.filter(task=task), rolled.filter(task=task)
    live_rows = (
        live.annotate(day=TruncDate("created_at", tzinfo=_tz())).values("day")
        .annotate(**_status_counts()).order_by()
    )
    rolled_rows = rolled.values("day").annotate(total=Sum("count"), **_rollup_sums()).order_by()
    return [*live_rows, *rolled_rows]


def duration_trend(*, task, limit=50):
    """The last ``limit`` finished runs of ``task`` as [{finished_at, duration, status}], oldest first."""
    rows = (
        TaskExecution.objects.filter(task=task, status__in=RAN_STATUSES, finished_at__isnull=False)
        .order_by("-finished_at").values("finished_at", "duration", "status")[:limit]
    )
    return list(reversed(rows))


# --- roll-ups ------------------------------------------------------------------------------

def roll_up_executions(*, before):
    """Store DailyRollup rows for every day strictly before ``before`` (a date) not rolled up yet.

    Only finished executions count. Days already covered (before the watermark) are final and
    never recomputed, so running it twice gives the same numbers, and executions deleted after a
    roll-up change nothing. Returns the number of roll-up rows written.
    """
    with transaction.atomic():
        _lock_rollups()
        watermark = rollup_watermark()
        if watermark is not None and watermark >= before:
            return 0
        rows = _rollup_rows(watermark, before)
        DailyRollup.objects.bulk_create(
            [DailyRollup(**row) for row in rows], update_conflicts=True,
            unique_fields=["day", "task", "status"], update_fields=["count", "total_duration", "max_duration"],
        )
        return len(rows)


def ensure_recent_rollups(*, live_days=LIVE_DAYS):
    """Roll up every day older than ``live_days`` days that is not rolled up yet (cheap when current).

    Readers call it so per-task statistics aggregate at most ``live_days`` days of executions
    plus a few roll-up rows per task and day, whatever the retention: with a million executions
    that is the difference between ~1 s and well under 150 ms.
    """
    before = today() - datetime.timedelta(days=live_days)
    watermark = rollup_watermark()
    if watermark is None or watermark < before:
        roll_up_executions(before=before)


def _lock_rollups():
    """One roll-up at a time: reading the watermark and writing must not interleave.

    SQLite serialises writers by itself; PostgreSQL takes a transaction-scoped advisory lock.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [ROLLUP_LOCK_KEY])


def _rollup_rows(watermark, before):
    executions = TaskExecution.objects.filter(created_at__lt=day_start(before), status__in=FINISHED_STATUSES)
    if watermark is not None:
        executions = executions.filter(created_at__gte=day_start(watermark))
    grouped = (
        executions.annotate(day=TruncDate("created_at", tzinfo=_tz()))
        .values("day", "task_id", "status")
        .annotate(count=Count("pk"), total_duration=Coalesce(Sum("duration"), 0.0), max_duration=Max("duration"))
        .order_by()
    )
    return [dict(row) for row in grouped]


