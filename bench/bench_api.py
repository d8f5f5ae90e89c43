"""API read latency with 1,000,000 executions over 200 tasks in PostgreSQL (prints figures).

    python bench/bench_api.py [--executions 1000000] [--tasks 200] [--repeat 40] [--keep]

Builds a scratch database `mystocks_bench_api` on DATABASE_URL's server, migrates it, inserts
the executions with generate_series (90 days of history), then times requests through Django's
test Client in-process (server time: middleware + view + serialisation, no network):

- executions list, first page (target p95 ≤ 20 ms) and filtered by one task (≤ 20 ms);
- statistics endpoint (target ≤ 150 ms): all tasks, one task, and since a date; its first read
  of the day rolls up days older than stats.LIVE_DAYS (timed once, separately);
- task list, first page of 50 (target ≤ 20 ms).
"""
import argparse
import datetime
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BASE_DB_URL = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/mystocks")
BENCH_DB = "mystocks_bench_api"
DB_URL = urlunparse(urlparse(BASE_DB_URL)._replace(path=f"/{BENCH_DB}"))

os.environ.update({
    "DATABASE_URL": DB_URL, "DJANGO_SETTINGS_MODULE": "mystocks.settings", "LOG_LEVEL": "WARNING",
    "MYSTOCKS_VAR_DIR": tempfile.mkdtemp(prefix="bench-api-"),
    "MYSTOCKS_API_THROTTLE_READ": "100000000/min", "MYSTOCKS_API_THROTTLE_WRITE": "100000000/min",
})

INSERT_EXECUTIONS = """
INSERT INTO tasks_app_taskexecution (
    task_id, status, trigger, created_at, queued_at, started_at, finished_at, duration, attempt,
    worker_host, celery_task_id, progress_message, error, traceback, skip_reason, log, log_truncated,
    params, cancel_requested, wait_reason
)
SELECT
    t.ids[1 + (i % %(tasks)s)],
    s.status,
    CASE WHEN i %% 10 = 0 THEN 'manual' ELSE 'schedule' END,
    c.created_at, c.created_at, c.created_at + interval '1 second',
    c.created_at + interval '1 second' + make_interval(secs => d.duration),
    d.duration, 1, 'bench-host', '', '',
    CASE WHEN s.status = 'failed' THEN 'RuntimeError: provider down' ELSE '' END,
    '', '', 'line 1' || chr(10) || 'line 2' || chr(10), false, '{}'::jsonb, false, ''
FROM generate_series(1, %(n)s) AS i
CROSS JOIN (SELECT array_agg(id ORDER BY id) AS ids FROM tasks_app_taskdefinition) AS t
CROSS JOIN LATERAL (SELECT now() - make_interval(secs => (%(n)s - i) * (90 * 86400.0 / %(n)s)) AS created_at) AS c
CROSS JOIN LATERAL (SELECT (ARRAY['success','success','success','success','success','success','success',
                                   'success','success','success','success','success','success','success',
                                   'success','failed','failed','timeout','skipped','cancelled'])[1 + (i * 7) %% 20]
                           AS status) AS s
CROSS JOIN LATERAL (SELECT round((1 + (i %% 97) * 0.75 + (i %% 13) * 3)::numeric, 2)::float AS duration) AS d
"""


def recreate_database():
    import psycopg

    admin = urlunparse(urlparse(BASE_DB_URL)._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {BENCH_DB}")


def drop_database():
    import psycopg

    admin = urlunparse(urlparse(BASE_DB_URL)._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")


def seed(n_executions, n_tasks):
    from django.db import connection

    from tasks_app.models import TaskDefinition

    TaskDefinition.objects.bulk_create([
        TaskDefinition(
            task_id=f"task_{i:04d}", task_name=f"任务 {i}", job="noop", tags=["bench", f"group{i % 5}"],
            task_type="cron" if i % 2 else "data_sync",
            schedule_type="cron" if i % 3 else "interval", cron_expression="0 16 * * 1-5" if i % 3 else "",
            interval_seconds=None if i % 3 else 3600,
        )
        for i in range(n_tasks)
    ])
    started = time.monotonic()
    with connection.cursor() as cursor:
        cursor.execute(INSERT_EXECUTIONS.replace("%(tasks)s", str(n_tasks)).replace("%(n)s", str(n_executions))
                       .replace("%%", "%"))
        # What autovacuum does soon after a bulk load: statistics and the visibility map
        # (index-only scans need it).
        cursor.execute("VACUUM ANALYZE tasks_app_taskexecution")
        cursor.execute("VACUUM ANALYZE tasks_app_taskdefinition")
    print(f"seeded {n_executions:,} executions over {n_tasks} tasks in {time.monotonic() - started:.1f} s")


def measure(client, url, repeat):
    for _ in range(3):  # warm caches and plans
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code, response.content[:300])
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    times.sort()
    p95 = times[min(len(times) - 1, int(round(0.95 * (len(times) - 1))))]
    return statistics.median(times), p95


def report(name, client, url, repeat, target):
    p50, p95 = measure(client, url, repeat)
    verdict = "ok" if p95 <= target else "OVER TARGET"
    print(f"{name:<48} p50 {p50:7.1f} ms   p95 {p95:7.1f} ms   target ≤ {target} ms  {verdict}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--executions", type=int, default=1_000_000)
    parser.add_argument("--tasks", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=40)
    parser.add_argument("--keep", action="store_true", help="keep the scratch database afterwards")
    parser.add_argument("--market-stocks", type=int, default=0,
                        help="also fill a simulated market of this many stocks (5000 for the issue's target) "
                             "and time /api/market/ (bars of one stock over ten years: p95 ≤ 30 ms)")
    parser.add_argument("--market-years", type=float, default=10)
    args = parser.parse_args()

    recreate_database()
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import setup_test_environment

    settings.ALLOWED_HOSTS = ["*"]
    setup_test_environment()
    call_command("migrate", verbosity=0)
    seed(args.executions, args.tasks)

    from django.contrib.auth.models import User

    from tasks_app import stats

    client = Client()
    client.force_login(User.objects.create_superuser("bench", password="bench-password"))
    print(f"PostgreSQL, {args.executions:,} executions, {args.tasks} tasks, {args.repeat} timed requests each")
    report("executions list, first page", client, "/api/tasks/executions/", args.repeat, 20)
    report("executions list, filtered by task", client, "/api/tasks/executions/?task_id=task_0042", args.repeat, 20)
    report("executions list, task + status=failed", client,
           "/api/tasks/executions/?task_id=task_0042&status=failed", args.repeat, 20)
    report("task list, first page (50)", client, "/api/tasks/", args.repeat, 20)
    started = time.monotonic()
    stats.ensure_recent_rollups()
    print(f"first statistics read of the day rolls up days older than {stats.LIVE_DAYS} days: "
          f"{time.monotonic() - started:.1f} s once")
    report("statistics, all tasks", client, "/api/tasks/statistics/", args.repeat, 150)
    report("statistics, one task", client, "/api/tasks/statistics/?task_id=task_0042", args.repeat, 150)
    report("statistics, all tasks, since 30 days ago", client,
           f"/api/tasks/statistics/?since={stats.today() - datetime.timedelta(days=30)}", args.repeat, 150)
    if args.market_stocks:
        from market_data import api_urls, fill_market, raw_baseline

        codes, days = fill_market(stocks=args.market_stocks, years=args.market_years)
        p50, p95 = raw_baseline(codes, args.repeat)
        print(f"{'market: raw baseline, SQL + JSON of 10 y bars':<48} p50 {p50:7.1f} ms   p95 {p95:7.1f} ms")
        targets = {"market: /api/market/bars 10 y": 30, "market: /api/market/bars 10 y qfq": 30}
        for name, url in api_urls(codes, days):
            report(name, client, url, args.repeat, targets.get(name, 200))
    from django.db import connections

    connections.close_all()
    if not args.keep:
        drop_database()


if __name__ == "__main__":
    main()
