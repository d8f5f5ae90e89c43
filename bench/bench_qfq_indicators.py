"""Adjusted prices at market scale in PostgreSQL: loading the whole market unadjusted (the raw
baseline) vs qfq, then the indicator job on qfq: a full run, an incremental day, and an incremental
day on which ``--ex-dates`` stocks go ex-rights (their whole history is recomputed).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/mystocks_bench_adjust python bench/bench_qfq_indicators.py \\
        [--stocks 5000] [--days 250] [--ex-dates 50]

Creates the database if missing, migrates the market app into it and empties its bars, factors and
indicators first. Prints seconds per step.
"""
import argparse
import logging
import os
import sys
import time
import types
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/mystocks_bench_adjust"
INDICATORS = ["MA", "MACD", "KDJ", "RSI", "BOLL"]

from bench_bar_upsert import ensure_database, setup_django  # noqa: E402  (after sys.path)


def make_bars(stocks, days):
    rng = np.random.default_rng(3)
    dates = pd.bdate_range("2023-01-02", periods=days).date
    close = np.round(10 * np.exp(np.cumsum(rng.normal(0, 0.02, (stocks, days)), axis=1)), 2)
    pre = np.concatenate([close[:, :1], close[:, :-1]], axis=1)
    return pd.DataFrame({
        "code": np.repeat([f"{600000 + i:06d}" for i in range(stocks)], days),
        "date": np.tile(np.array(dates, dtype=object), stocks), "adjust": "none",
        "open": pre.ravel(), "high": np.maximum(pre, close).ravel() * 1.01,
        "low": np.minimum(pre, close).ravel() * 0.99,
        "close": close.ravel(), "pre_close": pre.ravel(), "volume": np.full(stocks * days, 1_000_000),
        "amount": close.ravel() * 1e6, "source": "bench",
    })


def make_factors(codes, dates, per_stock, rng):
    picks = np.sort(rng.choice(np.arange(1, len(dates)), size=(len(codes), per_stock)), axis=1)
    frame = pd.DataFrame({"code": np.repeat(codes, per_stock), "date": np.array(dates, dtype=object)[picks.ravel()],
                          "back_factor": np.cumprod(rng.uniform(1.01, 1.5, (len(codes), per_stock)), axis=1).ravel()})
    return frame.drop_duplicates(["code", "date"])


def reset():
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE market_dailybar, market_adjustfactor, market_indicatorvalue, market_indicatorbasis")


def timed(label, fn):
    began = time.perf_counter()
    result = fn()
    print(f"  {label:<58} {time.perf_counter() - began:7.2f} s")
    return result


def quiet_ctx():
    log = logging.getLogger("bench")
    return types.SimpleNamespace(log=log, progress=lambda *a, **k: None, check_cancelled=lambda: None)


def indicators(full=False):
    from mystocks.market import compute

    result = compute.calculate(quiet_ctx(), indicators_wanted=INDICATORS, periods=["daily"], symbols=[],
                               full_recompute=full, adjust="qfq")
    return result["daily"]


def add_day(bars, factors_for, rng):
    """One more trading day for every stock; ``factors_for`` stocks go ex-rights on it."""
    from mystocks.market import storage
    from mystocks.market.models import AdjustFactor, DailyBar

    last = bars.groupby("code").tail(1)
    day = (pd.Timestamp(last["date"].iloc[0]) + pd.offsets.BDay(1)).date()
    new = last.assign(date=day, open=last["close"], pre_close=last["close"])
    storage.upsert(DailyBar, new, keys=["code", "date", "adjust"])
    if factors_for:
        latest = dict(AdjustFactor.objects.filter(code__in=factors_for).values_list("code", "back_factor"))
        steps = rng.uniform(1.01, 1.5, len(factors_for))
        rows = [{"code": c, "date": day, "back_factor": latest.get(c, 1.0) * s} for c, s in zip(factors_for, steps)]
        storage.upsert(AdjustFactor, rows, keys=["code", "date"])
    return pd.concat([bars, new], ignore_index=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--stocks", type=int, default=5000)
    parser.add_argument("--days", type=int, default=250)
    parser.add_argument("--ex-dates", type=int, default=50)
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", DEFAULT_URL)
    if not url.startswith("postgres"):
        sys.exit("bench_qfq_indicators needs a PostgreSQL DATABASE_URL")
    ensure_database(url)
    setup_django(url)
    from mystocks.market import adjust, storage
    from mystocks.market.models import AdjustFactor, DailyBar

    rng = np.random.default_rng(5)
    reset()
    bars = make_bars(args.stocks, args.days)
    codes = bars["code"].unique()
    factors = make_factors(codes, sorted(set(bars["date"])), 2, rng)
    print(f"{args.stocks:,} stocks × {args.days} days = {len(bars):,} bars, {len(factors):,} factors; "
          f"PostgreSQL at {url}")
    timed("store bars and factors", lambda: (storage.upsert(DailyBar, bars, keys=["code", "date", "adjust"]),
                                             storage.upsert(AdjustFactor, factors, keys=["code", "date"])))
    timed("load_bars, whole market, unadjusted (raw baseline)", lambda: adjust.load_bars(adjust="none"))
    timed("load_bars, whole market, qfq", lambda: adjust.load_bars(adjust="qfq"))
    timed("indicators on qfq, full run", lambda: indicators(full=True))
    bars = add_day(bars, [], rng)
    plain = timed("indicators on qfq, one new day", indicators)
    moved = rng.choice(codes, size=min(args.ex_dates, len(codes)), replace=False).tolist()
    add_day(bars, moved, rng)
    exdate = timed(f"indicators on qfq, one new day, {len(moved)} stocks ex-rights", indicators)
    print(f"  recomputed stocks: {plain['recomputed_stocks']} then {exdate['recomputed_stocks']}; "
          f"rows updated on the ex-date day: {exdate['updated']:,}")
    reset()


if __name__ == "__main__":
    main()
