"""The choices the jobs declare are exactly what the indicator and strategy code implements."""
from mystocks.market import indicators, jobs, strategies


def test_declared_indicators_are_the_implemented_ones():
    assert set(jobs.INDICATORS) == set(indicators.INDICATOR_COLUMNS)


def test_declared_strategies_are_the_implemented_ones():
    assert set(jobs.STRATEGIES) == set(strategies.STRATEGIES)
