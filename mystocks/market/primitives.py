"""TongDaXin formula primitives on 2-D ``codes × bars`` arrays (time along axis 1), whole market at once.

- REF(X,N): X N bars ago (NaN before the first bar).
- MA(X,N): simple mean of the last N values; NaN until N values exist (and while any is NaN).
- SUM(X,N): sum of the last N values, same warm-up, as differences of one cumulative sum; a window of
  exact zeros sums to exactly zero (the running sum does not move), so a 0/0 stays 0/0.
- HHV/LLV(X,N): rolling max/min; COUNT(cond,N) = SUM(cond,N).
- EMA(X,N): Y = (2·X + (N−1)·Y′)/(N+1), seeded with the first X.
- SMA(X,N,M): Y = (M·X + (N−M)·Y′)/N, seeded with the first X. A missing X carries Y′ forward.
- STD: sample std (ddof=1), two-pass; AVEDEV: mean |X − mean|.

0/0 convention: a ratio whose denominator is zero (or, for denominators built from means, within
``ZERO_TOLERANCE`` of the scale of its inputs: the rounding noise of a flat window) is undefined: NaN,
never a number made of noise. ``ratio`` implements it.
"""
import math

import numpy as np

ZERO_TOLERANCE = 1e-9  # relative: |denominator| ≤ 1e-9 × scale counts as zero


def ref(x, n=1):
    out = np.full_like(x, np.nan)
    if n == 0:
        return x.copy()
    if n < x.shape[1]:
        out[:, n:] = x[:, :-n]
    return out


def ma(x, n):
    return _window_sum(x, n) / n


def msum(x, n):
    return _window_sum(x, n)


def _window_sum(x, n):
    """Rolling sums as differences of one cumulative sum; a window with a NaN is NaN. A window of
    zeros sums to exactly 0.0: adding 0.0 leaves the running sum unchanged, bit for bit."""
    missing = np.isnan(x)
    any_missing = missing.any()
    sums = _differences(np.cumsum(np.where(missing, 0.0, x) if any_missing else x, axis=1), n)
    if any_missing:
        sums[_windows_with_nan(missing, n)] = np.nan
    return _warm_up(sums, n)


def _windows_with_nan(missing, n):
    """Where the window of the last n bars holds a NaN. Usually the NaNs of a row are a prefix (bars
    before a stock's first, or a formula's warm-up): then it is the bars before first valid + n − 1,
    found without a second cumulative sum."""
    first = np.argmin(missing, axis=1)  # first valid bar (0 for a row with none: then all are NaN)
    first = np.where(missing.all(axis=1), missing.shape[1], first)
    if (missing.sum(axis=1) == first).all():
        return np.arange(missing.shape[1])[None, :] < (first + n - 1)[:, None]
    return _differences(np.cumsum(missing, axis=1, dtype=np.int32), n) > 0


def _differences(cumulative, n):
    """cumulative[t] − cumulative[t−n]: the sum over the window of the last n bars."""
    out = cumulative.copy()
    out[:, n:] -= cumulative[:, :-n]
    return out


def _warm_up(out, n):
    """NaN in the first n−1 bars, which have no full window."""
    out[:, :n - 1] = np.nan
    return out


def count(condition, n, defined):
    """COUNT(condition, N): bars of the last N where ``condition`` holds; NaN where ``defined`` is not."""
    return msum(np.where(defined, condition.astype(float), np.nan), n)


def hhv(x, n):
    out = x.copy()
    for k in range(1, min(n, x.shape[1])):
        np.maximum(out[:, k:], x[:, :-k], out=out[:, k:])  # NaN propagates, as it should
    return _warm_up(out, n)


def llv(x, n):
    out = x.copy()
    for k in range(1, min(n, x.shape[1])):
        np.minimum(out[:, k:], x[:, :-k], out=out[:, k:])
    return _warm_up(out, n)


def _sum_of_deviations(x, n, mean, power, first=0):
    """Σ |X[t−k] − mean[t]|^power over the window, in place (no array per lag), for bars t ≥ ``first``
    (NaN before: a caller that stores only the newest bars need not pay for the others)."""
    total = np.full_like(x, np.nan)
    total[:, first:] = np.abs(x[:, first:] - mean[:, first:])
    if power == 2:
        total *= total
    dev = np.empty_like(x)
    for k in range(1, min(n, x.shape[1])):
        start = max(k, first)
        part = dev[:, start:]
        np.subtract(x[:, start - k:x.shape[1] - k], mean[:, start:], out=part)
        if power == 2:
            np.multiply(part, part, out=part)
        else:
            np.abs(part, out=part)
        total[:, start:] += part
    return _warm_up(total, n)


def std(x, n, first=0):
    """Two-pass sample std (no cancellation error from sum-of-squares shortcuts); bars ≥ ``first``."""
    return np.sqrt(_sum_of_deviations(x, n, ma(x, n), 2, first) / (n - 1))


def avedev(x, n, first=0):
    return _sum_of_deviations(x, n, ma(x, n), 1, first) / n


def recursive(x, alpha):
    """Y = alpha·X + (1 − alpha)·Y′ along time, seeded with the first value; NaN X carries Y′.

    Written as Y = a·X + (1 − a)·Y′ with a per-bar weight a (1 at the seed, 0 where X is missing), so
    the loop over bars is two multiplications and an addition for the whole market."""
    if x.shape[0] == 1:
        return _recursive_one(x, alpha)
    valid = ~np.isnan(x)
    seen = np.cumsum(valid, axis=1)
    weight = np.where(valid, alpha, 0.0)
    weight[valid & (seen == 1)] = 1.0
    wt = np.ascontiguousarray(weight.T)
    keep = 1.0 - wt
    xt = np.ascontiguousarray(np.where(valid, x, 0.0).T)
    xt *= wt
    out = np.empty_like(xt)
    prev = np.zeros(xt.shape[1])
    for t in range(xt.shape[0]):
        prev = xt[t] + keep[t] * prev
        out[t] = prev
    out = out.T
    out[seen == 0] = np.nan
    return out


def _recursive_one(x, alpha):
    """``recursive`` for a single stock (the stock page): a scalar loop with the same float64
    arithmetic, without numpy's per-step overhead, which dominates with one row and thousands of bars."""
    out, prev, keep = [], math.nan, 1.0 - alpha
    for cur in x[0].tolist():
        if prev != prev:
            prev = cur
        elif cur == cur:
            prev = alpha * cur + keep * prev
        out.append(prev)
    return np.array([out], dtype=float)


def ema(x, n):
    return recursive(x, 2.0 / (n + 1))


def sma(x, n, m=1):
    return recursive(x, m / n)


def ratio(numerator, denominator, scale=None):
    """numerator / denominator, NaN where the denominator is zero: exactly zero, or (given ``scale``,
    the magnitude of what the denominator was computed from) no larger than ZERO_TOLERANCE × |scale|."""
    zero = denominator == 0
    if scale is not None:
        zero |= np.abs(denominator) <= ZERO_TOLERANCE * np.abs(scale)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(zero, np.nan, numerator / np.where(zero, 1.0, denominator))


def crossed_above(a, b):
    return (ref(a) <= ref(b)) & (a > b)


def crossed_below(a, b):
    return (ref(a) >= ref(b)) & (a < b)
