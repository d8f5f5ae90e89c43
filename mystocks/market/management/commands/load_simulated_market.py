"""Load a small simulated market (stocks, raw bars, factors, events, ST periods, statements) for demos."""
from django.core.management.base import BaseCommand, CommandError

from mystocks.market.simulated import load


class Command(BaseCommand):
    help = ("Write a deterministic simulated A-share market straight into the database: every board, ST "
            "stocks, new listings, delistings, suspensions, dividends / bonus / rights issues with factors.")

    def add_arguments(self, parser):
        parser.add_argument("--stocks", type=int, default=50, help="10 … 6000 (default 50)")
        parser.add_argument("--years", type=float, default=2, help="0.2 … 10 years of bars (default 2)")
        parser.add_argument("--seed", type=int, default=11)
        parser.add_argument("--no-statements", action="store_true")

    def handle(self, *args, stocks, years, seed, no_statements, **options):
        if not 10 <= stocks <= 6000:
            raise CommandError("--stocks: between 10 and 6000")
        if not 0.2 <= years <= 10:
            raise CommandError("--years: between 0.2 and 10")
        market = load.build(stocks=stocks, years=years, seed=seed)
        counts = load.load(market, statements=not no_statements)
        self.stdout.write(self.style.SUCCESS(
            f"simulated market {market.days[0]}…{market.today}: " + ", ".join(f"{k} {v}" for k, v in counts.items())))
