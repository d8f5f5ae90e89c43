"""Patterns detected over the whole market in one long series equal TA-Lib called on each stock alone."""
import numpy as np
import pandas as pd
import pytest
import talib

from mystocks.market import patterns


def market(lengths, seed=1):
    """Prices on the exchange's 0.01 grid (ties between candles happen, as on real bars), with runs of
    dojis, gaps and long candles so that most patterns occur."""
    rng = np.random.default_rng(seed)
    parts = []
    for i, n in enumerate(lengths):
        close = np.round(20 * np.exp(np.cumsum(rng.normal(0, 0.025, n))), 2)
        open_ = np.round(np.r_[close[0], close[:-1]] * (1 + rng.normal(0, 0.015, n)), 2)
        doji = rng.random(n) < 0.15
        open_[doji] = close[doji]
        high = np.round(np.maximum(open_, close) * (1 + rng.exponential(0.008, n)), 2)
        low = np.round(np.minimum(open_, close) * (1 - rng.exponential(0.008, n)), 2)
        parts.append(pd.DataFrame({"code": f"{i:06d}", "date": pd.bdate_range("2024-01-02", periods=n).date,
                                   "open": open_, "high": high, "low": low, "close": close}))
    return pd.concat(parts, ignore_index=True)


def per_stock(frame, name):
    rows = []
    for code, bars in frame.groupby("code", sort=True):
        values = getattr(talib, name)(*(bars[k].to_numpy() for k in ("open", "high", "low", "close")))
        for date, value in zip(bars["date"], values):
            if value:
                rows.append((code, date, name, int(value)))
    return rows


def test_every_pattern_equals_talib_per_stock():
    lengths = [300, 2, 9, 15, 16, 40, 250, 120, 300, 77] * 4  # some shorter than a pattern's lookback
    frame = market(lengths)
    found = patterns.detect(frame, list(patterns.PATTERNS))
    assert len(patterns.PATTERNS) == 61
    seen = set()
    for name in patterns.PATTERNS:
        ours = found[found["pattern"] == name]
        got = sorted(zip(ours["code"], ours["date"], ours["pattern"], ours["value"].astype(int)))
        expected = sorted(per_stock(frame, name))
        assert got == expected, name
        seen.update(v for *_, v in expected)
    assert {100, -100, 80, -80, 200, -200} <= seen
    assert found["pattern"].nunique() >= 50  # the market above really exercises the patterns


def test_keep_limits_the_hits_to_the_chosen_bars():
    frame = market([200, 150])
    last_days = (frame["date"] >= frame["date"].max() - pd.Timedelta(days=30)).to_numpy()
    everything = patterns.detect(frame, ["CDLDOJI", "CDLENGULFING"])
    some = patterns.detect(frame, ["CDLDOJI", "CDLENGULFING"], keep=last_days)
    cutoff = frame["date"].max() - pd.Timedelta(days=30)
    expected = everything[everything["date"] >= cutoff].sort_values(["pattern", "code", "date"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(some.sort_values(["pattern", "code", "date"]).reset_index(drop=True), expected)


def test_an_unknown_pattern_is_refused_by_name():
    with pytest.raises(ValueError, match="CDLNOPE"):
        patterns.detect(market([30]), ["CDLDOJI", "CDLNOPE"])
