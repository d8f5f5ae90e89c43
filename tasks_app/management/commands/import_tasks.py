import sys
from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from tasks_app import permissions
from tasks_app.catalogue_yaml import import_catalogue


class Command(BaseCommand):
    help = "Import a task catalogue in the old task manager's YAML format (all or nothing)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="YAML (or JSON) file; - reads standard input")
        parser.add_argument("--dry-run", action="store_true", help="validate and report, write nothing")
        parser.add_argument("--replace", action="store_true", help="also delete tasks and groups not in the file")
        parser.add_argument("--user", default=None, help="act as this user (needs the import permissions)")

    def handle(self, *args, file, dry_run, replace, user, **options):
        try:
            actor = permissions.command_user(user, "import_replace" if replace else "import")
        except PermissionDenied as exc:
            raise CommandError(str(exc)) from None
        text = sys.stdin.read() if file == "-" else self._read(file)
        report = import_catalogue(text, replace=replace, dry_run=dry_run, actor=actor, interface="command")
        if not report.ok:
            for error in report.errors:
                self.stderr.write(f"error: {error}")
            raise CommandError(f"{len(report.errors)} problem(s) found; nothing was imported")
        for warning in report.warnings:
            self.stderr.write(self.style.WARNING(f"warning: {warning}"))
        for note in report.notes:
            self.stdout.write(f"note: {note}")
        verb = "would be" if dry_run else "were"
        for noun, action, items in (
            ("tasks", "created", report.created), ("tasks", "updated", report.updated),
            ("tasks", "deleted", report.deleted), ("tasks", "unchanged", report.unchanged),
            ("groups", "created", report.groups_created), ("groups", "updated", report.groups_updated),
            ("groups", "deleted", report.groups_deleted),
        ):
            if items:
                self.stdout.write(f"{len(items)} {noun} {verb} {action}: {', '.join(items)}")
        self.stdout.write(self.style.SUCCESS("dry run: nothing written" if dry_run else "import complete"))

    def _read(self, file):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"file not found: {file}")
        return path.read_text(encoding="utf-8")
