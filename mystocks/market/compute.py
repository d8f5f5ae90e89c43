"""The indicator job: load bars with warm-up history, compute for all stocks at once, store new rows."""
import datetime

import pandas as pd
from django.db import connection
from django.db.models import Max

from . import coverage, indicators, storage
from .models import Adjust, DailyBar, IndicatorValue

# Calendar days of history loaded before the first new bar. EMA/SMA depend on where the recursion
# starts; ~250 daily bars (~120 weekly) of warm-up bring them within rounding of a full-history run.
WARMUP_DAYS = {"daily": 400, "weekly": 900}


def load_bars(*, adjust=Adjust.NONE, since=None, until=None, codes=None):
    """Bars sorted by (code, date) as a frame: code, date, open, high, low, close, volume, pre_close."""
    table = DailyBar._meta.db_table
    sql = [f"SELECT code, date, open, high, low, close, volume, pre_close FROM {table} WHERE adjust = %s"]
    args = [adjust]
    if since:
        sql.append("AND date >= %s")
        args.append(since)
    if until:
        sql.append("AND date <= %s")
        args.append(until)
    if codes:
        sql.append(f"AND code IN ({', '.join(['%s'] * len(codes))})")
        args.extend(codes)
    sql.append("ORDER BY code, date")
    with connection.cursor() as cursor:
        cursor.execute(" ".join(sql), args)
        rows = cursor.fetchall()
    frame = pd.DataFrame(rows, columns=["code", "date", "open", "high", "low", "close", "volume", "pre_close"])
    if not frame.empty and isinstance(frame["date"].iloc[0], str):  # SQLite hands dates back as text
        frame["date"] = pd.to_datetime(frame["date"]).dt.date
    frame[["open", "high", "low", "close", "volume", "pre_close"]] = frame[
        ["open", "high", "low", "close", "volume", "pre_close"]].astype(float)
    return frame


def last_computed(period, codes=None):
    rows = IndicatorValue.objects.filter(period=period)
    if codes:
        rows = rows.filter(code__in=codes)
    return dict(rows.values("code").annotate(last=Max("date")).values_list("code", "last"))


def calculate(ctx, *, indicators_wanted, periods, symbols, full_recompute, adjust=Adjust.NONE):
    """Compute and store ``indicators_wanted`` for ``periods``; returns the summary dict."""
    unknown = [name for name in indicators_wanted if name not in indicators.INDICATOR_COLUMNS]
    if unknown or not indicators_wanted:
        raise ValueError(f"indicators must be some of {', '.join(indicators.INDICATOR_COLUMNS)}; got {unknown or 'none'}")
    result = {"rows_fetched": 0, "rows_inserted": 0, "rows_updated": 0, "rows_skipped": 0, "symbols_failed": []}
    for step, period in enumerate(periods):
        ctx.check_cancelled()
        ctx.progress(step, len(periods), f"{period}: loading bars")
        counts, bars = _calculate_period(ctx, period, indicators_wanted, symbols, full_recompute, adjust)
        result["rows_fetched"] += bars
        result["rows_inserted"] += counts.inserted
        result["rows_updated"] += counts.updated
        result["rows_skipped"] += counts.unchanged
        result[period] = {"bars": bars, **counts.as_dict()}
    ctx.progress(len(periods), len(periods), "done")
    return result


def _calculate_period(ctx, period, wanted, symbols, full_recompute, adjust):
    last = {} if full_recompute else last_computed(period, symbols)
    since = None
    if last:
        since = min(last.values()) - datetime.timedelta(days=WARMUP_DAYS[period])
    bars = load_bars(adjust=adjust, since=since, codes=symbols or None)
    ctx.log.info("%s: %d bars of %d stocks loaded (since %s)", period, len(bars), bars["code"].nunique(), since or "the start")
    if bars.empty:
        return storage.UpsertCounts(), 0
    if period == "weekly":
        bars = indicators.weekly_bars(bars)
    values = indicators.compute_frame(bars, wanted)
    if "obv" in values.columns and last:
        values = _continue_obv(values, last, period)
    values = _new_rows(values, last, period)
    ctx.log.info("%s: storing %d new rows", period, len(values))
    counts = storage.upsert(IndicatorValue, values.assign(period=period), keys=["code", "date", "period"])
    coverage.record(dataset=f"indicators:{period}", start=values["date"].min(), end=values["date"].max(), codes=values["code"].unique())
    return counts, len(bars)


def _new_rows(values, last, period):
    """Rows after each stock's last stored date (the stored last week too: it may have grown)."""
    if not last:
        return values
    cutoff = values["code"].map(last)
    newer = values["date"] >= cutoff if period == "weekly" else values["date"] > cutoff
    return values[cutoff.isna() | newer.fillna(False).astype(bool)]


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
