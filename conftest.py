"""Project-wide pytest fixtures: real Celery worker and beat processes against the test database."""
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

ROOT = Path(__file__).resolve().parent
CHROMIUM = os.environ.get("MYSTOCKS_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-gpu", "--disable-dev-shm-usage"]


def _test_database_url():
    db = settings.DATABASES["default"]
    if "postgresql" not in db["ENGINE"]:
        return None
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


class CeleryProcess:
    """A real ``celery worker`` or ``celery beat`` process with its output in a log file."""

    def __init__(self, kind, args, env, log_path):
        self.kind, self.log_path = kind, log_path
        self._log = open(log_path, "ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "mystocks", kind, *args],
            cwd=ROOT, env=env, stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True,
        )

    def output(self):
        return self.log_path.read_text(errors="replace")

    def wait_for_output(self, text, timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if text in self.output():
                return
            if self.proc.poll() is not None:
                break
            time.sleep(0.2)
        raise AssertionError(f"{self.kind} never printed {text!r}:\n{self.output()[-3000:]}")

    def child_pids(self):
        out = subprocess.run(["pgrep", "-P", str(self.proc.pid)], capture_output=True, text=True).stdout
        return [int(p) for p in out.split()]

    def kill(self, sig=signal.SIGKILL):
        """Kill the whole process group (the main process and its pool children)."""
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, sig)
            except ProcessLookupError:
                pass
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)
        self._log.close()

    def stop(self):
        self.kill(signal.SIGTERM)


@pytest.fixture(autouse=True)
def _engine_messages_in_english():
    """Engine messages (skip reasons, validation errors …) are pinned in English unless a test
    chooses a language; page and admin requests still use the request's (zh-hans by default)."""
    with translation.override("en"):
        yield


@pytest.fixture(scope="session")
def browser():
    """One Chromium for the whole session, here so the engine's and the market's browser tests share it
    (a second session fixture of the same name started a second Playwright inside the first's loop)."""
    if not shutil.which(CHROMIUM):
        pytest.fail(f"Chromium not found at {CHROMIUM}: `make test` installs Debian's chromium package")
    from playwright.sync_api import sync_playwright  # lazy: only browser tests need Playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """A test database per session, so concurrent runs on one PostgreSQL server don't collide."""
    db = settings.DATABASES["default"]
    if "postgresql" in db["ENGINE"]:
        db.setdefault("TEST", {})["NAME"] = f"test_{db['NAME']}_{os.getpid()}"


def _delete_broker_keys(broker_url):
    import redis

    client = redis.Redis.from_url(broker_url)
    prefix = os.environ.get("MYSTOCKS_BROKER_KEY_PREFIX", "")
    keys = list(client.scan_iter(f"{prefix}*")) if prefix else []
    if keys:
        client.delete(*keys)


@pytest.fixture
def celery_env(tmp_path):
    """Environment for worker/beat processes that share this test's database and a clean broker."""
    database_url = _test_database_url()
    broker_url = os.environ.get("CELERY_BROKER_URL", "")
    if not database_url or not broker_url.startswith("redis"):
        pytest.skip("needs PostgreSQL (DATABASE_URL) and Redis (CELERY_BROKER_URL); `make test` sets both")
    _delete_broker_keys(broker_url)
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "mystocks.settings",
        "DATABASE_URL": database_url,
        "CELERY_BROKER_URL": broker_url,
        "MYSTOCKS_VAR_DIR": str(tmp_path / "var"),
        "MYSTOCKS_HEARTBEAT_SECONDS": "1",
        "MYSTOCKS_HEARTBEAT_STALE_SECONDS": "5",
        "MYSTOCKS_REAPER_INTERVAL": "2",
        "MYSTOCKS_HARD_TIME_LIMIT_GRACE": "2",
        "MYSTOCKS_CANCEL_GRACE_SECONDS": "2",
        "LANGUAGE_CODE": "en",  # what workers record (skip reasons, errors) is pinned in English
        "PYTHONUNBUFFERED": "1",
        # The tests' webhook receivers listen on loopback, which channels otherwise refuse.
        "MYSTOCKS_ALERT_ALLOWED_NETWORKS": "127.0.0.1/32",
    }


@pytest.fixture
def start_worker(celery_env, tmp_path):
    """Start real workers: ``start_worker()`` returns a ready CeleryProcess; all are killed at teardown."""
    started = []

    def start(concurrency=2, queues="default,fetch,compute", name=None, extra_env=None):
        name = name or f"w{len(started)}"
        proc = CeleryProcess(
            "worker",
            ["-Q", queues, "-c", str(concurrency), "-n", f"{name}@%h", "-l", "INFO", "--without-gossip",
             "--include", "tasks_app.tests.jobs",
             "--without-mingle"],
            {**celery_env, **(extra_env or {})}, tmp_path / f"worker-{name}.log",
        )
        started.append(proc)
        proc.wait_for_output("ready.")
        return proc

    yield start
    for proc in started:
        proc.kill()


@pytest.fixture
def start_beat(celery_env, tmp_path):
    """Start real beat processes (DatabaseScheduler on the test database)."""
    started = []

    def start(name=None, extra_env=None, extra_args=()):
        name = name or f"b{len(started)}"
        proc = CeleryProcess(
            "beat", ["-l", "DEBUG", "--max-interval", "1", "-s", str(tmp_path / f"beat-{name}"), *extra_args],
            {**celery_env, **(extra_env or {})}, tmp_path / f"beat-{name}.log",
        )
        started.append(proc)
        proc.wait_for_output("beat: Starting")
        return proc

    yield start
    for proc in started:
        proc.kill()



@pytest.fixture(autouse=True, scope="session")
def _register_test_jobs():
    import tasks_app.tests.jobs  # noqa: F401  (test-only jobs; workers get them with --include)
