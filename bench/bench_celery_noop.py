"""Raw Celery baselines for bench_engine.py, on the same broker and worker as the engine.

``raw_noop`` only counts itself in Redis (the issue's baseline). ``raw_recorded`` is the least a
run that leaves a durable record can do: its row is inserted before sending and marked running
and finished by the worker, in plain SQL on one autocommit connection, with the same time limits
the engine sets. The gap between the two is the price of recording; the gap between
``raw_recorded`` and the engine is the engine's own cost.

``peer_noop`` is the peer: what a Django project gets from Celery with django-celery-results
as the result backend and ``track_started`` (bench_settings.py), i.e. a STARTED and a SUCCESS
row in ``django_celery_results_taskresult`` per run.
"""
import os

import redis
from celery import shared_task

_client = redis.Redis.from_url(os.environ.get("CELERY_BROKER_URL", "redis://127.0.0.1:6379/14"))
_conn = None
RECORDED_TABLE = """CREATE TABLE IF NOT EXISTS bench_raw_run (
    id bigserial PRIMARY KEY, status varchar(16) NOT NULL, created_at timestamptz NOT NULL,
    started_at timestamptz, finished_at timestamptz)"""


def connect():
    """This process's own autocommit connection to the bench database."""
    global _conn
    if _conn is None or _conn.closed:
        import psycopg

        _conn = psycopg.connect(os.environ["DATABASE_URL"], autocommit=True)
    return _conn


@shared_task(name="bench.raw_noop", ignore_result=True)
def raw_noop():
    _client.incr("bench:raw_noop_done")


@shared_task(name="bench.raw_recorded", ignore_result=True)
def raw_recorded(run_id):
    conn = connect()
    started = conn.execute(
        "UPDATE bench_raw_run SET status = 'running', started_at = now() WHERE id = %s AND status = 'pending'",
        [run_id],
    ).rowcount
    if started:
        conn.execute("UPDATE bench_raw_run SET status = 'success', finished_at = now() WHERE id = %s", [run_id])


@shared_task(name="bench.peer_noop", ignore_result=False, track_started=True)
def peer_noop():
    return None


def send_peer(**options):
    peer_noop.apply_async(**options)


def peer_done():
    from django_celery_results.models import TaskResult  # lazy: the worker imports this module before Django is set up

    return TaskResult.objects.filter(status="SUCCESS").count()


def send_recorded(**options):
    """Insert a pending row, then send its message; what the engine's dispatch does at the least."""
    run_id = connect().execute(
        "INSERT INTO bench_raw_run (status, created_at) VALUES ('pending', now()) RETURNING id",
    ).fetchone()[0]
    raw_recorded.apply_async(args=[run_id], **options)


def recorded_done():
    return connect().execute("SELECT count(*) FROM bench_raw_run WHERE status = 'success'").fetchone()[0]
