"""The stock page computes indicators for one stock: the single-row path gives the market-wide values."""
import numpy as np

from .. import indicators


def test_one_stock_gets_exactly_the_values_it_gets_among_others():
    rng = np.random.default_rng(3)
    closes = np.cumsum(rng.normal(0, 1, (3, 400)), axis=1) + 50
    closes[1, :30] = np.nan  # listed later
    closes[1, 200:205] = np.nan  # suspended
    for alpha in (2 / 13, 1 / 3, 1 / 14):
        together = indicators.recursive(closes, alpha)
        for row in range(3):
            alone = indicators.recursive(closes[row:row + 1], alpha)
            np.testing.assert_array_equal(alone[0], together[row])
