"""Indicator screens: configurable buy/sell rules on the indicators, used like strategies.

A screen is written ``name`` or ``name:arg[:arg]`` (e.g. ``kdj_cross:20``, ``ma_cross:5:20``); the
text is also the strategy name its signals are stored under. Each rule gives a buy and a sell side:

- ``kdj_cross[:level=20]``: buy when K crosses above D with D < level; sell when K crosses below D with D > 100 − level.
- ``macd_zero_cross``: buy when DIF crosses above 0; sell when it crosses below 0.
- ``macd_cross``: buy when DIF crosses above DEA (golden cross); sell when it crosses below.
- ``boll_touch``: buy when the low reaches the lower band (L ≤ LOWER); sell when the high reaches the upper band.
- ``rsi_cross[:level=30]``: RSI6 crosses above level (buy) / below 100 − level (sell).
- ``cci_cross[:level=100]``: CCI14 crosses above −level (buy, out of oversold) / below +level (sell).
- ``wr_extreme[:level=80]``: WR10 ≥ level (buy: near the 10-bar low) / WR10 ≤ 100 − level (sell).
- ``dmi_cross``: PDI crosses above MDI (buy) / below (sell).
- ``sar_flip``: the close crosses above the SAR (buy) / below it (sell).
- ``supertrend_flip``: the Supertrend line switches to the lower band (buy) / to the upper band (sell).
- ``ma_cross[:fast=5[:slow=20]]``: MA(C,fast) crosses above MA(C,slow) (buy) / below (sell).

"Crosses above" means ≤ on the bar before and > on this bar; every rule reads bars up to t only.
"""
import numpy as np

from . import indicators as ind

# name: (defaults of its args, (min, max) of each arg)
SCREENS = {
    "kdj_cross": ((20.0,), ((0, 50),)),
    "macd_zero_cross": ((), ()),
    "macd_cross": ((), ()),
    "boll_touch": ((), ()),
    "rsi_cross": ((30.0,), ((0, 50),)),
    "cci_cross": ((100.0,), ((0, 500),)),
    "wr_extreme": ((80.0,), ((50, 100),)),
    "dmi_cross": ((), ()),
    "sar_flip": ((), ()),
    "supertrend_flip": ((), ()),
    "ma_cross": ((5.0, 20.0), ((1, 250), (2, 250))),
}
MAX_LENGTH = 32  # the stored strategy name
LABELS = {
    "kdj_cross": "KDJ金叉/死叉", "macd_zero_cross": "MACD零轴穿越", "macd_cross": "MACD金叉/死叉",
    "boll_touch": "布林带触轨", "rsi_cross": "RSI超卖/超买穿越", "cci_cross": "CCI超卖/超买穿越",
    "wr_extreme": "WR极值", "dmi_cross": "DMI交叉", "sar_flip": "SAR翻转", "supertrend_flip": "超级趋势翻转",
    "ma_cross": "均线交叉",
}


def parse(spec):
    """(name, args) of a screen spec; ValueError naming what is wrong."""
    name, *raw = str(spec).strip().split(":")
    if name not in SCREENS:
        raise ValueError(f"unknown screen {spec!r}; choose from {', '.join(SCREENS)} (with ':arg' where they take one)")
    defaults, bounds = SCREENS[name]
    if len(raw) > len(defaults) or len(str(spec)) > MAX_LENGTH:
        raise ValueError(f"screen {spec!r}: {name} takes at most {len(defaults)} argument(s), {MAX_LENGTH} characters")
    try:
        args = [float(a) for a in raw] + list(defaults[len(raw):])
    except ValueError:
        raise ValueError(f"screen {spec!r}: arguments must be numbers") from None
    for value, (low, high) in zip(args, bounds):
        if not low <= value <= high:
            raise ValueError(f"screen {spec!r}: {value:g} is outside {low} … {high}")
    if name == "ma_cross" and args[0] >= args[1]:
        raise ValueError(f"screen {spec!r}: the fast MA must be shorter than the slow one")
    return name, args


def is_screen(spec):
    try:
        parse(spec)
    except ValueError:
        return False
    return True


def signals(spec, panel):
    """(buy, sell) boolean arrays of the panel's shape for the screen ``spec``."""
    name, args = parse(spec)
    f = panel.fields
    c, h, low = f["close"], f["high"], f["low"]
    with np.errstate(invalid="ignore", divide="ignore"):
        return _RULES[name](c, h, low, *args)


def _kdj_cross(c, h, low, level):
    k, d, _ = ind.kdj(c, h, low)
    return ind.crossed_above(k, d) & (d < level), ind.crossed_below(k, d) & (d > 100 - level)


def _macd_zero_cross(c, h, low):
    dif, _, _ = ind.macd(c)
    zero = np.zeros_like(dif)
    return ind.crossed_above(dif, zero), ind.crossed_below(dif, zero)


def _macd_cross(c, h, low):
    dif, dea, _ = ind.macd(c)
    return ind.crossed_above(dif, dea), ind.crossed_below(dif, dea)


def _boll_touch(c, h, low):
    upper, _, lower = ind.boll(c)
    return low <= lower, h >= upper


def _rsi_cross(c, h, low, level):
    r = ind.rsi(c, 6)
    return ind.crossed_above(r, np.full_like(r, level)), ind.crossed_below(r, np.full_like(r, 100 - level))


def _cci_cross(c, h, low, level):
    value = ind.cci(c, h, low, 14)
    return (ind.crossed_above(value, np.full_like(value, -level)),
            ind.crossed_below(value, np.full_like(value, level)))


def _wr_extreme(c, h, low, level):
    value = ind.wr(c, h, low, 10)
    return value >= level, value <= 100 - level


def _dmi_cross(c, h, low):
    pdi, mdi, *_ = ind.dmi(c, h, low)
    return ind.crossed_above(pdi, mdi), ind.crossed_below(pdi, mdi)


def _sar_flip(c, h, low):
    line = ind.sar(h, low)
    return ind.crossed_above(c, line), ind.crossed_below(c, line)


def _supertrend_flip(c, h, low):
    line, upper, lower = ind.supertrend(c, h, low)
    on_lower, on_upper = (line == lower), (line == upper)
    was_lower, was_upper = ind.ref(on_lower.astype(float)) == 1.0, ind.ref(on_upper.astype(float)) == 1.0
    return on_lower & was_upper, on_upper & was_lower


def _ma_cross(c, h, low, fast, slow):
    a, b = ind.ma(c, int(fast)), ind.ma(c, int(slow))
    return ind.crossed_above(a, b), ind.crossed_below(a, b)


_RULES = {
    "kdj_cross": _kdj_cross, "macd_zero_cross": _macd_zero_cross, "macd_cross": _macd_cross,
    "boll_touch": _boll_touch, "rsi_cross": _rsi_cross, "cci_cross": _cci_cross, "wr_extreme": _wr_extreme,
    "dmi_cross": _dmi_cross, "sar_flip": _sar_flip, "supertrend_flip": _supertrend_flip, "ma_cross": _ma_cross,
}
