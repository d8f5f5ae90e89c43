"""qfq prices for the whole market from unadjusted bars and cumulative factors: the one-searchsorted
lookup the analytics use (``adjust.adjust_bars``) vs a per-stock ``pd.merge_asof`` loop, on the same
in-memory frames (no database), with both results compared.

    python bench/bench_adjusted_bars.py [--stocks 5000] [--days 250] [--events 2] [--repeat 3]

``--events`` ex-rights events per stock per 250 days. Prints the best of ``--repeat`` runs of each.
"""
import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mystocks.settings")


def make_market(stocks, days, events):
    rng = np.random.default_rng(7)
    dates = pd.bdate_range("2016-01-04", periods=days).date
    close = 10 * np.exp(np.cumsum(rng.normal(0, 0.02, (stocks, days)), axis=1))
    codes = [f"{600000 + i:06d}" for i in range(stocks)]
    bars = pd.DataFrame({
        "code": np.repeat(codes, days), "date": np.tile(np.array(dates, dtype=object), stocks),
        "open": close.ravel(), "high": close.ravel() * 1.01, "low": close.ravel() * 0.99, "close": close.ravel(),
        "volume": np.full(stocks * days, 1e6), "pre_close": close.ravel(),
    })
    count = max(1, events * days // 250)
    picks = np.sort(rng.choice(np.arange(1, days), size=(stocks, count)), axis=1)
    steps = rng.uniform(1.01, 2.0, (stocks, count))
    factors = pd.DataFrame({"code": np.repeat(codes, count), "date": np.array(dates, dtype=object)[picks.ravel()],
                            "back_factor": np.cumprod(steps, axis=1).ravel()})
    factors = factors.drop_duplicates(["code", "date"]).reset_index(drop=True)
    return bars, factors


def per_stock_merge_asof(bars, factors):
    """The usual way: for each stock, merge_asof its bars onto its factors, then scale."""
    out = []
    by_code = dict(tuple(factors.groupby("code")))
    for code, group in bars.groupby("code", sort=True):
        mine = by_code.get(code)
        if mine is None:
            out.append(group)
            continue
        left = group.assign(day=pd.to_datetime(group["date"]))
        right = mine.assign(day=pd.to_datetime(mine["date"]))[["day", "back_factor"]]
        merged = pd.merge_asof(left, right, on="day").fillna({"back_factor": 1.0})
        scale = (merged["back_factor"] / mine["back_factor"].iloc[-1]).to_numpy()
        prices = ["open", "high", "low", "close", "pre_close"]
        group = group.copy()
        group[prices] = group[prices].to_numpy() * scale[:, None]
        out.append(group)
    return pd.concat(out, ignore_index=True)


def best_of(fn, repeat):
    times, result = [], None
    for _ in range(repeat):
        began = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - began)
    return min(times), float(np.median(times)), result


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--stocks", type=int, default=5000)
    parser.add_argument("--days", type=int, default=250)
    parser.add_argument("--events", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    import django

    django.setup()
    from mystocks.market import adjust

    bars, factors = make_market(args.stocks, args.days, args.events)
    print(f"{args.stocks:,} stocks × {args.days} days = {len(bars):,} bars, {len(factors):,} factor rows")
    fast, fast_median, ours = best_of(lambda: adjust.adjust_bars(bars, adjust="qfq", factors=factors), args.repeat)
    slow, slow_median, theirs = best_of(lambda: per_stock_merge_asof(bars, factors), max(1, args.repeat - 1))
    diff = np.abs(ours["close"].to_numpy() - theirs["close"].to_numpy()).max()
    print(f"  one searchsorted (the analytics' way): best {fast:.3f} s, median {fast_median:.3f} s")
    print(f"  per-stock merge_asof loop:             best {slow:.3f} s, median {slow_median:.3f} s")
    print(f"  speed-up {slow / fast:.1f}×; largest difference in close: {diff:.2e}")


if __name__ == "__main__":
    main()
