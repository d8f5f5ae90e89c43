"""Sending Celery tasks by name: a leaf module, as django-celery-beat and Celery beat do it.

Code that enqueues work (dispatch, alert delivery) names the task instead of importing the
module that defines it, so the Celery entry points can import everything and nothing imports
them. The names are the stable ``name=`` strings of ``celery_tasks``; beat rows store them too.
"""
from celery import current_app

EXECUTE = "tasks_app.execute"
DELIVER_ALERT = "tasks_app.deliver_alert"


def send_task(name, *, args, task_id=None, queue=None, priority=None, countdown=None,
              soft_time_limit=None, time_limit=None):
    """Send one message for the task called ``name``; options left at None are not sent.

    Raises what the broker client raises when the broker is unreachable; callers decide.
    """
    options = {
        key: value for key, value in {
            "task_id": task_id, "queue": queue, "priority": priority, "countdown": countdown,
            "soft_time_limit": soft_time_limit, "time_limit": time_limit,
        }.items() if value is not None
    }
    if current_app.conf.task_always_eager:
        # send_task ignores eager mode; the registered task's apply_async honours it.
        return current_app.tasks[name].apply_async(args=args, **options)
    return current_app.send_task(name, args=args, **options)
