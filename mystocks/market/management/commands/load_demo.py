"""Fill the demo database (`make demo`): simulated market, indicators, signals, a backtest."""
from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from mystocks.market import demo


class Command(BaseCommand):
    help = "Load the simulated market and run the analysis jobs on it (only with MYSTOCKS_DEMO=true)."

    def add_arguments(self, parser):
        parser.add_argument("--stocks", type=int, default=60, choices=range(1, 1001), metavar="1…1000")
        parser.add_argument("--days", type=int, default=600, choices=range(30, 5001), metavar="30…5000")

    def handle(self, *args, stocks, days, **options):
        try:
            demo.fill(stocks=stocks, days=days, log=self.stdout.write)
        except ImproperlyConfigured as exc:
            raise CommandError(str(exc)) from None
