"""InStock's selection strategies on hand-built price paths where the selected bars are known."""
import numpy as np
import pandas as pd
import pytest

from mystocks.market import strategies
from mystocks.market.indicators import Panel


def panel_of(close, *, open_=None, low=None, high=None, volume=None):
    close = np.asarray(close, dtype=float)
    n = len(close)
    open_ = np.r_[close[0], close[:-1]] if open_ is None else np.asarray(open_, dtype=float)
    high = np.maximum(open_, close) + 0.05 if high is None else np.asarray(high, dtype=float)
    low = np.minimum(open_, close) - 0.05 if low is None else np.asarray(low, dtype=float)
    volume = np.full(n, 1e6) if volume is None else np.asarray(volume, dtype=float)
    return Panel(pd.DataFrame({"code": "000001", "date": pd.bdate_range("2022-01-03", periods=n).date,
                               "open": open_, "high": high, "low": low, "close": close, "volume": volume}))


def selected(name, panel):
    buy, _ = strategies.signals(name, panel)
    return np.flatnonzero(buy[0]).tolist()


def test_keep_increasing_needs_ma30_up_20_percent_over_30_bars():
    assert selected("keep_increasing", panel_of(10 * 1.01 ** np.arange(80)))[0] == 58  # MA30 on bar t−29 exists
    assert selected("keep_increasing", panel_of(10 * 1.003 ** np.arange(80))) == []   # MA30 up only 9 %


def parking_apron_path(day2_close=11.3):
    close = [10.0] * 30 + [11.0, 11.2, day2_close, 11.35] + [11.35] * 16
    open_ = [10.0] * 31 + [11.1, 11.25, 11.3] + [11.35] * 16
    return panel_of(close, open_=open_)


def test_parking_apron_selects_while_the_breakout_is_in_the_last_15_bars():
    assert selected("parking_apron", parking_apron_path()) == list(range(33, 45))  # limit-up on bar 30
    assert selected("parking_apron", parking_apron_path(day2_close=10.9)) == []    # day 2 closed below it


def backtrace_path(volume_at_low=1e6):
    rise = np.linspace(10.2, 16.0, 29)         # bars 271 … 299: the peak on 299
    fall = np.linspace(15.75, 12.0, 16)        # bars 300 … 315: the low on 315, 25 % under the peak
    close = np.r_[[10.0] * 270, 9.5, rise, fall, np.linspace(12.1, 12.5, 14)]
    volume = np.full(len(close), 2e6)
    volume[299], volume[315] = 5e6, volume_at_low
    return panel_of(close, volume=volume)


def test_backtrace_ma250_selects_the_pullback_on_shrinking_volume():
    assert selected("backtrace_ma250", backtrace_path()) == [329]  # the only window starting under MA250
    assert selected("backtrace_ma250", backtrace_path(volume_at_low=3e6)) == []  # volume fell less than half


def test_low_backtrace_increase_needs_60_percent_without_a_7_percent_day():
    steady = 10 * 1.01 ** np.arange(80)
    assert selected("low_backtrace_increase", panel_of(steady))[:3] == [60, 61, 62]
    dropped = steady.copy()
    dropped[65:] *= 0.92  # one −8 % day on bar 65
    assert selected("low_backtrace_increase", panel_of(dropped)) == [60, 61, 62, 63, 64]


def flag_path(second_day=12.1):
    close = np.r_[[10.0] * 50, 11.0, second_day, np.linspace(13.0, 19.5, 9), [19.5] * 19]
    return panel_of(close, open_=close, low=close - 0.1, high=close + 0.1)


def test_high_tight_flag_after_two_limit_up_days():
    assert selected("high_tight_flag", flag_path()) == list(range(61, 73))
    assert selected("high_tight_flag", flag_path(second_day=11.55)) == []  # the second day rose only 5 %


def test_climax_limitdown_needs_2e8_yuan_and_four_times_the_volume():
    close = np.r_[[20.0] * 65, 18.0, [18.0] * 4]
    heavy = np.r_[[1e6] * 65, 1.2e7, [1e6] * 4]
    assert selected("climax_limitdown", panel_of(close, volume=heavy)) == [65]
    light = heavy.copy()
    light[65] = 9e6  # 1.62 亿 yuan
    assert selected("climax_limitdown", panel_of(close, volume=light)) == []


@pytest.mark.parametrize("rise, expected", [(0.10, [257, 258]), (0.12, [256, 257])])
def test_low_atr_selects_a_calm_but_large_ten_bar_gain(rise, expected):
    close = np.r_[[10.0] * 250, 10 * (1 + rise) ** np.arange(1, 10)]  # 9 rises after bar 249
    # with 12 % rises, bar 258's mean |change| over ten bars is 10.8 %: no longer calm
    assert selected("low_atr", panel_of(close)) == expected


def test_every_strategy_reads_no_later_bar():
    """Cutting the path after bar t leaves the selection on bars up to t unchanged (no look-ahead)."""
    rng = np.random.default_rng(4)
    close = 10 * np.exp(np.cumsum(rng.normal(0.004, 0.03, 400)))
    full = panel_of(close)
    cut = panel_of(close[:340])
    for name in strategies.STRATEGIES:
        buy_full, sell_full = strategies.signals(name, full)
        buy_cut, sell_cut = strategies.signals(name, cut)
        assert (buy_full[0, :340] == buy_cut[0]).all(), name
        assert (sell_full[0, :340] == sell_cut[0]).all(), name
