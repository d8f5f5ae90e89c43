"""Engine benchmarks on real PostgreSQL, Redis, worker and beat processes (prints figures).

    python bench/bench_engine.py [--executions 2000] [--rounds 1] [--lag-seconds 120]
                                 [--throughput-only] [--profile-dir DIR]

``--profile-dir`` records a GIL sampling profile (py-spy, in requirements-test.txt) of the
worker's pool children and of the sender while the full path runs (first round), as
``full_path.txt`` and ``full_path_sender.txt`` (collapsed stacks); bench/profile_summary.py reads them.

1. Throughput: `noop` executions fired through the full path (dispatch → worker → recorded),
   in the same run as, on the same broker, worker count and database:
   - raw Celery no-op tasks (nothing recorded);
   - the recorded baseline: a raw task whose row is inserted, started and finished in plain SQL;
   - the peer: Celery with django-celery-results as the result backend and ``track_started``
     (the Django-standard way to keep a record of every run; bench_settings.py).
   Targets: full path ≥ 2× the peer and ≥ 0.5× the recorded baseline. The machine's load moves
   every figure; the ratios are per round (all four variants back to back), so use --rounds 5.
2. Slot lag: started_at − scheduled_for of a task firing every second. Target p95 ≤ 0.5 s, p99 ≤ 1 s.
3. Edit-to-effect: seconds from saving a new schedule to beat using it. Target ≤ 6 s.

Uses DATABASE_URL's server (default postgres://postgres@127.0.0.1:5432/…) with a scratch
database `mystocks_bench_engine`, and CELERY_BROKER_URL (default Redis db 14).
"""
import argparse
import contextlib
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BASE_DB_URL = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/mystocks")
BENCH_DB = "mystocks_bench_engine"
DB_URL = urlunparse(urlparse(BASE_DB_URL)._replace(path=f"/{BENCH_DB}"))
BROKER_URL = os.environ.get("CELERY_BROKER_URL", "redis://127.0.0.1:6379/14")
RAW_COUNTER = "bench:raw_noop_done"

os.environ.update({
    "DATABASE_URL": DB_URL, "CELERY_BROKER_URL": BROKER_URL, "DJANGO_SETTINGS_MODULE": "bench_settings",
    "MYSTOCKS_VAR_DIR": tempfile.mkdtemp(prefix="bench-engine-"), "LOG_LEVEL": "WARNING",
})


def recreate_database():
    import psycopg

    admin = urlunparse(urlparse(BASE_DB_URL)._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {BENCH_DB}")


def start(kind, *args):
    env = {**os.environ, "PYTHONPATH": f"{ROOT / 'bench'}:{ROOT}"}
    log = open(Path(os.environ["MYSTOCKS_VAR_DIR"]) / f"{kind}.log", "ab")
    proc = subprocess.Popen([sys.executable, "-m", "celery", "-A", "mystocks", kind, *args], cwd=ROOT, env=env,
                            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    time.sleep(4 if kind == "worker" else 2)
    return proc


def stop(proc):
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(20)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)


def wait_for(predicate, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    raise SystemExit("timed out")


def bench_throughput(n, *, rounds=1, profile_dir=None):
    import redis
    from bench_celery_noop import (
        RECORDED_TABLE,
        connect,
        peer_done,
        raw_noop,
        recorded_done,
        send_peer,
        send_recorded,
    )
    from django.conf import settings

    from tasks_app.dispatch import celery_priority, dispatch_task
    from tasks_app.models import Status, TaskExecution
    from tasks_app.testing import make_definition

    client = redis.Redis.from_url(BROKER_URL)
    connect().execute(RECORDED_TABLE)
    task = make_definition("noop", concurrency_policy="allow")
    options = {"queue": task.queue, "priority": celery_priority(task.priority), "soft_time_limit": task.timeout,
               "time_limit": task.timeout + settings.MYSTOCKS_HARD_TIME_LIMIT_GRACE}
    done = TaskExecution.objects.filter(task=task, status=Status.SUCCESS)
    client.set(RAW_COUNTER, 0)
    variants = {
        "raw": (lambda: raw_noop.apply_async(queue="default"), lambda: int(client.get(RAW_COUNTER))),
        "recorded": (lambda: send_recorded(**options), recorded_done),
        "peer": (lambda: send_peer(**options), peer_done),
        "ours": (lambda: dispatch_task(task=task, trigger="api"), done.count),
    }
    worker = start("worker", "-Q", "default", "-c", "2", "-l", "WARNING", "--include", "bench_celery_noop",
                   "--without-gossip", "--without-mingle")
    rates = {name: [] for name in variants}
    try:
        for round_no in range(rounds):
            for name, (send, finished) in variants.items():
                with profiling(worker, profile_dir if name == "ours" and round_no == 0 else None, "full_path"):
                    rates[name].append(_rate(n, send, finished, already=finished()))
    finally:
        stop(worker)
    _print_throughput(n, rounds, {name: statistics.median(r) for name, r in rates.items()}, rates)


def _print_throughput(n, rounds, median, rates):
    raw, recorded, peer, ours = median["raw"], median["recorded"], median["peer"], median["ours"]
    ratio = statistics.median(o / p for o, p in zip(rates["ours"], rates["peer"]))
    ratio_recorded = statistics.median(o / r for o, r in zip(rates["ours"], rates["recorded"]))
    bound = statistics.median(r / p for r, p in zip(rates["recorded"], rates["peer"]))
    print(f"throughput ({n} runs each, {rounds} interleaved round(s), medians; prefork x2, same Redis and "
          f"PostgreSQL, sender in this process):\n"
          f"  raw Celery no-op                       {raw:7,.0f}/s\n"
          f"  recorded baseline (plain SQL)          {recorded:7,.0f}/s  ({recorded / raw:.2f}x raw: "
          f"insert, start and finish commits)\n"
          f"  peer: django-celery-results, started   {peer:7,.0f}/s  ({peer / raw:.2f}x raw)\n"
          f"  full path noop                         {ours:7,.0f}/s  ({ours / raw:.2f}x raw)\n"
          f"    -> {ratio:.2f}x the peer (target >= 2x), "
          f"{ratio_recorded:.2f}x the recorded baseline (target >= 0.5x)  [per-round ratios, median]\n"
          f"    (the recorded baseline was {bound:.2f}x the peer: the most the full path can reach, as it "
          f"makes the same three statements per run, with the engine's own work on top)")
    for name, values in rates.items():
        print(f"  rounds {name:9} " + "  ".join(f"{v:6,.0f}" for v in values))


@contextlib.contextmanager
def profiling(worker, profile_dir, name):
    """Sample the worker's pool children and this (sending) process with py-spy while the block runs.

    GIL samples only, so waiting on the network or the database is left out of the profile.
    """
    if not profile_dir:
        yield
        return
    Path(profile_dir).mkdir(parents=True, exist_ok=True)
    spies = [_spy(worker.pid, Path(profile_dir) / f"{name}.txt", "--subprocesses"),
             _spy(os.getpid(), Path(profile_dir) / f"{name}_sender.txt")]
    try:
        yield
    finally:
        for spy in spies:
            spy.send_signal(signal.SIGINT)
            spy.wait(60)


def _spy(pid, output, *options):
    return subprocess.Popen(
        [str(Path(sys.executable).parent / "py-spy"), "record", "--pid", str(pid), *options, "--gil",
         "--rate", "200", "--format", "raw", "--output", str(output)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )


def _rate(n, send, finished, *, already=0):
    """Runs per second from the first send until ``finished()`` counts ``n`` more than ``already``."""
    t0 = time.perf_counter()
    for _ in range(n):
        send()
    wait_for(lambda: finished() >= already + n, 900)
    return n / (time.perf_counter() - t0)


def bench_lag_and_edit(lag_seconds):
    from django.utils import timezone

    from tasks_app.catalogue import save_task_definition
    from tasks_app.models import TaskExecution
    from tasks_app.testing import make_definition

    edit_task = make_definition("noop", schedule_type="cron", cron_expression="0 0 1 1 *")
    worker = start("worker", "-Q", "default", "-c", "2", "-l", "WARNING", "--without-gossip", "--without-mingle")
    beat = start("beat", "-l", "WARNING", "-s", str(Path(os.environ["MYSTOCKS_VAR_DIR"]) / "beat-schedule"))
    try:
        edits = []
        for _ in range(5):
            time.sleep(1.3)
            edit_task.schedule_type, edit_task.interval_seconds, edit_task.cron_expression = "interval", 1, ""
            saved = timezone.now()
            save_task_definition(edit_task)
            wait_for(lambda: TaskExecution.objects.filter(task=edit_task, created_at__gt=saved).exists(), 30)
            created = TaskExecution.objects.filter(task=edit_task, created_at__gt=saved).earliest("created_at")
            edits.append((created.created_at - saved).total_seconds())
            edit_task.schedule_type, edit_task.interval_seconds, edit_task.cron_expression = "cron", None, "0 0 1 1 *"
            save_task_definition(edit_task)
        print(f"edit-to-effect: median {statistics.median(edits):.2f}s, max {max(edits):.2f}s over {len(edits)} edits "
              f"(target <= 6 s)")

        lag_task = make_definition("noop", schedule_type="interval", interval_seconds=1)
        time.sleep(lag_seconds + 3)
        lags = sorted(e.lag for e in TaskExecution.objects.filter(task=lag_task, started_at__isnull=False))
    finally:
        stop(beat)
        stop(worker)
    lags = lags[2:]  # the first slots overlap beat noticing the new task
    p95, p99 = lags[int(len(lags) * 0.95) - 1], lags[int(len(lags) * 0.99) - 1]
    print(f"slot lag: {len(lags)} slots over {lag_seconds}s, median {statistics.median(lags) * 1000:.0f} ms, "
          f"p95 {p95 * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms, max {lags[-1] * 1000:.0f} ms "
          f"(target p95 <= 500 ms, p99 <= 1000 ms)")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--executions", type=int, default=2000)
    parser.add_argument("--lag-seconds", type=int, default=120)
    parser.add_argument("--rounds", type=int, default=1, help="interleaved throughput rounds (medians)")
    parser.add_argument("--throughput-only", action="store_true")
    parser.add_argument("--profile-dir", help="write a py-spy profile of the full path's worker here")
    args = parser.parse_args()
    recreate_database()
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    import redis

    redis.Redis.from_url(BROKER_URL).flushdb()
    bench_throughput(args.executions, rounds=args.rounds, profile_dir=args.profile_dir)
    if not args.throughput_only:
        bench_lag_and_edit(args.lag_seconds)


if __name__ == "__main__":
    main()
