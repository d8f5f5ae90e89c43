import json

from django.core.management.base import BaseCommand

from tasks_app.alerts import checks


class Command(BaseCommand):
    help = ("Run the alert checks once (missed runs, long runs, beat heartbeat, workers) and print a summary. "
            "For a cron/systemd timer outside the worker and beat processes, which also run them.")

    def add_arguments(self, parser):
        parser.add_argument("--no-workers", action="store_true", help="do not ping the workers")

    def handle(self, *args, no_workers, **options):
        summary = checks.run_checks(check_workers=not no_workers)
        self.stdout.write(json.dumps(summary, ensure_ascii=False, default=str))
