"""Strategy signals, vectorised over a ``indicators.Panel`` (codes × bars).

Each strategy returns ``(buy, sell)`` boolean arrays of the panel's shape: ``buy[i, t]`` means "buy
stock i at the next open after bar t". Signals use only bars up to t (no look-ahead).
"""
import numpy as np

from . import indicators as ind


def _crossed_above(a, b):
    return (ind.ref(a) <= ind.ref(b)) & (a > b)


def _crossed_below(a, b):
    return (ind.ref(a) >= ind.ref(b)) & (a < b)


def ma_crossover(p):
    """Golden/death cross of MA(C,5) and MA(C,20).

    buy:  MA5 ≤ MA20 on the previous bar and MA5 > MA20 on this bar.
    sell: MA5 ≥ MA20 on the previous bar and MA5 < MA20 on this bar.
    """
    c = p.fields["close"]
    fast, slow = ind.ma(c, 5), ind.ma(c, 20)
    return _crossed_above(fast, slow), _crossed_below(fast, slow)


def macd_divergence(p, lookback=20):
    """MACD (12,26,9) divergence against the closing price over the previous ``lookback`` bars.

    Let j be the bar of the lowest close among the ``lookback`` bars before t.
    buy (bottom divergence): C[t] < C[j] (a new low), DIF[t] > DIF[j] (momentum did not follow) and DIF[t] < 0.
    sell (top divergence): with j the bar of the highest close, C[t] > C[j], DIF[t] < DIF[j] and DIF[t] > 0.
    """
    c = p.fields["close"]
    dif, _, _ = ind.macd(c)
    low_close, low_dif = _extreme_before(c, dif, lookback, np.argmin)
    high_close, high_dif = _extreme_before(c, dif, lookback, np.argmax)
    buy = (c < low_close) & (dif > low_dif) & (dif < 0)
    sell = (c > high_close) & (dif < high_dif) & (dif > 0)
    return buy, sell


def _extreme_before(c, other, n, pick):
    """For each bar t: C at the extreme (argmin/argmax) of C over bars t−n … t−1, and ``other`` there."""
    shape = c.shape
    best_c = np.full(shape, np.nan)
    best_o = np.full(shape, np.nan)
    if shape[1] <= n:
        return best_c, best_o
    windows = np.lib.stride_tricks.sliding_window_view(c, n, axis=1)[:, :-1]  # windows ending at t−1
    filled = np.where(np.isnan(windows), np.inf if pick is np.argmin else -np.inf, windows)
    idx = pick(filled, axis=2)
    starts = np.arange(windows.shape[1])[None, :]
    rows = np.arange(shape[0])[:, None]
    best_c[:, n:] = c[rows, starts + idx]
    best_o[:, n:] = other[rows, starts + idx]
    incomplete = np.isnan(windows).any(axis=2)
    best_c[:, n:][incomplete] = np.nan
    return best_c, best_o


def kdj_overbought(p):
    """KDJ (9,3,3) turning in the extreme zones.

    buy:  K crosses above D while D < 20 (oversold).
    sell: K crosses below D while D > 80 (overbought).
    """
    k, d, _ = ind.kdj(p.fields["close"], p.fields["high"], p.fields["low"])
    return _crossed_above(k, d) & (d < 20), _crossed_below(k, d) & (d > 80)


def turtle_trade(p, entry=60, exit_=20):
    """InStock's 海龟交易法则: today's close is the highest close of the last ``entry`` bars (incl. today).

    sell (turtle exit): today's close is the lowest close of the last ``exit_`` bars.
    """
    c = p.fields["close"]
    return c >= ind.hhv(c, entry), c <= ind.llv(c, exit_)


def _volume_surge(p, *, min_pct=2.0, min_amount=2e8, ratio=2.0):
    """InStock's 放量上涨 test on each bar: up ≥ ``min_pct`` % on the day, turnover of at least
    ``min_amount`` yuan (close × volume), and volume ≥ ``ratio`` × the mean volume of the 5 bars before."""
    c, v = p.fields["close"], p.fields["volume"]
    pct = (c / ind.ref(c) - 1) * 100
    before = ind.ref(ind.ma(v, 5))
    return (pct >= min_pct) & (c * v >= min_amount) & (v >= ratio * before)


def volume_breakout(p):
    """放量上涨 (InStock ``check_volume``), see ``_volume_surge``. sell: the close falls below MA(C,20)."""
    c = p.fields["close"]
    return _volume_surge(p), c < ind.ma(c, 20)


def platform_breakout(p, n=60, low=-0.05, high=0.20):
    """突破平台 (InStock ``breakthrough_platform``).

    buy: on bar t, open < MA(C,60) ≤ close, bar t is a 放量上涨 day (``_volume_surge``), and on each of
    the previous n−1 bars the close stayed within −5 % … +20 % of that bar's MA60 (a flat platform).
    sell: the close falls below MA(C,20).
    """
    o, c = p.fields["open"], p.fields["close"]
    ma60 = ind.ma(c, n)
    deviation = (c - ma60) / ma60
    inside = np.where(np.isnan(deviation), 0.0, ((deviation >= low) & (deviation <= high)).astype(float))
    platform = ind.ref(ind.ma(inside, n - 1)) == 1.0
    cross = (o < ma60) & (ma60 <= c)
    return cross & _volume_surge(p) & platform, c < ind.ma(c, 20)


STRATEGIES = {
    "ma_crossover": ma_crossover,
    "macd_divergence": macd_divergence,
    "kdj_overbought": kdj_overbought,
    "turtle_trade": turtle_trade,
    "volume_breakout": volume_breakout,
    "platform_breakout": platform_breakout,
}


def signals(name, panel):
    """(buy, sell) for the strategy ``name``; a clear ValueError for an unknown one."""
    try:
        strategy = STRATEGIES[name]
    except KeyError:
        raise ValueError(f"unknown strategy {name!r}; choose one of {', '.join(STRATEGIES)}") from None
    buy, sell = strategy(panel)
    valid = ~np.isnan(panel.fields["close"])
    return buy & valid, sell & valid
