"""The raw Celery baseline for bench_engine.py: a no-op task that only counts itself in Redis."""
import os

import redis
from celery import shared_task

_client = redis.Redis.from_url(os.environ.get("CELERY_BROKER_URL", "redis://127.0.0.1:6379/14"))


@shared_task(name="bench.raw_noop", ignore_result=True)
def raw_noop():
    _client.incr("bench:raw_noop_done")
