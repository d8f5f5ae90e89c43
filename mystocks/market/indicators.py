"""TongDaXin-convention technical indicators, vectorised over all stocks at once.

Bars sorted by (code, date) become 2-D ``codes × bars`` arrays (a reshape when every stock has as many
bars, else one scatter into a left-padded array), so each formula is a handful of NumPy operations
for the whole market instead of a pandas loop per stock. Time runs along axis 1.

TDX primitives, as implemented here:
- MA(X,N): simple mean of the last N values (NaN until N values exist).
- EMA(X,N): Y = (2·X + (N−1)·Y′)/(N+1), seeded with the first X.
- SMA(X,N,M): Y = (M·X + (N−M)·Y′)/N, seeded with the first X (not a simple mean!).
  A missing X (e.g. RSV when HHV = LLV) carries Y′ forward.
- REF(X,1): previous bar; HHV/LLV: rolling max/min; STD: sample std (ddof=1); AVEDEV: mean |X − mean|.

Formulas (defaults):
- MA 5/10/20/60; EMA 12/26.
- MACD: DIF = EMA(C,12) − EMA(C,26); DEA = EMA(DIF,9); bar = 2·(DIF − DEA).
- KDJ: RSV = (C − LLV(L,9)) / (HHV(H,9) − LLV(L,9))·100; K = SMA(RSV,3,1); D = SMA(K,3,1); J = 3K − 2D.
- RSI N∈{6,12,24}: SMA(MAX(C − C′,0),N,1) / SMA(|C − C′|,N,1)·100.
- BOLL: MID = MA(C,20); UPPER/LOWER = MID ± 2·STD(C,20).
- ATR: MA(MAX(H − L, |C′ − H|, |C′ − L|), 14).
- CCI: TP = (H+L+C)/3; (TP − MA(TP,14)) / (0.015·AVEDEV(TP,14)).
- WR N∈{10,6}: 100·(HHV(H,N) − C)/(HHV(H,N) − LLV(L,N)) (0 = at the high).
- OBV: running sum of ±V (+ when C > C′, − when C < C′, 0 when equal or on the first bar); MAOBV = MA(OBV,30).
"""
import math

import numpy as np
import pandas as pd

INDICATOR_COLUMNS = {
    "MA": ["ma5", "ma10", "ma20", "ma60"],
    "EMA": ["ema12", "ema26"],
    "MACD": ["macd_dif", "macd_dea", "macd_bar"],
    "KDJ": ["kdj_k", "kdj_d", "kdj_j"],
    "RSI": ["rsi6", "rsi12", "rsi24"],
    "BOLL": ["boll_upper", "boll_mid", "boll_lower"],
    "ATR": ["atr14"],
    "CCI": ["cci14"],
    "WR": ["wr10", "wr6"],
    "OBV": ["obv", "maobv"],
}


# --- panel layout -------------------------------------------------------------------------------

class Panel:
    """Bars of many stocks as ``codes × bars`` arrays, right-aligned (each row ends at its last bar)."""

    def __init__(self, frame, fields=("open", "high", "low", "close", "volume")):
        codes = frame["code"].to_numpy()
        starts = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]])
        counts = np.diff(np.r_[starts, len(codes)])
        self.codes = codes[starts]
        self.width = int(counts.max()) if len(counts) else 0
        self.counts = counts
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


# --- primitives (2-D, time along axis 1) --------------------------------------------------------

def ref(x, n=1):
    out = np.full_like(x, np.nan)
    if n < x.shape[1]:
        out[:, n:] = x[:, :-n]
    return out


def ma(x, n):
    valid = ~np.isnan(x)
    sums = np.cumsum(np.where(valid, x, 0.0), axis=1)
    counts = np.cumsum(valid, axis=1)
    sums[:, n:] -= sums[:, :-n].copy()
    counts[:, n:] -= counts[:, :-n].copy()
    return np.where(counts == n, sums / n, np.nan)


def _lagged(x, n):
    """x shifted by 0 … n−1 bars (NaN-filled): rolling windows as n whole-array operations, which
    beats a strided sliding-window reduction by an order of magnitude for these short windows."""
    for k in range(n):
        yield x if k == 0 else ref(x, k)


def hhv(x, n):
    out = x.copy()
    for lagged in _lagged(x, n):
        out = np.maximum(out, lagged)  # NaN (not enough history) propagates, as it should
    return out


def llv(x, n):
    out = x.copy()
    for lagged in _lagged(x, n):
        out = np.minimum(out, lagged)
    return out


def _sum_of_deviations(x, n, mean, power):
    total = np.zeros_like(x)
    for lagged in _lagged(x, n):
        dev = np.abs(lagged - mean)
        total += dev * dev if power == 2 else dev
    return total


def std(x, n):
    """Two-pass sample std (no cancellation error from sum-of-squares shortcuts)."""
    return np.sqrt(_sum_of_deviations(x, n, ma(x, n), 2) / (n - 1))


def avedev(x, n):
    return _sum_of_deviations(x, n, ma(x, n), 1) / n


def recursive(x, alpha):
    """Y = alpha·X + (1 − alpha)·Y′ along time, seeded with the first value; NaN X carries Y′."""
    if x.shape[0] == 1:
        return _recursive_one(x, alpha)
    xt = np.ascontiguousarray(x.T)
    out = np.empty_like(xt)
    prev = np.full(xt.shape[1], np.nan)
    for t in range(xt.shape[0]):
        cur = xt[t]
        blended = alpha * cur + (1.0 - alpha) * prev
        prev = np.where(np.isnan(prev), cur, np.where(np.isnan(cur), prev, blended))
        out[t] = prev
    return out.T


def _recursive_one(x, alpha):
    """``recursive`` for a single stock (the stock page): a scalar loop, same float64 arithmetic,
    without numpy's per-step overhead that dominates when there is one row and thousands of bars."""
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


# --- indicators ---------------------------------------------------------------------------------

def _safe_div(a, b):
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(b != 0, a / np.where(b != 0, b, 1.0), np.nan)


def macd(c, short=12, long=26, mid=9):
    dif = ema(c, short) - ema(c, long)
    dea = ema(dif, mid)
    return dif, dea, 2 * (dif - dea)


def kdj(c, h, low, n=9, m1=3, m2=3):
    lowest, highest = llv(low, n), hhv(h, n)
    rsv = _safe_div(c - lowest, highest - lowest) * 100
    k = sma(rsv, m1)
    d = sma(k, m2)
    return k, d, 3 * k - 2 * d


def rsi(c, n):
    diff = c - ref(c)
    return _safe_div(sma(np.maximum(diff, 0), n) * 100, sma(np.abs(diff), n))


def boll(c, n=20, width=2):
    mid, sd = ma(c, n), std(c, n)
    return mid + width * sd, mid, mid - width * sd


def atr(c, h, low, n=14):
    prev = ref(c)
    tr = np.maximum(np.maximum(h - low, np.abs(prev - h)), np.abs(prev - low))  # NaN on a first bar
    return ma(tr, n)


def cci(c, h, low, n=14):
    tp = (h + low + c) / 3
    return _safe_div(tp - ma(tp, n), 0.015 * avedev(tp, n))


def wr(c, h, low, n):
    highest = hhv(h, n)
    return _safe_div((highest - c) * 100, highest - llv(low, n))


def obv(c, v):
    prev = ref(c)
    signed = np.where(c > prev, v, np.where(c < prev, -v, 0.0))
    signed = np.where(np.isnan(c) | np.isnan(v), 0.0, signed)
    return np.where(np.isnan(c), np.nan, np.cumsum(signed, axis=1))


def compute(panel, indicators):
    """{column: codes × bars array} for the named indicators (keys of INDICATOR_COLUMNS)."""
    c, h, low, v = (panel.fields[k] for k in ("close", "high", "low", "volume"))
    out = {}
    if "MA" in indicators:
        out.update({f"ma{n}": ma(c, n) for n in (5, 10, 20, 60)})
    if "EMA" in indicators:
        out.update(ema12=ema(c, 12), ema26=ema(c, 26))
    if "MACD" in indicators:
        out["macd_dif"], out["macd_dea"], out["macd_bar"] = macd(c)
    if "KDJ" in indicators:
        out["kdj_k"], out["kdj_d"], out["kdj_j"] = kdj(c, h, low)
    if "RSI" in indicators:
        out.update({f"rsi{n}": rsi(c, n) for n in (6, 12, 24)})
    if "BOLL" in indicators:
        out["boll_upper"], out["boll_mid"], out["boll_lower"] = boll(c)
    if "ATR" in indicators:
        out["atr14"] = atr(c, h, low)
    if "CCI" in indicators:
        out["cci14"] = cci(c, h, low)
    if "WR" in indicators:
        out.update(wr10=wr(c, h, low, 10), wr6=wr(c, h, low, 6))
    if "OBV" in indicators:
        out["obv"] = obv(c, v)
        out["maobv"] = ma(out["obv"], 30)
    return out


def compute_frame(frame, indicators):
    """Indicators for bars sorted by (code, date): a frame of code, date and the indicator columns."""
    panel = Panel(frame)
    values = compute(panel, indicators)
    # One (columns × rows) block filled in place: pandas stores float columns exactly like that,
    # so the frame wraps it without the copy that building from a dict of columns costs.
    block = np.empty((len(values), len(frame)))
    for i, array in enumerate(values.values()):
        block[i] = panel.gather(array)
    result = pd.DataFrame(block.T, columns=list(values), copy=False)
    result.insert(0, "date", frame["date"].to_numpy())
    result.insert(0, "code", frame["code"].to_numpy())
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
