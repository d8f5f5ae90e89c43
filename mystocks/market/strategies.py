"""Strategy signals, vectorised over a ``indicators.Panel`` (codes × bars).

Each strategy returns ``(buy, sell)`` boolean arrays of the panel's shape: ``buy[i, t]`` means "buy
stock i at the next open after bar t". Signals use only bars up to t (no look-ahead).
"""
import numpy as np

from . import indicators as ind
from . import screens

_crossed_above = ind.crossed_above
_crossed_below = ind.crossed_below


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


def _pct_change(c):
    """Percent change on the bar before (p_change), on the panel's (adjusted) prices."""
    with np.errstate(invalid="ignore", divide="ignore"):
        return (c / ind.ref(c) - 1) * 100


def _below_ma20(c):
    """The exit shared by the selection strategies below (InStock only selects): close under MA(C,20)."""
    return c < ind.ma(c, 20)


def _lag(condition, k):
    """condition as of k bars ago (False before the first bar)."""
    return ind.ref(np.where(condition, 1.0, 0.0), k) == 1.0


def _all_over(condition, n):
    """condition held on each of the last n bars (t−n+1 … t)."""
    return ind.llv(np.where(condition, 1.0, 0.0), n) == 1.0


def _any_over(condition, n):
    return ind.hhv(np.where(condition, 1.0, 0.0), n) == 1.0


def keep_increasing(p, n=30):
    """均线多头 (InStock ``keep_increasing``): MA(C,30) rose through the last 30 bars.

    buy on bar t: MA30[t−29] < MA30[t−19] < MA30[t−9] < MA30[t] and MA30[t] > 1.2 × MA30[t−29]
    (the 30-bar window's first bar, its bars 10 and 20, and its last). MA30 must exist on bar t−29
    (59 bars of history; InStock reads a missing MA30 as 0, which would pass any young stock).
    sell: ``_below_ma20``.
    """
    c = p.fields["close"]
    m = ind.ma(c, n)
    first, third, two_thirds = ind.ref(m, n - 1), ind.ref(m, n - 1 - round(n / 3)), ind.ref(m, n - 1 - round(2 * n / 3))
    return (first < third) & (third < two_thirds) & (two_thirds < m) & (m > 1.2 * first), _below_ma20(c)


def parking_apron(p, window=15):
    """停机坪 (InStock ``parking_apron``): a limit-up breakout followed by three quiet days above it.

    buy on bar t when, for some bar j in t−14 … t−3 (the last 15 bars, with three bars after j):
    - bar j rose more than 9.5 % and closed at the highest close of the 15 bars ending at j;
    - bar j+1 opened and closed above C[j], with 0.97 < C/O < 1.03;
    - bars j+2 and j+3 opened and closed above C[j], with 0.97 < C/O < 1.03 and −5 % < change < 5 %.
    sell: ``_below_ma20``.
    """
    o, c = p.fields["open"], p.fields["close"]
    pct = _pct_change(c)
    body = c / o
    quiet = (body > 0.97) & (body < 1.03)
    # Evaluated on bar k = j + 3, so that only bars up to k are read.
    cj = ind.ref(c, 3)
    breakout = (ind.ref(pct, 3) > 9.5) & (cj >= ind.ref(ind.hhv(c, window), 3))
    day1 = (ind.ref(c, 2) > cj) & (ind.ref(o, 2) > cj) & _lag(quiet, 2)
    later = [(ind.ref(c, k) > cj) & (ind.ref(o, k) > cj) & (np.abs(ind.ref(pct, k)) < 5) & _lag(quiet, k)
             for k in (1, 0)]
    found = breakout & day1 & later[0] & later[1]
    return _any_over(found, window - 3), _below_ma20(c)


def backtrace_ma250(p, window=60, year=250):
    """回踩年线 (InStock ``backtrace_ma250``): broke above MA250, peaked, and pulled back to it on falling volume.

    On bar t, over the last 60 bars (t−59 … t), with h the bar of the highest close (the first, if tied):
    - h > t−59, and the window's first bar closed below its MA(C,250) while bar h−1 closed above its MA250;
    - from h to t no close is below MA250;
    - r = the bar of the lowest close from h to t (the first, if tied) lies 10 … 50 calendar days after h;
    - V[h] / V[r] > 2 and C[r] / C[h] < 0.8.
    sell: ``_below_ma20``.
    """
    c, v = p.fields["close"], p.fields["volume"]
    ma250 = ind.ma(c, year)
    days = _day_numbers(p.dates)
    buy = np.zeros(c.shape, bool)
    if c.shape[1] >= window:
        for first in range(0, len(c), 500):  # 500 stocks at a time: the 60-bar windows are views, their masks are not
            rows = slice(first, first + 500)
            buy[rows, window - 1:] = _pulled_back(*(_windows(x[rows], window) for x in (c, ma250, v, days)))
    return buy, _below_ma20(c)


def _windows(x, n):
    return np.lib.stride_tricks.sliding_window_view(x, n, axis=1)


def _pulled_back(wc, wm, wv, wd):
    """The ``backtrace_ma250`` test on each window (stocks × windows × bars)."""
    h = np.argmax(np.where(np.isnan(wc), -np.inf, wc), axis=2)
    after_peak = np.arange(wc.shape[2]) >= h[..., None]
    r = np.argmin(np.where(after_peak & ~np.isnan(wc), wc, np.inf), axis=2)

    def at(arrays, i):
        return np.take_along_axis(arrays, i[..., None], axis=2)[..., 0]

    before_peak = np.maximum(h - 1, 0)
    with np.errstate(invalid="ignore", divide="ignore"):
        ok = (h > 0) & (wc[..., 0] < wm[..., 0]) & (at(wc, before_peak) > at(wm, before_peak))
        ok &= ~np.any(after_peak & ~(wc >= wm), axis=2)
        gap = at(wd, r) - at(wd, h)
        ok &= (gap >= 10) & (gap <= 50)
        ok &= (at(wv, h) / at(wv, r) > 2) & (at(wc, r) / at(wc, h) < 0.8)
    return ok


def _day_numbers(dates):
    """Calendar day numbers of the panel's dates (NaN where a row has no bar)."""
    flat = np.array([d.toordinal() if d is not None else np.nan for d in dates.ravel()], dtype=float)
    return flat.reshape(dates.shape)


def low_backtrace_increase(p, window=60):
    """无大幅回撤 (InStock ``low_backtrace_increase``): up 60 % in 60 bars without a large setback.

    buy on bar t: C[t] ≥ 1.6 × C[t−59], and on each bar k of t−59 … t: change ≥ −7 % and C/O − 1 ≥ −7 %;
    and on each k of t−58 … t (two bars inside the window): change[k−1] + change[k] ≥ −10 % and
    C[k]/O[k−1] − 1 ≥ −10 %. (InStock's loop seeds the previous open with −1,000,000, so its last
    test fails on the window's first bar and it never selects; the two-bar tests start on the second bar,
    as its comment intends.)
    sell: ``_below_ma20``.
    """
    o, c = p.fields["open"], p.fields["close"]
    pct = _pct_change(c)
    with np.errstate(invalid="ignore", divide="ignore"):
        one_day = (pct >= -7) & ((c / o - 1) * 100 >= -7)
        two_days = (ind.ref(pct) + pct >= -10) & ((c / ind.ref(o) - 1) * 100 >= -10)
        gain = (c - ind.ref(c, window - 1)) / ind.ref(c, window - 1) >= 0.6
    return gain & _all_over(one_day, window) & _all_over(two_days, window - 1), _below_ma20(c)


def high_tight_flag(p):
    """高而窄的旗形 (InStock ``high_tight_flag``, price part): a doubling run, then a tight flag.

    buy on bar t (at least 60 bars of history): C[t] / LLV(L over t−23 … t−10) ≥ 1.9, and two consecutive
    bars of t−23 … t−10 each rose at least 9.5 %. (InStock also requires an institution on the
    dragon-tiger list, and its code divides bar t−10's high instead of today's close; this follows its
    published rule and leaves the dragon-tiger filter to the reader.)
    sell: ``_below_ma20``.
    """
    c, low = p.fields["close"], p.fields["low"]
    pct = _pct_change(c)
    lowest = ind.ref(ind.llv(low, 14), 10)
    pair = (pct >= 9.5) & (ind.ref(pct) >= 9.5)
    with np.errstate(invalid="ignore", divide="ignore"):
        run = c / lowest >= 1.9
    history = ~np.isnan(ind.ref(c, 59))
    return history & run & _lag(_any_over(pair, 13), 10), _below_ma20(c)


def climax_limitdown(p, min_amount=2e8, ratio=4.0):
    """放量跌停 (InStock ``climax_limitdown``): a limit-down day on climax volume.

    buy on bar t (at least 61 bars of history): change ≤ −9.5 %, C·V ≥ 2 亿 yuan and
    V[t] ≥ 4 × MA(V,5) of bar t−1.
    sell: ``_below_ma20``.
    """
    c, v = p.fields["close"], p.fields["volume"]
    with np.errstate(invalid="ignore", divide="ignore"):
        buy = (_pct_change(c) <= -9.5) & (c * v >= min_amount) & (v / ind.ref(ind.ma(v, 5)) >= ratio)
    return buy & ~np.isnan(ind.ref(c, 60)), _below_ma20(c)


def low_atr(p, n=10, history=250):
    """低ATR成长 (InStock ``low_atr``): a steady stock that still gained a lot in ten bars.

    buy on bar t (at least 250 bars of history): the mean of |change| over the last 10 bars ≤ 10 %, and
    (HHV(C,10) − LLV(C,10)) / LLV(C,10) > 1.1 (the highest close of the 10 bars more than 2.1× the lowest).
    sell: ``_below_ma20``.
    """
    c = p.fields["close"]
    with np.errstate(invalid="ignore", divide="ignore"):
        calm = ind.ma(np.abs(_pct_change(c)), n) <= 10
        lowest = ind.llv(c, n)
        spread = (ind.hhv(c, n) - lowest) / lowest > 1.1
    return calm & spread & ~np.isnan(ind.ref(c, history - 1)), _below_ma20(c)


# Display names for pages and the API (InStock's names for its ten).
LABELS = {
    "ma_crossover": "均线金叉死叉", "macd_divergence": "MACD背离", "kdj_overbought": "KDJ超买超卖",
    "turtle_trade": "海龟交易法则", "volume_breakout": "放量上涨", "platform_breakout": "突破平台",
    "keep_increasing": "均线多头", "parking_apron": "停机坪", "backtrace_ma250": "回踩年线",
    "low_backtrace_increase": "无大幅回撤", "high_tight_flag": "高而窄的旗形", "climax_limitdown": "放量跌停",
    "low_atr": "低ATR成长",
}

STRATEGIES = {
    "ma_crossover": ma_crossover,
    "macd_divergence": macd_divergence,
    "kdj_overbought": kdj_overbought,
    "turtle_trade": turtle_trade,
    "volume_breakout": volume_breakout,
    "platform_breakout": platform_breakout,
    "keep_increasing": keep_increasing,
    "parking_apron": parking_apron,
    "backtrace_ma250": backtrace_ma250,
    "low_backtrace_increase": low_backtrace_increase,
    "high_tight_flag": high_tight_flag,
    "climax_limitdown": climax_limitdown,
    "low_atr": low_atr,
}


def check_name(name):
    """A strategy's or an indicator screen's name (``screens``); ValueError naming the choices."""
    if name not in STRATEGIES and not screens.is_screen(name):
        raise ValueError(f"unknown strategy {name!r}; choose one of {', '.join(STRATEGIES)}, "
                         f"or a screen ({', '.join(screens.SCREENS)}, with ':arg' where they take one)")


def signals(name, panel):
    """(buy, sell) for the strategy or screen ``name``; a clear ValueError for an unknown one."""
    check_name(name)
    if name in STRATEGIES:
        buy, sell = STRATEGIES[name](panel)
    else:
        buy, sell = screens.signals(name, panel)
    valid = ~np.isnan(panel.fields["close"])
    return buy & valid, sell & valid
