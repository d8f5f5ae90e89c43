"""The vectorised indicators equal a plain loop-by-loop implementation of the TongDaXin formulas."""
import datetime
import math

import numpy as np
import pandas as pd
import pytest

from mystocks.market import indicators

TOLERANCE = 1e-6


def series(n, seed):
    rng = np.random.default_rng(seed)
    close = 10 + np.cumsum(rng.normal(0, 0.2, n))
    high = close + rng.uniform(0.01, 0.3, n)
    low = close - rng.uniform(0.01, 0.3, n)
    return {"open": close + rng.normal(0, 0.05, n), "high": high, "low": low, "close": close,
            "volume": rng.integers(1_000, 100_000, n).astype(float)}


# --- the reference: one bar at a time, straight from the formulas -------------------------------

def ref_ma(x, n):
    return [sum(x[i - n + 1:i + 1]) / n if i >= n - 1 else math.nan for i in range(len(x))]


def ref_recursive(x, alpha):
    out, prev = [], math.nan
    for value in x:
        if math.isnan(prev):
            prev = value
        elif not math.isnan(value):
            prev = alpha * value + (1 - alpha) * prev
        out.append(prev)
    return out


def ref_ema(x, n):
    return ref_recursive(x, 2 / (n + 1))


def ref_sma(x, n, m=1):
    return ref_recursive(x, m / n)


def ref_window(x, n, fn):
    return [fn(x[i - n + 1:i + 1]) if i >= n - 1 else math.nan for i in range(len(x))]


def ref_std(w):
    mean = sum(w) / len(w)
    return math.sqrt(sum((v - mean) ** 2 for v in w) / (len(w) - 1))


def ref_avedev(w):
    mean = sum(w) / len(w)
    return sum(abs(v - mean) for v in w) / len(w)


def reference(s):
    c, h, low, v = (list(s[k]) for k in ("close", "high", "low", "volume"))
    n = len(c)
    prev = [math.nan] + c[:-1]
    out = {f"ma{p}": ref_ma(c, p) for p in (5, 10, 20, 60)}
    out["ema12"], out["ema26"] = ref_ema(c, 12), ref_ema(c, 26)
    dif = [a - b for a, b in zip(out["ema12"], out["ema26"])]
    dea = ref_ema(dif, 9)
    out.update(macd_dif=dif, macd_dea=dea, macd_bar=[2 * (a - b) for a, b in zip(dif, dea)])
    hh9, ll9 = ref_window(h, 9, max), ref_window(low, 9, min)
    rsv = [(c[i] - ll9[i]) / (hh9[i] - ll9[i]) * 100 if i >= 8 else math.nan for i in range(n)]
    k = ref_sma(rsv, 3)
    d = ref_sma(k, 3)
    out.update(kdj_k=k, kdj_d=d, kdj_j=[3 * a - 2 * b for a, b in zip(k, d)])
    for p in (6, 12, 24):
        up = ref_sma([max(c[i] - prev[i], 0) if i else math.nan for i in range(n)], p)
        total = ref_sma([abs(c[i] - prev[i]) if i else math.nan for i in range(n)], p)
        out[f"rsi{p}"] = [a / b * 100 for a, b in zip(up, total)]
    mid, sd = ref_ma(c, 20), ref_window(c, 20, ref_std)
    out.update(boll_mid=mid, boll_upper=[m + 2 * s for m, s in zip(mid, sd)], boll_lower=[m - 2 * s for m, s in zip(mid, sd)])
    tr = [max(h[i] - low[i], abs(prev[i] - h[i]), abs(prev[i] - low[i])) if i else math.nan for i in range(n)]
    out["atr14"] = ref_window(tr, 14, lambda w: sum(w) / 14)
    tp = [(h[i] + low[i] + c[i]) / 3 for i in range(n)]
    tp_ma, tp_dev = ref_ma(tp, 14), ref_window(tp, 14, ref_avedev)
    out["cci14"] = [(tp[i] - tp_ma[i]) / (0.015 * tp_dev[i]) for i in range(n)]
    for p in (10, 6):
        hh, ll = ref_window(h, p, max), ref_window(low, p, min)
        out[f"wr{p}"] = [100 * (hh[i] - c[i]) / (hh[i] - ll[i]) for i in range(n)]
    obv, running = [], 0.0
    for i in range(n):
        if i and c[i] > prev[i]:
            running += v[i]
        elif i and c[i] < prev[i]:
            running -= v[i]
        obv.append(running)
    out.update(obv=obv, maobv=ref_ma(obv, 30))
    return out


def frame_of(stocks):
    parts = []
    for code, s in stocks.items():
        n = len(s["close"])
        days = pd.bdate_range("2023-01-02", periods=n).date
        parts.append(pd.DataFrame({"code": code, "date": days, **s}))
    return pd.concat(parts, ignore_index=True)


def assert_matches(computed, expected):
    for column, values in expected.items():
        np.testing.assert_allclose(computed[column].to_numpy(), np.array(values, dtype=float),
                                   rtol=0, atol=TOLERANCE, equal_nan=True, err_msg=column)


@pytest.mark.parametrize("lengths", [(300, 300, 300), (300, 180, 61)], ids=["same length", "different lengths"])
def test_all_indicators_match_the_loop_reference(lengths):
    stocks = {f"{i:06d}": series(n, seed=i) for i, n in enumerate(lengths)}
    computed = indicators.compute_frame(frame_of(stocks), list(indicators.INDICATOR_COLUMNS))
    for code, s in stocks.items():
        rows = computed[computed["code"] == code].reset_index(drop=True)
        assert_matches(rows, reference(s))


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
