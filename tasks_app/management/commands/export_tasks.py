from pathlib import Path

from django.core.management.base import BaseCommand

from tasks_app.catalogue_yaml import export_catalogue


class Command(BaseCommand):
    help = "Export the task catalogue in the old task manager's YAML format."

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", default="-", help="output file (default: standard output)")

    def handle(self, *args, file, **options):
        text = export_catalogue(interface="command")
        if file == "-":
            self.stdout.write(text, ending="")
            return
        Path(file).write_text(text, encoding="utf-8")
        self.stderr.write(f"exported to {file}")
