"""Server time of the management pages with 1,000,000 executions over 200 tasks (PostgreSQL).

Creates a scratch database (mystocks_bench_pages by default), migrates it, fills it with
INSERT … SELECT generate_series, then requests each page through Django's test client
(in-process, so the figure is the server's time: URL routing, queries, template rendering)
and prints p50 / p95 / max per page and the number of queries. Target: p95 ≤ 200 ms.

    python bench/bench_pages.py [--executions 1000000] [--tasks 200] [--repeat 30] [--keep]

The PostgreSQL server comes from DATABASE_URL (default postgres://postgres@127.0.0.1:5432/…);
only the database name is replaced.
"""
import argparse
import os
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--executions", type=int, default=1_000_000)
    parser.add_argument("--tasks", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--days", type=int, default=30, help="history spread over this many days")
    parser.add_argument("--database", default="mystocks_bench_pages")
    parser.add_argument("--keep", action="store_true", help="reuse the filled database if it exists")
    parser.add_argument("--market-stocks", type=int, default=0,
                        help="also fill a simulated market of this many stocks (5000 for the issue's target) "
                             "and time the market pages")
    parser.add_argument("--market-years", type=float, default=10)
    return parser.parse_args()


def scratch_url(name):
    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/mystocks")
    parts = urlsplit(base)
    if not parts.scheme.startswith("postgres"):
        sys.exit("bench_pages needs PostgreSQL: set DATABASE_URL=postgres://…")
    return urlunsplit(parts._replace(path="/" + name)), urlunsplit(parts._replace(path="/postgres"))


def recreate_database(admin_url, name, keep):
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and keep:
            return False
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return True


def setup_django(url):
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mystocks.settings")
    os.environ.setdefault("CELERY_BROKER_URL", "memory://")
    import django

    django.setup()


def create_tasks(n):
    from tasks_app.models import TaskDefinition
    from tasks_app.registry import task_types

    types = [spec.key for spec in task_types() if spec.tab]  # one per tab of the task list
    tasks = []
    for i in range(n):
        kind = i % 4
        tasks.append(TaskDefinition(
            task_id=f"bench_{i:03d}", task_name=f"基准任务 {i:03d}", task_type=types[i % len(types)], job="noop",
            priority=100 + (i % 9) * 100, tags=["bench", f"t{i % 7}"], trading_days_only=i % 3 == 0,
            schedule_type=["cron", "cron", "interval", "none"][kind],
            cron_expression=f"{i % 60} {9 + i % 8} * * 1-5" if kind < 2 else "",
            interval_seconds=300 + i if kind == 2 else None,
        ))
    TaskDefinition.objects.bulk_create(tasks)


def _filler(column, data_type):
    return {"text": "''", "character varying": "''", "boolean": "false", "jsonb": "'{}'::jsonb"}.get(data_type, "0")


def insert_executions(n, days):
    """One INSERT … SELECT: statuses, durations and times vary with the row number; NOT NULL
    columns the benchmark does not care about get neutral values (new fields need no edit here)."""
    from django.db import connection

    given = {
        "task_id": "t.ids[1 + (g % t.n)]",
        "status": "(ARRAY['success','success','success','success','success','success','success','success',"
                  "'success','success','success','success','success','success','success','failed','timeout',"
                  "'cancelled','skipped','success'])[1 + (g % 20)]",
        "trigger": "'schedule'",
        "scheduled_for": "now() - make_interval(secs => g * {step})",
        "created_at": "now() - make_interval(secs => g * {step})",
        "queued_at": "now() - make_interval(secs => g * {step})",
        "started_at": "now() - make_interval(secs => g * {step} - 1)",
        "finished_at": "now() - make_interval(secs => g * {step} - 1 - (g % 97) * 0.7)",
        "duration": "(g % 97) * 0.7 + 0.3",
        "attempt": "1",
        "log": "'started\\nprocessed ' || g || ' rows\\nfinished\\n'",
        "error": "CASE WHEN g % 20 IN (15, 16) THEN 'upstream returned nothing for ' || g ELSE '' END",
    }
    with connection.cursor() as cursor:
        cursor.execute("""
            SELECT column_name, data_type FROM information_schema.columns
            WHERE table_name = 'tasks_app_taskexecution' AND is_nullable = 'NO' AND column_default IS NULL
              AND column_name <> 'id'
        """)
        columns = dict(given)
        for column, data_type in cursor.fetchall():
            columns.setdefault(column, _filler(column, data_type))
        step = days * 86400 / n
        select = ", ".join(expr.replace("{step}", repr(step)) for expr in columns.values())
        cursor.execute(f"""
            INSERT INTO tasks_app_taskexecution ({", ".join(columns)})
            SELECT {select}
            FROM generate_series(1, {int(n)}) AS g,
                 (SELECT array_agg(id ORDER BY id) AS ids, count(*) AS n FROM tasks_app_taskdefinition) AS t
        """)
        cursor.execute("ANALYZE")


def fill(args):
    from django.core.management import call_command

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    create_tasks(args.tasks)
    insert_executions(args.executions, args.days)
    print(f"filled {args.executions:,} executions over {args.tasks} tasks in {time.perf_counter() - started:.1f}s")


def count_queries(client, url):
    from django.db import connection

    seen = []

    def counter(execute, sql, params, many, context):
        seen.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(counter):
        client.get(url)
    return len(seen)


def measure(client, url, repeat, *, cold=False):
    from django.core.cache import cache

    for _ in range(3):
        assert client.get(url).status_code == 200, url
    times = []
    for _ in range(repeat):
        if cold:
            cache.clear()
        started = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, url
    queries = count_queries(client, url)
    times.sort()
    p95 = times[min(len(times) - 1, int(round(0.95 * (len(times) - 1))))]
    return statistics.median(times), p95, times[-1], queries


def pages():
    from tasks_app.models import TaskDefinition, TaskExecution

    task = TaskDefinition.objects.get(task_id="bench_007")
    execution = TaskExecution.objects.filter(task=task).order_by("-created_at").first()
    return [
        ("dashboard", "/"),
        ("dashboard summary (polled)", "/dashboard/summary/"),
        ("task list", "/tasks/"),
        ("task list, tab data_sync + search", "/tasks/?tab=data_sync&q=bench_0"),
        ("execution history, page 1", "/tasks/?tab=history"),
        ("execution history, page 200", "/tasks/?tab=history&page=200"),
        ("execution history, failed only", "/tasks/?tab=history&status=failed"),
        ("task detail", f"/tasks/{task.task_id}/"),
        ("execution detail", f"/executions/{execution.pk}/"),
        ("execution live part (polled)", f"/executions/{execution.pk}/live/"),
    ]


def report(title, client, repeat):
    print(f"\n{title}")
    print(f"{'page':<36} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'queries':>8}")
    worst = 0
    for name, url in pages():
        p50, p95, peak, queries = measure(client, url, repeat)
        worst = max(worst, p95)
        print(f"{name:<36} {p50:8.1f} {p95:8.1f} {peak:8.1f} {queries:8d}")
    # The dashboard caches the chart's past days (10 min) and the upcoming slots; the first view pays for both.
    p50, p95, peak, queries = measure(client, "/", repeat, cold=True)
    print(f"{'dashboard, caches empty every time':<36} {p50:8.1f} {p95:8.1f} {peak:8.1f} {queries:8d}")
    print(f"worst p95 (warm): {worst:.1f} ms (target ≤ 200 ms)")


def main():
    args = parse_args()
    url, admin_url = scratch_url(args.database)
    fresh = recreate_database(admin_url, args.database, args.keep)
    setup_django(url)
    if fresh:
        fill(args)
    from django.contrib.auth import get_user_model
    from django.core.cache import cache
    from django.test import Client

    from tasks_app import stats
    from tasks_app.models import DailyRollup, TaskExecution

    user, _ = get_user_model().objects.get_or_create(username="bench", defaults={"is_superuser": True})
    client = Client()
    client.force_login(user)
    print(f"{TaskExecution.objects.count():,} executions, repeat {args.repeat}")
    DailyRollup.objects.all().delete()
    cache.clear()
    started = time.perf_counter()
    assert client.get("/").status_code == 200
    print(f"first dashboard view with no roll-ups yet (it rolls up all but the last {stats.LIVE_DAYS} days): "
          f"{(time.perf_counter() - started) * 1000:.0f} ms, {DailyRollup.objects.count():,} roll-up rows")
    report("steady state: roll-ups current, the last days live", client, args.repeat)
    if args.market_stocks:
        report_market(client, args)


def report_market(client, args):
    """Market pages on a market of ``--market-stocks`` × ``--market-years`` (targets: stock page
    ≤ 150 ms, coverage ≤ 200 ms, signals for one strategy and day ≤ 100 ms)."""
    from market_data import fill_market, page_urls, raw_baseline

    codes, days = fill_market(stocks=args.market_stocks, years=args.market_years)
    print(f"\nmarket pages: {len(codes):,} stocks × {len(days):,} days")
    print(f"{'page':<36} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'queries':>8}")
    p50, p95 = raw_baseline(codes, args.repeat)
    print(f"{'raw baseline: SQL + JSON of 10 y bars':<36} {p50:8.1f} {p95:8.1f}")
    for name, url in page_urls(codes, days):
        p50, p95, peak, queries = measure(client, url, args.repeat)
        print(f"{name:<36} {p50:8.1f} {p95:8.1f} {peak:8.1f} {queries:8d}")


if __name__ == "__main__":
    main()
