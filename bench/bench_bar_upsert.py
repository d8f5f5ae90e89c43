"""Upsert 1,000,000 daily bars into PostgreSQL: the project's storage.upsert vs plain psycopg
COPY → temp table → INSERT … ON CONFLICT DO UPDATE, both from the same DataFrame, in the same run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/mystocks_bench python bench/bench_bar_upsert.py [--rows N]

Creates the database if missing, migrates the market app into it and truncates market_dailybar
before each measurement. Prints seconds and rows/s per case and the ratio baseline/ours (target ≥ 0.7).
"""
import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/mystocks_bench"
COLUMNS = ["code", "date", "adjust", "open", "high", "low", "close", "pre_close", "volume", "amount",
           "turnover", "pct_change", "source"]


def ensure_database(url):
    import psycopg
    from psycopg import sql

    base, name = url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def setup_django(url):
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mystocks.settings")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", "market", verbosity=0)


def make_bars(rows, bump=0.0):
    stocks = max(rows // 250, 1)
    days = pd.bdate_range("2023-01-02", periods=rows // stocks).date
    rng = np.random.default_rng(7)
    close = np.round(10 + rng.random(stocks * len(days)) * 50, 2) + bump
    return pd.DataFrame({
        "code": np.repeat([f"{i:06d}" for i in range(stocks)], len(days)),
        "date": np.tile(np.array(days, dtype=object), stocks), "adjust": "none",
        "open": close - 0.1, "high": close + 0.2, "low": close - 0.2, "close": close, "pre_close": close - 0.05,
        "volume": rng.integers(100, 10_000_000, len(close)) * 100, "amount": close * 1e6,
        "turnover": rng.random(len(close)), "pct_change": rng.normal(0, 2, len(close)), "source": "bench",
    })[COLUMNS]


def truncate():
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE market_dailybar")


def ours(frame):
    from mystocks.market import storage
    from mystocks.market.models import DailyBar

    return storage.upsert(DailyBar, frame, keys=["code", "date", "adjust"])


def baseline(frame):
    """What a developer would write by hand with psycopg: COPY rows into a temp table, one upsert."""
    from django.db import connection, transaction

    cols = ", ".join(COLUMNS)
    updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in COLUMNS[3:])
    with transaction.atomic(), connection.cursor() as cursor:
        raw = cursor.cursor
        raw.execute(f"CREATE TEMP TABLE bench_tmp ON COMMIT DROP AS SELECT {cols} FROM market_dailybar WITH NO DATA")
        with raw.copy(f"COPY bench_tmp ({cols}) FROM STDIN") as copy:
            for row in frame.itertuples(index=False, name=None):
                copy.write_row(row)
        raw.execute(f"INSERT INTO market_dailybar ({cols}) SELECT {cols} FROM bench_tmp "
                    f"ON CONFLICT (code, date, adjust) DO UPDATE SET {updates}")


def timed(label, fn, frame):
    began = time.perf_counter()
    result = fn(frame)
    seconds = time.perf_counter() - began
    print(f"  {label:<44} {seconds:7.2f} s  {len(frame) / seconds:>9,.0f} rows/s  {result or ''}")
    return seconds


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", DEFAULT_URL)
    if not url.startswith("postgres"):
        sys.exit("bench_bar_upsert needs a PostgreSQL DATABASE_URL")
    ensure_database(url)
    setup_django(url)
    first, changed = make_bars(args.rows), make_bars(args.rows, bump=0.01)
    print(f"{len(first):,} daily bars, PostgreSQL at {url}")
    results = {}
    for name, fn in (("baseline", baseline), ("ours", ours)):
        truncate()
        results[name, "empty"] = timed(f"{name}: empty table (all inserts)", fn, first)
        results[name, "full"] = timed(f"{name}: full table (every row changed)", fn, changed)
    results["ours", "same"] = timed("ours: full table, same values (nothing written)", ours, changed)
    truncate()
    for case in ("empty", "full"):
        ratio = results["baseline", case] / results["ours", case]
        print(f"speed vs baseline, {case} table: {ratio:.2f}× (target ≥ 0.7×)")


if __name__ == "__main__":
    main()
