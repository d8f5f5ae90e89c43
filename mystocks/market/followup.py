"""Follow-up returns of stored signals: what the price did 1, 3, 5, 10, 20 and 60 trading days later.

For a signal on bar t of a stock (its own bars: a suspension does not count as trading days) and
horizon N: ret_N = (C[t+N] / entry − 1) × 100, where entry is C[t] (basis ``close``) or O[t+1]
(basis ``next_open``: a trader acting on an after-close signal buys at the next open; ret_1 is then
that day's open-to-close). Prices are adjusted (qfq by default), so an ex-rights day is no loss;
a ratio of qfq prices equals the ratio of hfq prices, so both give the same returns.

Incremental: only signals without a complete row for the basis are (re)computed, from the bars
since the earliest of them. Summaries per strategy and side are computed on read (``summarize``).
"""
import numpy as np
import pandas as pd
from django.db.models import Exists, OuterRef

from . import storage
from .compute import load_bars
from .models import RETURN_HORIZONS, ReturnBasis, SignalReturn, StrategySignal

RETURN_COLUMNS = [f"ret_{n}" for n in RETURN_HORIZONS]
KEYS = ["strategy", "code", "date", "basis"]
CODES_IN_QUERY = 1000  # more codes than this: load the whole market's bars instead of an IN list


def returns_for(bars, signals, *, basis=ReturnBasis.CLOSE):
    """Follow-up returns of ``signals`` (a frame with code and date, any other columns kept) from
    ``bars`` sorted by (code, date) with open and close: the signals with entry_date, entry_price,
    ret_* (NaN where the horizon is not reached yet) and complete. Signals without a bar on their
    date are dropped (the caller counts them)."""
    if bars.empty or signals.empty:
        return signals.iloc[:0].assign(entry_date=None, entry_price=np.nan, **{c: np.nan for c in RETURN_COLUMNS},
                                       complete=False)
    codes = pd.Index(pd.unique(bars["code"])).sort_values()
    bar_code = codes.get_indexer(bars["code"])
    sig_code = codes.get_indexer(signals["code"])
    bar_key = bar_code.astype(np.int64) * 1_000_000 + _day_numbers(bars["date"])
    sig_key = sig_code.astype(np.int64) * 1_000_000 + _day_numbers(signals["date"])
    pos = np.minimum(np.searchsorted(bar_key, sig_key), len(bar_key) - 1)
    found = (sig_code >= 0) & (bar_key[pos] == sig_key)
    pos = pos[found]
    last_row = np.r_[np.flatnonzero(bar_code[1:] != bar_code[:-1]), len(bar_code) - 1]
    end = last_row[np.searchsorted(last_row, pos)]  # the last bar of the signal's stock
    close, open_, dates = bars["close"].to_numpy(float), bars["open"].to_numpy(float), bars["date"].to_numpy()
    entry_at = pos if basis == ReturnBasis.CLOSE else pos + 1
    entered = entry_at <= end
    safe_entry = np.minimum(entry_at, end)
    entry = np.where(entered, (close if basis == ReturnBasis.CLOSE else open_)[safe_entry], np.nan)
    out = signals[found].reset_index(drop=True).assign(
        entry_date=np.where(entered, dates[safe_entry], None), entry_price=entry)
    for n, column in zip(RETURN_HORIZONS, RETURN_COLUMNS):
        reached = pos + n <= end
        later = close[np.minimum(pos + n, end)]
        with np.errstate(invalid="ignore", divide="ignore"):
            out[column] = np.where(reached & entered, (later / entry - 1) * 100, np.nan)
    out["complete"] = out[RETURN_COLUMNS].notna().all(axis=1)
    return out


def _day_numbers(dates):
    return pd.to_datetime(pd.Series(dates)).to_numpy("datetime64[D]").astype(np.int64)


# --- the job ------------------------------------------------------------------------------------

def compute_and_store(ctx, *, strategy_names, bases, adjust):
    """Returns of every signal (of ``strategy_names``, default all) without a complete row per basis."""
    result = {"adjust": adjust, "rows_fetched": 0, "rows_inserted": 0, "rows_updated": 0, "rows_skipped": 0,
              "symbols_failed": [], "complete": 0, "pending": 0}
    for step, basis in enumerate(bases):
        ctx.check_cancelled()
        ctx.progress(step, len(bases), f"{basis}: loading signals")
        todo = pending_signals(basis=basis, strategy_names=strategy_names)
        if todo.empty:
            continue
        codes = sorted(todo["code"].unique())
        bars = load_bars(adjust=adjust, since=todo["date"].min(), codes=codes if len(codes) <= CODES_IN_QUERY else None)
        rows = returns_for(bars, todo, basis=basis).assign(basis=basis)
        columns = [*KEYS, "side", "entry_date", "entry_price", *RETURN_COLUMNS, "complete"]
        counts = storage.upsert(SignalReturn, rows[columns], keys=KEYS)
        ctx.log.info("%s: %d signals, %d bars, %d stored (%d complete)", basis, len(todo), len(bars), len(rows),
                     int(rows["complete"].sum()))
        result["rows_fetched"] += len(bars)
        result["rows_inserted"] += counts.inserted
        result["rows_updated"] += counts.updated
        result["rows_skipped"] += len(todo) - len(rows)  # no bar on the signal's date
        result["complete"] += int(rows["complete"].sum())
        result["pending"] += int((~rows["complete"]).sum())
    ctx.progress(len(bases), len(bases), "done")
    return result


def pending_signals(*, basis, strategy_names=()):
    """Signals (strategy, code, date, side) with no complete return row for ``basis``, as a frame
    sorted by (code, date); the complete ones are left out in the database (NOT EXISTS on the key)."""
    done = SignalReturn.objects.filter(basis=basis, complete=True, strategy=OuterRef("strategy"),
                                       code=OuterRef("code"), date=OuterRef("date"))
    signals = StrategySignal.objects.filter(~Exists(done))
    if strategy_names:
        signals = signals.filter(strategy__in=strategy_names)
    rows = list(signals.order_by("code", "date").values_list("strategy", "code", "date", "side"))
    return pd.DataFrame(rows, columns=["strategy", "code", "date", "side"])


# --- read side ----------------------------------------------------------------------------------

QUANTILES = (0.1, 0.25, 0.5, 0.75, 0.9)


def summarize(*, basis=ReturnBasis.CLOSE, strategy_names=(), side=None, since=None, until=None, limit=None):
    """Per strategy and side, per horizon: count, hit rate (share of signals the price then moved the
    signalled way: up after a buy, down after a sell, in percent), mean, median and quantiles of the
    return in percent. Quantiles are not portable SQL (SQLite has none), so the returns are read once
    and aggregated here; one year of the whole market's signals is a few hundred thousand floats.
    ``limit`` bounds the rows read (the earliest by date, then code), for pages that must answer fast.

    Returns a list of {"strategy", "side", "horizon", "count", "hit_rate", "mean", "median", "p10",
    "p25", "p75", "p90"}, sorted by strategy, side and horizon."""
    rows = SignalReturn.objects.filter(basis=basis)
    if strategy_names:
        rows = rows.filter(strategy__in=strategy_names)
    if side:
        rows = rows.filter(side=side)
    if since:
        rows = rows.filter(date__gte=since)
    if until:
        rows = rows.filter(date__lte=until)
    if limit:
        rows = rows.order_by("date", "code")[:limit]
    frame = pd.DataFrame(list(rows.values_list("strategy", "side", *RETURN_COLUMNS)),
                         columns=["strategy", "side", *RETURN_COLUMNS])
    summary = []
    for (strategy, side), group in frame.groupby(["strategy", "side"], sort=True):
        for n, column in zip(RETURN_HORIZONS, RETURN_COLUMNS):
            summary.append({"strategy": strategy, "side": side, "horizon": n,
                            **_describe(_finite(group[column].to_numpy(float)), side)})
    return summary


def _finite(values):
    """The returns that are numbers: NaN is a horizon not reached, and an infinity (a zero entry
    price, which validation keeps out of the bars) is no return either."""
    return values[np.isfinite(values)]


def empty_summary():
    """The figures of a horizon without a single return."""
    return {"count": 0, "hit_rate": None, "mean": None, "median": None,
            **{f"p{round(q * 100)}": None for q in QUANTILES if q != 0.5}}


def _describe(values, side):
    if not len(values):
        return empty_summary()
    hits = values > 0 if side == "buy" else values < 0
    quantiles = np.quantile(values, QUANTILES)
    return {"count": int(len(values)), "hit_rate": float(hits.mean() * 100), "mean": float(values.mean()),
            "median": float(quantiles[2]),
            **{f"p{round(q * 100)}": float(v) for q, v in zip(QUANTILES, quantiles) if q != 0.5}}

