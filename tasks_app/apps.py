from django.apps import AppConfig
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_login_failed
from django.db.models.signals import pre_save
from django.utils.module_loading import autodiscover_modules


class TasksAppConfig(AppConfig):
    name = "tasks_app"
    verbose_name = "Task Center"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Jobs register themselves on import: the engine's built-ins and every app's jobs module.
        from . import alerts, jobs  # noqa: F401  (alerts connects its receiver of execution_ended)

        autodiscover_modules("jobs")
        from . import credentials, throttling

        user_login_failed.connect(throttling.count_failed_login, dispatch_uid="tasks_app.count_failed_login")
        pre_save.connect(credentials.rotate_token_on_password_change, sender=get_user_model(),
                         dispatch_uid="tasks_app.rotate_token_on_password_change")
