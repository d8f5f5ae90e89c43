"""Load the synthetic sample market (clearly labelled SMP… codes) for offline demos."""
import datetime

from django.core.management.base import BaseCommand

from mystocks.market import sample


class Command(BaseCommand):
    help = "Load a deterministic synthetic market (default 50 stocks × 400 trading days up to the latest trading day)."

    def add_arguments(self, parser):
        parser.add_argument("--stocks", type=int, default=50)
        parser.add_argument("--days", type=int, default=400)
        parser.add_argument("--end", type=datetime.date.fromisoformat, default=None, help="last day, YYYY-MM-DD")
        parser.add_argument("--seed", type=int, default=20240101)

    def handle(self, *args, stocks, days, end, seed, **options):
        done = sample.load(stocks=stocks, days=days, end=end, seed=seed)
        self.stdout.write(self.style.SUCCESS(
            f"sample market {done['first_day']}…{done['last_day']}: stocks {done['stocks']}, bars {done['bars']}"))
