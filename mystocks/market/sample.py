"""A deterministic synthetic market for offline demos and tests: clearly labelled, never real data.

Codes are "SMP001"…, names "样例股票 001 (synthetic)", source "sample". Prices follow a seeded
random walk with regime changes (so crossovers, breakouts and divergences occur); volume is in
shares, amount in yuan, like real bars.
"""
import datetime

import numpy as np
import pandas as pd

from tasks_app.calendar import trading_days

from . import coverage, storage
from .models import Adjust, DailyBar, Stock
from .pipeline import latest_complete_trading_day

SOURCE = "sample"
INDUSTRIES = ["样例行业-银行", "样例行业-医药", "样例行业-电子", "样例行业-汽车", "样例行业-食品"]


def sample_codes(n):
    return [f"SMP{i:03d}" for i in range(1, n + 1)]


def generate(days, *, stocks=50, seed=20240101):
    """(stocks frame, bars frame sorted by code, date) for the given trading ``days``."""
    rng = np.random.default_rng(seed)
    codes = sample_codes(stocks)
    n = len(days)
    drift = rng.normal(0, 0.002, (stocks, 1)) * np.sign(np.sin(np.arange(n) / rng.uniform(15, 60, (stocks, 1))))
    returns = np.clip(drift + rng.normal(0, 0.018, (stocks, n)), -0.095, 0.095)
    close = np.round(rng.uniform(5, 60, (stocks, 1)) * np.exp(np.cumsum(returns, axis=1)), 2)
    pre_close = np.concatenate([close[:, :1], close[:, :-1]], axis=1)
    open_ = np.round(pre_close * (1 + rng.normal(0, 0.006, (stocks, n))), 2)
    high = np.round(np.maximum(open_, close) * (1 + rng.uniform(0, 0.015, (stocks, n))), 2)
    low = np.round(np.minimum(open_, close) * (1 - rng.uniform(0, 0.015, (stocks, n))), 2)
    volume = (rng.lognormal(13.5, 0.5, (stocks, n)) * (1 + 4 * np.abs(returns))).astype(np.int64) * 100
    bars = pd.DataFrame({
        "code": np.repeat(codes, n), "date": np.tile(np.array(days, dtype=object), stocks),
        "open": open_.ravel(), "high": high.ravel(), "low": low.ravel(), "close": close.ravel(),
        "pre_close": pre_close.ravel(), "volume": volume.ravel(),
        "amount": np.round(volume.ravel() * close.ravel(), 2),
        "turnover": np.round(volume.ravel() / 1e8 * 100, 4),
        "pct_change": np.round((close / pre_close - 1).ravel() * 100, 4),
    })
    frame = pd.DataFrame({
        "code": codes, "name": [f"样例股票 {c[3:]} (synthetic)" for c in codes], "exchange": "SH",
        "industry": [INDUSTRIES[i % len(INDUSTRIES)] for i in range(stocks)],
        "list_date": days[0] - datetime.timedelta(days=365), "status": "listed", "source": SOURCE,
    })
    return frame, bars


def load(*, stocks=50, days=400, end=None, seed=20240101):
    """Store the sample market (idempotent: a re-run updates the same rows); returns the counts."""
    # Ends on the latest trading day by default, so every job's default dates find data;
    # the prices depend only on the seed and the number of days.
    end = end or latest_complete_trading_day()
    open_days = trading_days(end - datetime.timedelta(days=int(days * 1.6) + 30), end)[-days:]
    stock_frame, bars = generate(open_days, stocks=stocks, seed=seed)
    counts = storage.upsert(Stock, stock_frame, keys=["code"])
    bar_counts = storage.upsert(DailyBar, bars.assign(adjust=Adjust.NONE, source=SOURCE),
                                keys=["code", "date", "adjust"])
    coverage.record(dataset="bars:none", start=open_days[0], end=open_days[-1], codes=stock_frame["code"])
    return {"stocks": counts.as_dict(), "bars": bar_counts.as_dict(), "first_day": open_days[0].isoformat(),
            "last_day": open_days[-1].isoformat()}
