"""The indicator job: load bars with warm-up history, compute for all stocks at once, store new rows.

Prices are adjusted on read (``adjust``; qfq by default). A stock whose adjustment factors or whose
adjustment changed since its rows were stored (``IndicatorBasis``) is recomputed from its first bar:
a new ex-date re-bases its whole qfq history. The others continue from their last stored bar.
"""
import datetime

import numpy as np
import pandas as pd
from django.db.models import Max

from . import adjust as adjusting
from . import coverage, indicators, storage
from .adjust import load_bars  # noqa: F401  (the bars-loading entry point other modules import from here)
from .models import IndicatorBasis, IndicatorValue

# Calendar days of history loaded before the first new bar. EMA/SMA depend on where the recursion
# starts; ~250 daily bars (~120 weekly) of warm-up bring them within rounding of a full-history run.
# Monthly bars get ten years (the recursions need ~100 bars; MA120/MA250 stay empty on monthly bars).
WARMUP_DAYS = {"daily": 400, "weekly": 900, "monthly": 3700}
AGGREGATE = {"weekly": indicators.weekly_bars, "monthly": indicators.monthly_bars}


def last_computed(period, codes=None):
    rows = IndicatorValue.objects.filter(period=period)
    if codes:
        rows = rows.filter(code__in=codes)
    return dict(rows.values("code").annotate(last=Max("date")).values_list("code", "last"))


def calculate(ctx, *, indicators_wanted, periods, symbols, full_recompute, adjust=adjusting.QFQ):
    """Compute and store ``indicators_wanted`` for ``periods``; returns the summary dict."""
    adjusting.check_mode(adjust)
    unknown = [name for name in indicators_wanted if name not in indicators.INDICATOR_COLUMNS]
    if unknown or not indicators_wanted:
        raise ValueError(f"indicators must be some of {', '.join(indicators.INDICATOR_COLUMNS)}; "
                         f"got {unknown or 'none'}")
    result = {"adjust": adjust, "rows_fetched": 0, "rows_inserted": 0, "rows_updated": 0, "rows_skipped": 0,
              "symbols_failed": []}
    for step, period in enumerate(periods):
        ctx.check_cancelled()
        ctx.progress(step, len(periods), f"{period}: loading bars")
        counts, bars, recomputed = _calculate_period(ctx, period, indicators_wanted, symbols, full_recompute, adjust)
        result["rows_fetched"] += bars
        result["rows_inserted"] += counts.inserted
        result["rows_updated"] += counts.updated
        result["rows_skipped"] += counts.unchanged
        result[period] = {"bars": bars, **counts.as_dict(), "recomputed_stocks": recomputed}
    ctx.progress(len(periods), len(periods), "done")
    return result


def _calculate_period(ctx, period, wanted, symbols, full_recompute, adjust):
    # Digests before bars: a factor stored in between makes the next run recompute again, never less.
    digests = adjusting.factor_digests(codes=symbols or None) if adjust != adjusting.NONE else {}
    last = {} if full_recompute else last_computed(period, symbols)
    stale = stale_codes(last, period=period, adjust=adjust, digests=digests)
    last = {code: day for code, day in last.items() if code not in stale}
    bars, since = _load(last, stale, symbols, period, adjust)
    ctx.log.info("%s: %d bars of %d stocks loaded (since %s; %d recomputed from their first bar)",
                 period, len(bars), bars["code"].nunique(), since or "the start", len(stale))
    if bars.empty:
        return storage.UpsertCounts(), 0, 0
    if period in AGGREGATE:
        bars = AGGREGATE[period](bars)
    # Only the stored bars (and each stock's last stored one, OBV's anchor) leave the computation.
    values = indicators.compute_frame(bars, wanted, keep=_new_mask(bars, last, "anchor"))
    if "obv" in values.columns and last:
        values = _continue_obv(values, last, period)
    values = _new_rows(values, last, period)
    ctx.log.info("%s: storing %d new rows", period, len(values))
    counts = storage.upsert(IndicatorValue, values.assign(period=period), keys=["code", "date", "period"])
    record_basis(bars["code"].unique(), period=period, adjust=adjust, digests=digests)
    if not values.empty:
        coverage.record(dataset=f"indicators:{period}", start=values["date"].min(), end=values["date"].max(),
                        codes=values["code"].unique())
    return counts, len(bars), len(stale)


def stale_codes(last, *, period, adjust, digests):
    """Codes with stored rows computed on another adjustment or other factors (or of unknown basis)."""
    if not last:
        return set()
    bases = adjusting.for_codes(IndicatorBasis.objects.filter(period=period), list(last))
    stored = {code: (adj, digest) for code, adj, digest in bases.values_list("code", "adjust", "factor_digest")}
    return {code for code in last if stored.get(code) != (adjust, digests.get(code, ""))}


def record_basis(codes, *, period, adjust, digests):
    rows = pd.DataFrame({"code": [str(c) for c in codes]})
    rows = rows.assign(period=period, adjust=adjust, factor_digest=rows["code"].map(digests).fillna(""))
    storage.upsert(IndicatorBasis, rows, keys=["code", "period"])


def _load(last, stale, symbols, period, adjust):
    """Bars with warm-up for stocks continuing from ``last``, whole histories for the ``stale`` ones."""
    if not last:
        return load_bars(adjust=adjust, codes=symbols or None), None
    since = min(last.values()) - datetime.timedelta(days=WARMUP_DAYS[period])
    bars = load_bars(adjust=adjust, since=since, codes=symbols or None)
    if not stale:
        return bars, since
    whole = load_bars(adjust=adjust, codes=sorted(stale))
    bars = pd.concat([bars[~bars["code"].isin(stale)], whole], ignore_index=True)
    return bars.sort_values(["code", "date"], kind="stable", ignore_index=True), since


def _new_rows(values, last, period):
    return values[_new_mask(values, last, period)] if last else values


def _new_mask(values, last, period):
    """Rows after each stock's last stored date (the stored last week or month too: it may have
    grown; ``anchor`` keeps the last stored bar of every period)."""
    if not last:
        return np.ones(len(values), bool)
    cutoff = values["code"].map(last)
    newer = values["date"] >= cutoff if period != "daily" else values["date"] > cutoff
    return (cutoff.isna() | newer.fillna(False).astype(bool)).to_numpy()


def _continue_obv(values, last, period):
    """OBV is a running total from the first bar loaded: shift each stock's series so that it equals
    the stored OBV on the stock's last stored bar (MAOBV, a mean of OBV, moves by the same amount)."""
    stored = pd.DataFrame(
        list(IndicatorValue.objects.filter(period=period, date__gte=min(last.values()), code__in=list(last))
             .values_list("code", "date", "obv")), columns=["code", "date", "stored"])
    if stored.empty:
        return values
    stored = stored[stored["date"] == stored["code"].map(last)]
    anchor = values.merge(stored, on=["code", "date"])
    offset = (anchor["stored"] - anchor["obv"]).set_axis(anchor["code"]).dropna()
    shift = values["code"].map(offset).fillna(0.0).to_numpy()
    values = values.copy()
    values["obv"] += shift
    if "maobv" in values.columns:
        values["maobv"] += shift
    return values
