"""Technical indicators in TongDaXin / MyTT conventions, vectorised over all stocks at once.

Bars sorted by (code, date) become 2-D ``codes × bars`` arrays (a reshape when every stock has as many
bars, else one scatter into a left-padded array), so each formula is a handful of NumPy operations
for the whole market instead of a pandas loop per stock. Time runs along axis 1. The primitives
(MA, EMA, SMA, SUM, HHV, LLV, REF …) and the 0/0 convention are in ``primitives``.

The formulas, their warm-up and their 0/0 conventions are in ``formulas``; this module lays the bars
out and runs the families the job asks for.
"""

import numpy as np
import pandas as pd

# The formulas are re-exported: strategies, screens and tests use them as ``indicators.<name>``.
from .formulas import (  # noqa: F401
    FAMILIES,
    INDICATOR_COLUMNS,
    Bars,
    atr,
    boll,
    cci,
    dmi,
    kdj,
    macd,
    obv,
    rsi,
    sar,
    supertrend,
    true_range,
    wr,
)
from .primitives import avedev, crossed_above, crossed_below, ema, hhv, llv, ma, msum, ratio, recursive, ref, sma, std  # noqa: F401

# --- panel layout -------------------------------------------------------------------------------

class Panel:
    """Bars of many stocks as ``codes × bars`` arrays, right-aligned (each row ends at its last bar)."""

    def __init__(self, frame, fields=("open", "high", "low", "close", "volume")):
        codes = frame["code"].to_numpy()
        starts = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]]) if len(codes) else np.array([], int)
        counts = np.diff(np.r_[starts, len(codes)])
        self.codes = codes[starts]
        self.width = int(counts.max()) if len(counts) else 0
        self.counts = counts
        self.starts = np.r_[starts, len(codes)]  # input rows of stock i: starts[i] … starts[i+1]−1
        if len(counts) and (counts == self.width).all():
            self._rows = self._cols = None  # every stock has as many bars: a plain reshape
        else:
            self._rows = np.repeat(np.arange(len(counts)), counts)
            self._cols = np.arange(len(codes)) - np.repeat(starts, counts) + np.repeat(self.width - counts, counts)
        self.dates = self.spread(frame["date"].to_numpy(), fill=None)
        self.fields = {name: self.spread(frame[name].to_numpy(dtype=float)) for name in fields}

    def spread(self, values, fill=np.nan):
        shape = (len(self.codes), self.width)
        if self._rows is None:
            return values.reshape(shape)
        out = np.full(shape, fill, dtype=values.dtype if fill is None else float)
        out[self._rows, self._cols] = values
        return out

    def gather(self, array):
        """Back to one value per input row, in the input's (code, date) order."""
        if self._rows is None:
            return array.reshape(-1)
        return array[self._rows, self._cols]

    def first_column(self, rows):
        """The leftmost column holding one of the input rows selected by the boolean mask ``rows``
        (the kept rows are a stock's newest bars, so usually the last columns)."""
        if not rows.any():
            return self.width
        if self._rows is None:
            return int(np.flatnonzero(rows.reshape(len(self.codes), self.width).any(axis=0))[0])
        return int(self._cols[rows].min())

    def chunk(self, first, last):
        """Stocks first … last−1 as a panel of their own (views, no copies of the bars)."""
        sub = object.__new__(Panel)
        lo, hi = self.starts[first], self.starts[last]
        sub.codes, sub.counts, sub.width = self.codes[first:last], self.counts[first:last], self.width
        sub.starts = self.starts[first:last + 1] - lo
        sub.dates = self.dates[first:last]
        sub.fields = {name: values[first:last] for name, values in self.fields.items()}
        if self._rows is None:
            sub._rows = sub._cols = None
        else:
            sub._rows, sub._cols = self._rows[lo:hi] - first, self._cols[lo:hi]
        return sub


def compute(panel, indicators, first=0):
    """{column: codes × bars array} for the named families (keys of INDICATOR_COLUMNS), in that order;
    complete from bar (column) ``first`` on."""
    bars = Bars(panel, first)
    out = {}
    with np.errstate(invalid="ignore", divide="ignore"):
        for name in INDICATOR_COLUMNS:
            if name in indicators:
                out.update(FAMILIES[name](bars))
    return out


CHUNK_STOCKS = 500  # stocks computed together: arrays this size stay in the CPU caches (2–3× faster)


def compute_frame(frame, indicators, keep=None):
    """Indicators for bars sorted by (code, date): a frame of code, date and the indicator columns.

    ``keep`` (a boolean mask over the input rows) limits the output to those rows: an incremental
    run computes over the warm-up history but only gathers the bars it stores."""
    panel = Panel(frame)
    columns = [c for name in INDICATOR_COLUMNS if name in indicators for c in INDICATOR_COLUMNS[name]]
    keep = np.ones(len(frame), bool) if keep is None else np.asarray(keep, bool)
    # One (columns × rows) block filled in place: pandas stores float columns exactly like that,
    # so the frame wraps it without the copy that building from a dict of columns costs.
    block = np.empty((len(columns), int(keep.sum())))
    done = 0
    for first in range(0, len(panel.codes), CHUNK_STOCKS):
        last = min(first + CHUNK_STOCKS, len(panel.codes))
        part = panel.chunk(first, last)
        wanted = keep[panel.starts[first]:panel.starts[last]]
        values = compute(part, indicators, first=part.first_column(wanted))
        size = int(wanted.sum())
        for i, column in enumerate(columns):
            block[i, done:done + size] = part.gather(values[column])[wanted]
        done += size
    result = pd.DataFrame(block.T, columns=columns, copy=False)
    result.insert(0, "date", frame["date"].to_numpy()[keep])
    result.insert(0, "code", frame["code"].to_numpy()[keep])
    return result


def weekly_bars(frame):
    """Weekly bars from daily bars sorted by (code, date); a week is dated by its Friday, so the
    current, unfinished week keeps one row that later runs update."""
    dates = pd.to_datetime(frame["date"])
    week = (dates + pd.to_timedelta((4 - dates.dt.weekday) % 7, unit="D")).dt.date
    grouped = frame.assign(week=week.to_numpy()).groupby(["code", "week"], sort=True)
    weekly = grouped.agg(open=("open", "first"), high=("high", "max"), low=("low", "min"),
                         close=("close", "last"), volume=("volume", "sum")).reset_index()
    return weekly.rename(columns={"week": "date"})


def monthly_bars(frame):
    """Monthly bars from daily bars sorted by (code, date); a month is dated by its last calendar day,
    so the current, unfinished month keeps one row that later runs update."""
    dates = pd.to_datetime(frame["date"])
    month = (dates + pd.offsets.MonthEnd(0)).dt.date
    grouped = frame.assign(month=month.to_numpy()).groupby(["code", "month"], sort=True)
    monthly = grouped.agg(open=("open", "first"), high=("high", "max"), low=("low", "min"),
                          close=("close", "last"), volume=("volume", "sum")).reset_index()
    return monthly.rename(columns={"month": "date"})
