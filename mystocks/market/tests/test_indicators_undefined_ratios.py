"""0/0 is undefined: NaN, never a number made of rounding noise (flat windows, 一字板 runs)."""
import numpy as np
import pandas as pd
import pytest

from mystocks.market import indicators


def bars(closes, flat_from):
    """Moving bars, then one price (O = H = L = C) from bar ``flat_from`` on."""
    rng = np.random.default_rng(5)
    n = len(closes)
    close = np.array(closes, dtype=float)
    high = close + rng.uniform(0.05, 0.3, n)
    low = close - rng.uniform(0.05, 0.3, n)
    open_ = close + rng.normal(0, 0.05, n)
    for a in (high, low, open_):
        a[flat_from:] = close[flat_from:]
    return pd.DataFrame({"code": "000001", "date": pd.bdate_range("2024-01-02", periods=n).date, "open": open_,
                         "high": high, "low": low, "close": close, "volume": 1e6})


@pytest.fixture
def flat_tail():
    rng = np.random.default_rng(7)
    moving = list(10 + np.cumsum(rng.normal(0, 0.2, 60)))
    return bars(moving + [10.37] * 30, flat_from=60)


def test_cci_over_a_window_of_equal_prices_is_undefined(flat_tail):
    values = indicators.compute_frame(flat_tail, ["CCI"])
    assert values["cci14"].iloc[-1:].isna().all()  # was −66.67: rounding noise divided by rounding noise
    assert values["cci14"].iloc[60:73].notna().all()  # until the window is all flat it is a number


def test_kdj_keeps_k_while_highest_high_equals_lowest_low(flat_tail):
    """RSV is 0/0 there: K = SMA(RSV) carries its last value, and D = SMA(K) keeps converging to it."""
    values = indicators.compute_frame(flat_tail, ["KDJ", "WR"])
    first_flat_window = 60 + 8  # the ninth flat bar: HHV(H,9) = LLV(L,9)
    k, d = values["kdj_k"].to_numpy(), values["kdj_d"].to_numpy()
    assert np.isfinite(k[first_flat_window - 1])
    assert (k[first_flat_window:] == k[first_flat_window - 1]).all()
    gap = np.abs(d[first_flat_window:] - k[first_flat_window:])
    assert (np.diff(gap) < 0).all()
    assert values["wr10"].iloc[-1:].isna().all()


def test_ratios_of_a_limit_up_run_are_undefined_not_zero():
    # 一字板: every bar opens, trades and closes at its limit price, 10 % above the day before.
    closes = [10 * 1.1 ** i for i in range(40)]
    frame = bars(closes, flat_from=0)
    values = indicators.compute_frame(frame, ["BRAR", "RVI", "STOCHRSI", "MFI"])
    last = values.iloc[-1]
    assert np.isnan(last["brar_ar"])        # Σ(H − O) / Σ(O − L) = 0/0
    assert np.isnan(last["rvi"])            # Σ(C − O) / Σ(H − L) = 0/0
    assert np.isnan(last["stochrsi_k"])     # RSI stuck at 100: HHV − LLV = 0
    assert last["mfi"] == pytest.approx(100.0)  # money flowed in only: 100·P/(P + 0) is defined


def test_a_stock_that_never_moved_has_no_rsi():
    values = indicators.compute_frame(bars([8.8] * 40, flat_from=0), ["RSI", "CCI", "VHF"])
    assert values[["rsi6", "cci14", "vhf"]].isna().all().all()


def test_rsi_stays_defined_through_a_long_flat_run_after_moves():
    rng = np.random.default_rng(3)
    frame = bars(list(10 + np.cumsum(rng.normal(0, 0.2, 30))) + [10.0] * 300, flat_from=30)
    rsi = indicators.compute_frame(frame, ["RSI"])["rsi6"].to_numpy()
    assert np.isfinite(rsi[40:]).all() and rsi[-1] == pytest.approx(rsi[40])  # both averages decay alike
