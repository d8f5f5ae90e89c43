"""The pattern names the jobs declare are TA-Lib's; every strategy and screen has a display name.

(The indicator, strategy and price-adjustment choices are taken from the implementing modules.)
"""
import talib

from mystocks.market import jobs, patterns, screens, strategies


def test_declared_patterns_are_talibs_pattern_functions():
    assert set(jobs.PATTERNS) == set(patterns.PATTERNS) == set(talib.get_function_groups()["Pattern Recognition"])


def test_every_strategy_and_screen_has_a_display_name():
    assert set(strategies.LABELS) == set(strategies.STRATEGIES)
    assert set(screens.LABELS) == set(screens.SCREENS)
