"""Settings for bench_engine.py: the project's, plus django-celery-results for the peer.

The peer is the Django-standard way to keep a record of every Celery run: the database result
backend with ``track_started``. Only the peer's task stores results; the engine's and the raw
tasks ignore them (``ignore_result``), so this backend costs them nothing.
"""
from mystocks.settings import *  # noqa: F403

INSTALLED_APPS = [*INSTALLED_APPS, "django_celery_results"]  # noqa: F405
CELERY_RESULT_BACKEND = "django-db"
CELERY_TASK_TRACK_STARTED = True
