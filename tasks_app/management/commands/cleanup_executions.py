from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from tasks_app import permissions, retention


class Command(BaseCommand):
    help = ("Delete finished executions older than --days days (rolled up first, so statistics stay), "
            "in batches; also blank old logs and delete old audit entries per the retention settings.")

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=settings.MYSTOCKS_RETENTION_EXECUTION_DAYS,
                            help="keep this many days of executions (default MYSTOCKS_RETENTION_EXECUTION_DAYS)")
        parser.add_argument("--dry-run", action="store_true", help="only count what would be deleted")
        parser.add_argument("--batch-size", type=int, default=5000)
        parser.add_argument("--executions-only", action="store_true", help="skip logs and audit retention")
        parser.add_argument("--user", default=None,
                            help="act as this user (needs the cleanup permissions of what is deleted)")

    def handle(self, *args, days, dry_run, batch_size, executions_only, user, **options):
        if days < 1 or batch_size < 1:
            raise CommandError("--days and --batch-size must be at least 1")
        try:
            actor = permissions.command_user(user, "cleanup_executions")
            if not executions_only:
                permissions.command_user(user, "cleanup_audit")
        except PermissionDenied as exc:
            raise CommandError(str(exc)) from None
        first_kept = retention.cutoff_day(days)
        if dry_run:
            count = retention.old_executions(days=days).count()
            self.stdout.write(f"would delete {count} executions created before {first_kept} (dry run)")
            return
        deleted = retention.delete_old_executions(days=days, batch_size=batch_size, actor=actor,
                                                  interface="command")
        self.stdout.write(f"deleted {deleted} executions created before {first_kept}")
        if not executions_only:
            trimmed = retention.trim_old_logs(days=settings.MYSTOCKS_RETENTION_LOG_DAYS)
            purged = retention.delete_old_audit(days=settings.MYSTOCKS_RETENTION_AUDIT_DAYS, actor=actor,
                                                interface="command")
            self.stdout.write(f"blanked {trimmed} logs, deleted {purged} audit entries")
