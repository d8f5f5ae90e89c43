"""Retention and /metrics at scale (PostgreSQL): batched deletes of old executions, scrape time.

Fills a scratch database (mystocks_bench_retention by default) with executions spread over
``--days`` days (the same generator as bench_pages.py), then prints:
- the /metrics scrape time (p50 / max) and its query count, before the clean-up;
- delete_old_executions(days=--keep-days): rows deleted, total time, rows/s, the longest
  single batch (how long one transaction holds its locks) and the peak RSS growth;
- that the per-task statistics are the same before and after.

    python bench/bench_retention.py [--executions 1000000] [--tasks 200] [--days 120] [--keep-days 30]
"""
import argparse
import resource
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT.parent))

import bench_pages  # noqa: E402  (scratch database and data generator)


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--executions", type=int, default=1_000_000)
    parser.add_argument("--tasks", type=int, default=200)
    parser.add_argument("--days", type=int, default=120)
    parser.add_argument("--keep-days", type=int, default=30)
    parser.add_argument("--batch-size", type=int, default=5000)
    parser.add_argument("--database", default="mystocks_bench_retention")
    return parser.parse_args()


def rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def scrape_times(repeat=5):
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client, times = Client(), []
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.get("/metrics")
            times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    return statistics.median(times), max(times), len(queries.captured_queries)


class DeleteTimer:
    """Times each DELETE on the executions table (one per batch; its locks last that long)."""

    def __init__(self):
        self.durations = []

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            if sql.startswith('DELETE FROM "tasks_app_taskexecution"'):
                self.durations.append(time.perf_counter() - started)


def main():
    args = parse_args()
    url, admin_url = bench_pages.scratch_url(args.database)
    bench_pages.recreate_database(admin_url, args.database, keep=False)
    bench_pages.setup_django(url)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    bench_pages.create_tasks(args.tasks)
    bench_pages.insert_executions(args.executions, args.days)
    print(f"filled {args.executions:,} executions over {args.tasks} tasks and {args.days} days "
          f"in {time.perf_counter() - started:.1f}s")

    p50, worst, queries = scrape_times()
    print(f"/metrics: p50 {p50:.0f} ms, max {worst:.0f} ms, {queries} queries")

    from tasks_app import retention, stats

    before = stats.task_statistics()
    from django.db import connection

    timer = DeleteTimer()
    rss_before = rss_mb()
    started = time.perf_counter()
    with connection.execute_wrapper(timer):
        deleted = retention.delete_old_executions(days=args.keep_days, batch_size=args.batch_size)
    elapsed = time.perf_counter() - started
    durations = timer.durations
    after = stats.task_statistics()
    keys = ("total", "success", "failed", "timeout", "cancelled", "skipped", "success_rate", "max_duration")
    same = all(b[k] == a[k] for b, a in zip(before, after) for k in keys)
    print(f"retention: deleted {deleted:,} rows in {elapsed:.1f}s ({deleted / max(elapsed, 1e-9):,.0f} rows/s), "
          f"batches of {args.batch_size} ids ({len(durations)} DELETE statements: Django sends 100 ids each), "
          f"longest DELETE {max(durations, default=0) * 1000:.0f} ms, "
          f"peak RSS +{rss_mb() - rss_before:.0f} MB")
    print(f"statistics unchanged after the delete: {same}")
    p50, worst, queries = scrape_times()
    print(f"/metrics after retention: p50 {p50:.0f} ms, max {worst:.0f} ms, {queries} queries")


if __name__ == "__main__":
    main()
