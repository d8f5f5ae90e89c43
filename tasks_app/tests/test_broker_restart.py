"""Redis restarted while beat and worker run: later slots still run."""
import shutil
import socket
import subprocess
import time

import pytest
from django.utils import timezone

from tasks_app.models import Status, TaskExecution, Trigger
from tasks_app.testing import make_definition, wait_until

pytestmark = pytest.mark.django_db(transaction=True)


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RedisServer:
    """A private redis-server, so restarting it disturbs nobody else's tests."""

    def __init__(self, port, workdir):
        self.port, self.workdir, self.proc = port, workdir, None

    def start(self):
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.workdir)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        wait_until(lambda: self._ping(), timeout=10, message="redis up")

    def _ping(self):
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as s:
                s.sendall(b"PING\r\n")
                return s.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)


@pytest.fixture
def private_redis(tmp_path):
    if not shutil.which("redis-server"):
        pytest.skip("redis-server is not installed")
    server = RedisServer(_free_port(), tmp_path)
    server.start()
    yield server
    server.stop()


def test_slots_keep_running_after_the_broker_restarts(private_redis, start_worker, start_beat):
    env = {"CELERY_BROKER_URL": f"redis://127.0.0.1:{private_redis.port}/0"}
    task = make_definition("noop", schedule_type="interval", interval_seconds=1)
    start_worker(extra_env=env)
    start_beat(extra_env=env)
    rows = TaskExecution.objects.filter(task=task, trigger=Trigger.SCHEDULE, status=Status.SUCCESS)
    wait_until(lambda: rows.exists(), timeout=30, message="a run before the restart")

    private_redis.stop()
    time.sleep(3)
    private_redis.start()
    restarted = timezone.now()

    wait_until(lambda: rows.filter(started_at__gt=restarted).count() >= 3, timeout=60,
               message="runs after the broker came back")
