"""Recount the coverage summary rows from the stored data (an existing install, or after manual deletes)."""
from django.core.management.base import BaseCommand, CommandError

from mystocks.market import coverage


class Command(BaseCommand):
    help = "Recount the coverage summaries of all datasets (or the ones named)."

    def add_arguments(self, parser):
        parser.add_argument("datasets", nargs="*", help=f"any of: {', '.join(coverage.DATASETS)}")

    def handle(self, *args, datasets, **options):
        try:
            done = coverage.rebuild(keys=datasets or None)
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        for key, days in done.items():
            self.stdout.write(f"{key}: {days} day(s)")
