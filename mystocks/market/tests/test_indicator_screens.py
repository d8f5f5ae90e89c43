"""Indicator screens: the spec grammar, and each rule against the indicator values it is defined on."""
import datetime

import numpy as np
import pytest
from django.core.management import call_command

from mystocks.market import indicators, screens, strategies
from mystocks.market.models import StrategySignal
from tasks_app.models import Status
from tasks_app.testing import run_job_inline

from .test_selection_strategies import panel_of


def wave(n=300, seed=2):
    rng = np.random.default_rng(seed)
    return 20 + 4 * np.sin(np.arange(n) / 9) + np.cumsum(rng.normal(0, 0.15, n))


@pytest.mark.parametrize("spec, expected", [
    ("kdj_cross", ("kdj_cross", [20.0])), ("kdj_cross:15", ("kdj_cross", [15.0])),
    ("ma_cross:10:60", ("ma_cross", [10.0, 60.0])), ("boll_touch", ("boll_touch", [])),
])
def test_specs_parse_with_defaults(spec, expected):
    assert screens.parse(spec) == expected


@pytest.mark.parametrize("spec, message", [
    ("kdj", "unknown screen"), ("kdj_cross:abc", "must be numbers"), ("kdj_cross:70", "outside"),
    ("boll_touch:2", "at most 0"), ("ma_cross:20:5", "shorter"),
])
def test_bad_specs_say_what_is_wrong(spec, message):
    with pytest.raises(ValueError, match=message):
        screens.parse(spec)


def test_kdj_cross_buys_golden_crosses_under_the_level_only():
    panel = panel_of(wave())
    c, h, low = (panel.fields[k] for k in ("close", "high", "low"))
    k, d, _ = indicators.kdj(c, h, low)
    buy, sell = strategies.signals("kdj_cross:20", panel)
    golden = (np.roll(k, 1) <= np.roll(d, 1)) & (k > d)
    golden[:, 0] = False
    assert buy.any() and (buy == (golden & (d < 20))).all()
    assert sell.any() and not (buy & sell).any()


def test_macd_zero_cross_and_boll_touch_follow_their_lines():
    panel = panel_of(wave())
    c, low = panel.fields["close"], panel.fields["low"]
    dif, _, _ = indicators.macd(c)
    buy, sell = strategies.signals("macd_zero_cross", panel)
    ups = np.flatnonzero(buy[0])
    assert len(ups) and all(dif[0, t - 1] <= 0 < dif[0, t] for t in ups)
    assert all(dif[0, t - 1] >= 0 > dif[0, t] for t in np.flatnonzero(sell[0]))
    touch, _ = strategies.signals("boll_touch", panel)
    _, _, lower = indicators.boll(c)
    assert touch.any() and (touch[0] == (low[0] <= lower[0])).all()


def test_every_screen_runs_and_reads_no_later_bar():
    close = wave(320)
    full, cut = panel_of(close), panel_of(close[:250])
    for name in screens.SCREENS:
        buy_full, sell_full = strategies.signals(name, full)
        buy_cut, sell_cut = strategies.signals(name, cut)
        assert (buy_full[0, :250] == buy_cut[0]).all() and (sell_full[0, :250] == sell_cut[0]).all(), name
        assert buy_full.any() or sell_full.any(), name


@pytest.mark.django_db(transaction=True)
def test_the_signal_job_stores_screens_under_their_spec():
    call_command("load_sample_market", stocks=6, days=160, end=datetime.date(2024, 12, 31))
    execution = run_job_inline("calculate_strategy_signals", {
        "strategies": ["ma_crossover"], "screens": ["boll_touch", "wr_extreme:70"], "trade_date": "2024-12-31"})
    assert execution.status == Status.SUCCESS, execution.error
    assert set(execution.result["signals"]) == {"ma_crossover", "boll_touch", "wr_extreme:70"}
    stored = StrategySignal.objects.filter(strategy__in=["boll_touch", "wr_extreme:70"]).count()
    assert stored == sum(s["buy"] + s["sell"] for n, s in execution.result["signals"].items() if n != "ma_crossover")

    bad = run_job_inline("calculate_strategy_signals", {"strategies": ["ma_crossover"], "screens": ["kdj_cross:99"]})
    assert bad.status == Status.FAILED and "kdj_cross:99" in bad.error


@pytest.mark.django_db(transaction=True)
def test_a_screen_can_be_backtested_like_a_strategy():
    call_command("load_sample_market", stocks=6, days=160, end=datetime.date(2024, 12, 31))
    execution = run_job_inline("run_backtest", {"strategy_id": "macd_cross", "start_date": "2024-06-01",
                                                "end_date": "2024-12-31"})
    assert execution.status == Status.SUCCESS, execution.error
    assert execution.result["trade_count"] > 0
    unknown = run_job_inline("run_backtest", {"strategy_id": "macd_crossing"})
    assert unknown.status == Status.FAILED and "unknown strategy 'macd_crossing'" in unknown.error
