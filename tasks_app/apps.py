from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _

from .labels import LABELS, apply_labels


class TasksAppConfig(AppConfig):
    name = "tasks_app"
    verbose_name = _("Task center")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Jobs register themselves on import: the engine's built-ins and every app's jobs module.
        from . import alerts, jobs  # noqa: F401  (alerts connects its receiver of execution_ended)

        autodiscover_modules("jobs")
        apply_labels(self, LABELS)
