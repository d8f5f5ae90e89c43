"""Prometheus metrics at ``/metrics``, read from the database at scrape time.

Web, worker and beat are separate processes (often on several machines), so in-process
counters would each see a fraction. A custom collector instead asks the database, the one place
that knows everything, with a few aggregate queries per scrape:

- ``mystocks_task_executions_total{task_id,status}``: roll-ups for days before the roll-up
  watermark plus live executions from it on (the same split as ``tasks_app.stats``), so it
  only grows, including across retention deletes;
- ``mystocks_task_duration_seconds{task_id}`` and ``mystocks_slot_lag_seconds{task_id}``:
  histograms over live executions since the watermark (roll-ups keep no buckets, so these
  restart when a day is rolled up; ``rate()``/``increase()`` treat that as a counter reset);
- ``mystocks_running_executions{task_id}``, ``mystocks_task_last_success_timestamp_seconds{task_id}``,
  ``mystocks_beat_heartbeat_age_seconds``, ``mystocks_alerts_sent_total{kind,event}``,
  ``mystocks_open_incidents{kind}``.

With MYSTOCKS_METRICS_TOKEN set, a scrape needs ``Authorization: Bearer <token>``.
"""
import datetime
import hmac

from django.conf import settings
from django.db.models import Count, DurationField, ExpressionWrapper, F, OuterRef, Q, Subquery, Sum
from django.http import HttpResponse
from django.views.decorators.http import require_GET
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily

from . import health, stats
from .models import (
    FINISHED_STATUSES,
    AlertDelivery,
    AlertIncident,
    DailyRollup,
    Status,
    TaskDefinition,
    TaskExecution,
    Trigger,
)

DURATION_BUCKETS = (1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600, 7200, 14400)
LAG_BUCKETS = (0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600)


RAN = (Status.SUCCESS, Status.FAILED, Status.TIMEOUT)


class DatabaseCollector:
    """Builds every metric from the database on each collect()."""

    def collect(self):
        watermark = stats.rollup_watermark()
        live = TaskExecution.objects.all()
        if watermark is not None:
            live = live.filter(created_at__gte=stats.day_start(watermark))
        rows = live_aggregates(live)
        yield executions_total(rows, watermark)
        yield histogram_family(
            "mystocks_task_duration_seconds", "Duration of finished runs (since the roll-up watermark)",
            rows, "dur", DURATION_BUCKETS,
        )
        yield histogram_family(
            "mystocks_slot_lag_seconds", "Delay from a scheduled slot to the start of its run",
            rows, "lag", LAG_BUCKETS,
        )
        yield running_executions()
        yield last_success()
        yield beat_age(health)
        yield alerts_sent()
        yield open_incidents()


def live_aggregates(live):
    """One scan of the live executions, grouped by task and status, with every bucket count.

    Counts, duration buckets and lag buckets come from the same GROUP BY so a scrape reads
    the (large) executions table once.
    """
    ran = Q(status__in=RAN, duration__isnull=False)
    lagged = Q(trigger=Trigger.SCHEDULE, scheduled_for__isnull=False, started_at__isnull=False)
    lag = ExpressionWrapper(F("started_at") - F("scheduled_for"), output_field=DurationField())
    aggregates = {
        "n": Count("pk"),
        "dur_n": Count("pk", filter=ran), "dur_sum": Sum("duration", filter=ran),
        "lag_n": Count("pk", filter=lagged), "lag_sum": Sum("lag", filter=lagged),
        **{f"dur_{i}": Count("pk", filter=ran & Q(duration__lte=b)) for i, b in enumerate(DURATION_BUCKETS)},
        **{f"lag_{i}": Count("pk", filter=lagged & Q(lag__lte=datetime.timedelta(seconds=b)))
           for i, b in enumerate(LAG_BUCKETS)},
    }
    rows = live.annotate(lag=lag).values("task__task_id", "status").annotate(**aggregates).order_by()
    return list(rows)


def executions_total(rows, watermark):
    family = CounterMetricFamily(
        "mystocks_task_executions", "Finished executions by task and final status", labels=["task_id", "status"],
    )
    totals = {}
    for row in rows:
        if row["status"] in FINISHED_STATUSES:
            totals[(row["task__task_id"], row["status"])] = row["n"]
    if watermark is not None:
        rolled = (
            DailyRollup.objects.filter(day__lt=watermark).values("task__task_id", "status")
            .annotate(n=Sum("count")).order_by()
        )
        for row in rolled:
            key = (row["task__task_id"], row["status"])
            totals[key] = totals.get(key, 0) + row["n"]
    for (task_id, status), value in sorted(totals.items()):
        family.add_metric([task_id, status], value)
    return family


def histogram_family(name, documentation, rows, prefix, buckets):
    """A per-task histogram from the grouped rows (``prefix`` dur or lag), summed over statuses."""
    family = HistogramMetricFamily(name, documentation, labels=["task_id"])
    per_task = {}
    for row in rows:
        if not row[f"{prefix}_n"]:
            continue
        counts = per_task.setdefault(row["task__task_id"], [0] * (len(buckets) + 1) + [0.0])
        for i in range(len(buckets)):
            counts[i] += row[f"{prefix}_{i}"]
        counts[len(buckets)] += row[f"{prefix}_n"]
        counts[-1] += _seconds(row[f"{prefix}_sum"])
    for task_id, counts in sorted(per_task.items()):
        cumulative = [(str(float(b)), counts[i]) for i, b in enumerate(buckets)] + [("+Inf", counts[len(buckets)])]
        family.add_metric([task_id], cumulative, sum_value=counts[-1])
    return family


def _seconds(value):
    if value is None:
        return 0.0
    return value.total_seconds() if isinstance(value, datetime.timedelta) else float(value)


def running_executions():
    family = GaugeMetricFamily("mystocks_running_executions", "Executions running now", labels=["task_id"])
    rows = TaskExecution.objects.filter(status=Status.RUNNING).values("task__task_id").annotate(n=Count("pk"))
    for row in rows.order_by():
        family.add_metric([row["task__task_id"]], row["n"])
    return family


def last_success():
    """Per task, one index probe on (task, status, -finished_at) instead of a scan of all successes."""
    family = GaugeMetricFamily(
        "mystocks_task_last_success_timestamp_seconds", "Unix time of the last successful run", labels=["task_id"],
    )
    newest = TaskExecution.objects.filter(
        task=OuterRef("pk"), status=Status.SUCCESS, finished_at__isnull=False,
    ).order_by("-finished_at").values("finished_at")[:1]
    rows = TaskDefinition.objects.annotate(last=Subquery(newest)).filter(last__isnull=False).values("task_id", "last")
    for row in rows.order_by():
        family.add_metric([row["task_id"]], row["last"].timestamp())
    return family


def beat_age(health):
    family = GaugeMetricFamily(
        "mystocks_beat_heartbeat_age_seconds", "Seconds since beat last wrote its heartbeat (-1: never)",
    )
    _, age = health.beat_heartbeat_age()
    family.add_metric([], age if age is not None else -1)
    return family


def alerts_sent():
    family = CounterMetricFamily(
        "mystocks_alerts_sent", "Alert messages delivered, by incident kind and event", labels=["kind", "event"],
    )
    rows = (
        AlertDelivery.objects.filter(status=AlertDelivery.State.SENT)
        .values("incident__kind", "event").annotate(n=Count("pk")).order_by()
    )
    for row in rows:
        family.add_metric([row["incident__kind"] or "none", row["event"]], row["n"])
    return family


def open_incidents():
    family = GaugeMetricFamily("mystocks_open_incidents", "Open alert incidents by kind", labels=["kind"])
    rows = AlertIncident.objects.filter(resolved_at__isnull=True).values("kind").annotate(n=Count("pk")).order_by()
    for row in rows:
        family.add_metric([row["kind"]], row["n"])
    return family


registry = CollectorRegistry(auto_describe=False)
registry.register(DatabaseCollector())


def authorized(request):
    token = getattr(settings, "MYSTOCKS_METRICS_TOKEN", "")
    if not token:
        return True
    header = request.headers.get("Authorization", "")
    return hmac.compare_digest(header.encode(), f"Bearer {token}".encode())


@require_GET
def metrics_view(request):
    """Prometheus text exposition of ``registry``; 401 without the bearer token when one is set."""
    if not authorized(request):
        response = HttpResponse("unauthorized\n", status=401, content_type="text/plain")
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    return HttpResponse(generate_latest(registry), content_type=CONTENT_TYPE_LATEST)
