"""The console (worker and web output) honours LOG_LEVEL, including for job log lines."""
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LOG_A_JOB_LINE = (
    "import django; django.setup(); import logging, tasks_app.runner; "
    "logging.getLogger('tasks_app.job.noop').info('a job line')"
)


def _console(level):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "mystocks.settings", "LOG_LEVEL": level}
    return subprocess.run([sys.executable, "-c", LOG_A_JOB_LINE], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=60, check=True).stderr


def test_job_lines_reach_the_console_at_info():
    assert "INFO tasks_app.job.noop: a job line" in _console("INFO")


def test_job_lines_stay_off_the_console_at_warning():
    # The runner keeps job loggers at DEBUG so their lines are captured into the execution.
    assert "a job line" not in _console("WARNING")
