"""Returns after a signal (InStock's follow-up returns), computed from the bars in one pass.

The close of the signal day is the base; the return after h trading days is close[t+h] / close[t] − 1
on the stock's own bars (a suspended day is not a trading day for it). Computed on read from
``load_bars`` (qfq, so ex-rights days are no false drops); a later stored table of follow-up returns
can replace ``returns_after`` without changing its callers.
"""
import datetime
import statistics

import numpy as np

from .bars import display_bars

HORIZONS = (1, 3, 5, 10, 20, 60)
# Calendar days loaded after the last signal: 60 trading days with holidays.
LOOKAHEAD_DAYS = 100


def returns_after(signals, *, adjust="qfq"):
    """{(code, date): {h: return or None}} for ``signals`` (an iterable of (code, date)); and the adjust used."""
    signals = list(signals)
    if not signals:
        return {}, adjust
    codes = sorted({c for c, _ in signals})
    first, last = min(d for _, d in signals), max(d for _, d in signals)
    bars, used = display_bars(adjust=adjust, codes=codes, since=first,
                              until=last + datetime.timedelta(days=LOOKAHEAD_DAYS))
    series = {code: (group["date"].to_numpy(), group["close"].to_numpy())
              for code, group in bars.groupby("code", sort=False)}
    out = {}
    for code, day in signals:
        out[(code, day)] = _after(series.get(code), day)
    return out, used


def _after(series, day):
    empty = {h: None for h in HORIZONS}
    if series is None:
        return empty
    dates, closes = series
    i = int(np.searchsorted(dates, day))
    if i >= len(dates) or dates[i] != day or not closes[i]:
        return empty
    return {h: (float(closes[i + h] / closes[i] - 1) if i + h < len(closes) else None) for h in HORIZONS}


def horizon_stats(returns):
    """Per horizon: count, hit rate (share > 0), mean and median, over the known returns."""
    stats = {}
    for h in HORIZONS:
        known = [r[h] for r in returns if r[h] is not None]
        stats[h] = {
            "count": len(known),
            "hit_rate": (sum(1 for x in known if x > 0) / len(known)) if known else None,
            "mean": statistics.fmean(known) if known else None,
            "median": statistics.median(known) if known else None,
        }
    return stats
