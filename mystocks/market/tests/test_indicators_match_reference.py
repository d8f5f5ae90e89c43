"""The vectorised indicators equal a plain loop-by-loop implementation of the TongDaXin formulas
(``indicator_reference``), and SAR equals TA-Lib's."""
import datetime

import numpy as np
import pandas as pd
import pytest
import talib

from mystocks.market import indicators

from .indicator_reference import reference

TOLERANCE = 1e-6


def series(n, seed):
    rng = np.random.default_rng(seed)
    close = 10 + np.cumsum(rng.normal(0, 0.2, n))
    high = close + rng.uniform(0.01, 0.3, n)
    low = close - rng.uniform(0.01, 0.3, n)
    return {"open": close + rng.normal(0, 0.05, n), "high": high, "low": low, "close": close,
            "volume": rng.integers(1_000, 100_000, n).astype(float)}


def frame_of(stocks):
    parts = []
    for code, s in stocks.items():
        n = len(s["close"])
        days = pd.bdate_range("2023-01-02", periods=n).date
        parts.append(pd.DataFrame({"code": code, "date": days, **s}))
    return pd.concat(parts, ignore_index=True)


def assert_matches(computed, expected):
    for column, values in expected.items():
        expected_values = np.array(values, dtype=float)
        scale = np.maximum(1.0, np.abs(expected_values))  # OBV, FI, VOL are in shares: 1e-6 relative there
        got = computed[column].to_numpy()
        assert (np.isnan(got) == np.isnan(expected_values)).all(), column
        both = ~np.isnan(got)
        worst = np.max(np.abs(got[both] - expected_values[both]) / scale[both], initial=0.0)
        assert worst <= TOLERANCE, f"{column}: off by {worst:.2e}"


@pytest.mark.parametrize("lengths", [(300, 300, 300), (300, 180, 61)], ids=["same length", "different lengths"])
def test_all_indicators_match_the_loop_reference(lengths, monkeypatch):
    monkeypatch.setattr(indicators, "CHUNK_STOCKS", 2)  # chunk edges inside the test market
    stocks = {f"{i:06d}": series(n, seed=i) for i, n in enumerate(lengths)}
    computed = indicators.compute_frame(frame_of(stocks), list(indicators.INDICATOR_COLUMNS))
    for code, s in stocks.items():
        rows = computed[computed["code"] == code].reset_index(drop=True)
        expected = reference(s)
        assert set(expected) | {"sar"} == set(computed.columns) - {"code", "date"}
        assert_matches(rows, expected)
        np.testing.assert_allclose(rows["sar"].to_numpy(), talib.SAR(s["high"], s["low"], 0.02, 0.2),
                                   rtol=0, atol=TOLERANCE, equal_nan=True, err_msg="sar")


@pytest.mark.parametrize("lengths", [(120, 120), (120, 90)], ids=["same length", "different lengths"])
def test_keep_limits_the_output_to_the_chosen_rows_with_the_same_values(lengths):
    """Only the kept bars are gathered, and output-only values (BOLL bands, CCI) are computed from the
    first kept column on: the kept rows must still equal a full computation."""
    stocks = {f"{i:06d}": series(n, seed=i) for i, n in enumerate(lengths)}
    frame = frame_of(stocks)
    names = list(indicators.INDICATOR_COLUMNS)
    everything = indicators.compute_frame(frame, names)
    codes = frame["code"]
    for keep in ((codes != codes.shift(-1)).to_numpy(),                     # each stock's newest bar
                 (frame.groupby("code").cumcount(ascending=False) < 5).to_numpy()):  # its last five
        only = indicators.compute_frame(frame, names, keep=keep)
        pd.testing.assert_frame_equal(only, everything[keep].reset_index(drop=True))


def test_a_stock_with_fewer_bars_than_a_window_gets_nan_not_an_error():
    computed = indicators.compute_frame(frame_of({"000001": series(4, seed=9)}), ["MA", "BOLL", "CCI", "WR"])
    assert computed["ma5"].isna().all() and computed["boll_mid"].isna().all()


def test_macd_bar_is_twice_dif_minus_dea_and_wr_is_zero_at_the_high():
    s = series(120, seed=3)
    s["high"][-1] = s["close"][-1] = s["high"].max() + 1
    computed = indicators.compute_frame(frame_of({"000001": s}), ["MACD", "WR"])
    last = computed.iloc[-1]
    assert last["macd_bar"] == pytest.approx(2 * (last["macd_dif"] - last["macd_dea"]))
    assert last["wr10"] == 0.0


def test_weekly_bars_are_dated_by_friday_and_aggregate_the_week():
    days = [datetime.date(2024, 1, d) for d in (2, 3, 4, 5, 8)]
    daily = pd.DataFrame({"code": "000001", "date": days, "open": [1, 2, 3, 4, 5.0], "high": [2, 9, 3, 4, 6.0],
                          "low": [0.5, 1, 1, 1, 4.0], "close": [1.5, 2, 3, 3.5, 5.5], "volume": [10, 20, 30, 40, 50.0]})
    weekly = indicators.weekly_bars(daily)
    assert weekly["date"].tolist() == [datetime.date(2024, 1, 5), datetime.date(2024, 1, 12)]
    assert weekly.iloc[0][["open", "high", "low", "close", "volume"]].tolist() == [1, 9, 0.5, 3.5, 100]


def test_monthly_bars_are_dated_by_the_month_end_and_aggregate_the_month():
    days = [datetime.date(2024, 1, d) for d in (30, 31)] + [datetime.date(2024, 2, d) for d in (1, 29)]
    daily = pd.DataFrame({"code": "000001", "date": days, "open": [1, 2, 3, 4.0], "high": [2, 9, 3, 5.0],
                          "low": [0.5, 1, 1, 2.0], "close": [1.5, 2, 3, 4.5], "volume": [10, 20, 30, 40.0]})
    monthly = indicators.monthly_bars(daily)
    assert monthly["date"].tolist() == [datetime.date(2024, 1, 31), datetime.date(2024, 2, 29)]
    assert monthly.iloc[1][["open", "high", "low", "close", "volume"]].tolist() == [3, 5, 1, 4.5, 70]
