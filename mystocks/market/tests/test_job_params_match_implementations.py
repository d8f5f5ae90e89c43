"""The choices the jobs declare are exactly what the indicator and strategy code implements."""
import talib

from mystocks.market import indicators, jobs, patterns, screens, strategies


def test_declared_indicators_are_the_implemented_ones():
    assert set(jobs.INDICATORS) == set(indicators.INDICATOR_COLUMNS)


def test_declared_strategies_are_the_implemented_ones():
    assert set(jobs.STRATEGIES) == set(strategies.STRATEGIES)


def test_declared_patterns_are_talibs_pattern_functions():
    assert set(jobs.PATTERNS) == set(patterns.PATTERNS) == set(talib.get_function_groups()["Pattern Recognition"])


def test_every_strategy_and_screen_has_a_display_name():
    assert set(strategies.LABELS) == set(strategies.STRATEGIES)
    assert set(screens.LABELS) == set(screens.SCREENS)
