from django.apps import AppConfig
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_login_failed
from django.db.models.signals import pre_save
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _

from .labels import LABELS, apply_labels


class TasksAppConfig(AppConfig):
    name = "tasks_app"
    verbose_name = _("Task center")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Models are loaded only now, so modules that import them are imported here, not at the top.
        # Celery's autodiscovery looks for "tasks" modules; the engine's entry points are named for
        # what they are, so the app registers them itself (in web processes too, for eager mode).
        # The monitor connects its timer to worker_ready / beat_init in every worker and beat process.
        from . import (
            celery_tasks,  # noqa: F401
            jobs,  # noqa: F401  (the engine's built-in jobs register themselves on import)
            monitor,  # noqa: F401
        )
        from .alerts import receivers
        from .models import TaskExecution
        from .signals import execution_ended

        execution_ended.connect(receivers.on_execution_ended, sender=TaskExecution,
                                dispatch_uid="tasks_app.alerts.on_execution_ended")
        autodiscover_modules("jobs")
        apply_labels(self, LABELS)
        from . import credentials, throttling

        user_login_failed.connect(throttling.count_failed_login, dispatch_uid="tasks_app.count_failed_login")
        pre_save.connect(credentials.rotate_token_on_password_change, sender=get_user_model(),
                         dispatch_uid="tasks_app.rotate_token_on_password_change")
