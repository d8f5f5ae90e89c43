import os
import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from tasks_app.catalogue_yaml import import_catalogue
from tasks_app.models import TaskDefinition
from tasks_app.private_files import write_private
from tasks_app.scheduling import ensure_builtin_schedules


class Command(BaseCommand):
    help = "First-run set-up: an admin account if there is none, and the default catalogue if it is empty."

    def add_arguments(self, parser):
        parser.add_argument("--catalogue", default=str(settings.BASE_DIR / "fixtures" / "tasks.yaml"))
        parser.add_argument("--username", default="admin")

    def handle(self, *args, catalogue, username, **options):
        self._ensure_admin(username)
        ensure_builtin_schedules()
        if TaskDefinition.objects.exists():
            self.stdout.write("catalogue already has tasks; not importing the default one")
            return
        with open(catalogue, encoding="utf-8") as fh:
            report = import_catalogue(fh.read())
        if not report.ok:
            for error in report.errors:
                self.stderr.write(f"error: {error}")
            raise SystemExit(1)
        self.stdout.write(f"imported {len(report.created)} tasks and {len(report.groups_created)} groups")

    def _ensure_admin(self, username):
        user_model = get_user_model()
        if user_model.objects.filter(is_superuser=True).exists():
            self.stdout.write("an admin account exists already")
            return
        password = os.environ.get("MYSTOCKS_ADMIN_PASSWORD")
        generated = not password
        password = password or secrets.token_urlsafe(12)
        user_model.objects.create_superuser(username=username, email="", password=password)
        self.stdout.write(f"created admin account: {username}")
        if generated:
            write_private(settings.VAR_DIR / "admin_password", password + "\n")
            self.stdout.write(f"generated password (kept in var/admin_password, readable by you only): {password}")
