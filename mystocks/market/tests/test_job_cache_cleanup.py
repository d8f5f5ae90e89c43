"""cleanup_cache_data deletes old files only under the cache root and refuses any other path."""
import datetime
import os
import time

import pytest
from django.utils import timezone

from tasks_app.models import Status, TaskExecution
from tasks_app.testing import make_definition, run_job_inline

pytestmark = pytest.mark.django_db(transaction=True)
OLD = time.time() - 40 * 86400


def touch(path, mtime=None):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("x")
    if mtime:
        os.utime(path, (mtime, mtime))
    return path


@pytest.fixture
def cache(settings):
    root = settings.MYSTOCKS_CACHE_ROOT
    return {"old": touch(root / "market" / "2024" / "old.csv", OLD), "new": touch(root / "market" / "new.csv"),
            "other": touch(root / "other" / "old.csv", OLD), "root": root}


def test_old_files_under_the_given_path_are_deleted(cache):
    execution = run_job_inline("cleanup_cache_data", {"retention_days": 30, "cleanup_paths": ["market"]})
    assert execution.status == Status.SUCCESS, execution.error
    assert execution.result["files_deleted"] == 1
    assert not cache["old"].exists() and not cache["old"].parent.exists()
    assert cache["new"].exists() and cache["other"].exists()


@pytest.mark.parametrize("path", ["../outside", "market/../../outside", "/etc", "/tmp"])
def test_a_path_outside_the_cache_root_is_refused_and_nothing_is_deleted(cache, path, tmp_path):
    execution = run_job_inline("cleanup_cache_data", {"retention_days": 0, "cleanup_paths": ["market", path]})
    assert execution.status == Status.FAILED
    assert "refusing cleanup path" in execution.error
    assert cache["old"].exists() and cache["other"].exists()


def test_a_symlink_leading_out_of_the_root_is_refused(cache, tmp_path):
    outside = touch(tmp_path / "elsewhere" / "keep.csv", OLD)
    (cache["root"] / "link").symlink_to(outside.parent)
    execution = run_job_inline("cleanup_cache_data", {"retention_days": 0, "cleanup_paths": ["link"]})
    assert execution.status == Status.FAILED and outside.exists()


def test_it_leaves_the_engine_executions_to_retention(cache, settings):
    # Pruning run history is the engine's retention service (with its roll-ups); a market job
    # deleting executions duplicated it and bypassed the daily roll-up it does first.
    settings.MYSTOCKS_RETENTION_EXECUTION_DAYS = 1
    long_ago = timezone.now() - datetime.timedelta(days=400)
    old = TaskExecution.objects.create(task=make_definition("noop"), status=Status.SUCCESS, created_at=long_ago,
                                       started_at=long_ago, finished_at=long_ago, duration=0)
    execution = run_job_inline("cleanup_cache_data", {"retention_days": 30, "cleanup_paths": ["market"]})
    assert execution.status == Status.SUCCESS, execution.error
    assert TaskExecution.objects.filter(pk=old.pk).exists()
