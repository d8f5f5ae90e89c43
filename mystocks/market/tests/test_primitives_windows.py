"""Rolling windows: NaN anywhere in a window makes it NaN (leading warm-up or a gap inside)."""
import numpy as np

from mystocks.market import primitives

from .indicator_reference import r_ma, r_sum


def test_windows_with_leading_and_inner_nans_match_the_plain_loop():
    rng = np.random.default_rng(8)
    x = rng.normal(10, 2, (3, 40))
    x[0, :7] = np.nan                 # a young stock: NaN prefix only
    x[1, 12] = x[1, 30] = np.nan      # undefined values inside the series
    x[2, :] = np.nan                  # nothing at all
    for n in (1, 3, 5, 14):
        for row in range(3):
            np.testing.assert_allclose(primitives.ma(x, n)[row], r_ma(list(x[row]), n), equal_nan=True, atol=1e-9)
            np.testing.assert_allclose(primitives.msum(x, n)[row], r_sum(list(x[row]), n),
                                       equal_nan=True, atol=1e-9)


def test_a_window_of_zeros_after_large_values_sums_to_exactly_zero():
    x = np.array([[1e9, 3.3, 7.1] + [0.0] * 5])
    assert primitives.msum(x, 5)[0, -1] == 0.0  # the running sum does not move
