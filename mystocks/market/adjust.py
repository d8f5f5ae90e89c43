"""Adjusted prices, derived on read from the stored unadjusted bars and cumulative adjustment factors.

Bars are stored unadjusted (``DailyBar`` rows with adjust "none") next to each stock's cumulative
back-adjustment factors (``AdjustFactor``: 1.0 before the first ex-rights event). From them:

- hfq (后复权) price = raw × back_factor(date): past prices never move, history grows forward.
- qfq (前复权) price = raw × back_factor(date) / back_factor(latest): today's prices are real, the past
  is re-based. "latest" is the stock's latest stored factor, whatever ``until`` is, so a series
  loaded for a window is on the same scale as the whole history, and a new ex-date re-bases
  everything without re-downloading a bar.

open, high, low, close and pre_close are scaled; pre_close on an ex-date is the exchange's
ex-rights reference price, scaled by that day's factor, so it meets the scaled previous close.
Volume is never adjusted (as Eastmoney, baostock and TongDaXin serve it): across a bonus issue the
share count doubles and so does a typical day's volume. Adjusted prices are not rounded to the cent.

The factor lookup is one ``searchsorted`` over (code, day) keys for the whole market, not a loop
per stock.
"""
import numpy as np
import pandas as pd
from django.db import connection

from .models import Adjust, AdjustFactor, DailyBar

QFQ, HFQ, NONE = "qfq", "hfq", "none"
MODES = (QFQ, HFQ, NONE)
COLUMNS = ["code", "date", "open", "high", "low", "close", "volume", "pre_close"]
PRICES = ["open", "high", "low", "close", "pre_close"]
MAX_CODES_IN_QUERY = 2_000  # more than this: load everything and filter (SQLite caps parameters)


def check_mode(adjust):
    if adjust not in MODES:
        raise ValueError(f"adjust must be one of {', '.join(MODES)}; got {adjust!r}")
    return adjust


def load_bars(*, adjust=QFQ, since=None, until=None, codes=None):
    """Daily bars sorted by (code, date): code, date, open, high, low, close, volume, pre_close.

    ``adjust`` qfq (default), hfq or none; ``since``/``until`` are inclusive dates; ``codes`` limits
    the stocks (None or empty: all). Prices are floats; volume is in shares and never adjusted."""
    check_mode(adjust)
    raw = load_raw_bars(since=since, until=until, codes=codes)
    if adjust == NONE or raw.empty:
        return raw
    return adjust_bars(raw, adjust=adjust)


def load_raw_bars(*, since=None, until=None, codes=None):
    """The stored unadjusted bars (``load_bars`` with adjust none)."""
    table = DailyBar._meta.db_table
    sql = [f"SELECT {', '.join(COLUMNS)} FROM {table} WHERE adjust = %s"]
    args = [Adjust.NONE]
    if since:
        sql.append("AND date >= %s")
        args.append(since)
    if until:
        sql.append("AND date <= %s")
        args.append(until)
    wanted = sorted(set(codes or ()))
    if wanted and len(wanted) <= MAX_CODES_IN_QUERY:
        sql.append(f"AND code IN ({', '.join(['%s'] * len(wanted))})")
        args.extend(wanted)
    sql.append("ORDER BY code, date")
    with connection.cursor() as cursor:
        cursor.execute(" ".join(sql), args)
        frame = pd.DataFrame(cursor.fetchall(), columns=COLUMNS)
    if len(wanted) > MAX_CODES_IN_QUERY:
        frame = frame[frame["code"].isin(wanted)].reset_index(drop=True)
    if not frame.empty and isinstance(frame["date"].iloc[0], str):  # SQLite hands dates back as text
        frame["date"] = pd.to_datetime(frame["date"]).dt.date
    frame[COLUMNS[2:]] = frame[COLUMNS[2:]].astype(float)
    return frame


def for_codes(queryset, codes):
    """``queryset`` narrowed to ``codes`` in SQL when they are few; else whole (the caller filters):
    an IN list of the whole market would pass SQLite's parameter cap."""
    wanted = set(codes or ())
    if wanted and len(wanted) <= MAX_CODES_IN_QUERY:
        return queryset.filter(code__in=sorted(wanted))
    return queryset


def load_factors(*, codes=None):
    """Stored factors sorted by (code, date): code, date, back_factor (every stock when ``codes`` is empty)."""
    rows = for_codes(AdjustFactor.objects.order_by("code", "date"), codes)
    wanted = set(codes or ())
    frame = pd.DataFrame(list(rows.values_list("code", "date", "back_factor")),
                         columns=["code", "date", "back_factor"])
    if len(wanted) > MAX_CODES_IN_QUERY:
        frame = frame[frame["code"].isin(wanted)].reset_index(drop=True)
    frame["back_factor"] = frame["back_factor"].astype(float)
    return frame


def adjust_bars(raw, *, adjust, factors=None):
    """``raw`` bars (as ``load_raw_bars`` returns them) with prices adjusted; a new frame."""
    check_mode(adjust)
    if adjust == NONE or raw.empty:
        return raw.copy()
    if factors is None:
        factors = load_factors(codes=raw["code"].unique().tolist())
    scale = price_scale(raw["code"].to_numpy(), raw["date"].to_numpy(), factors, adjust=adjust)
    out = raw.copy()
    present = [c for c in PRICES if c in out.columns]
    out[present] = out[present].to_numpy() * scale[:, None]
    return out


def price_scale(codes, dates, factors, *, adjust):
    """Multiplier of each (code, date) row's raw price under ``adjust``."""
    if adjust == NONE or factors.empty:
        return np.ones(len(codes))
    categories, row_code = _categorise(codes)
    back, latest = _factor_lookup(categories, row_code, _day_numbers(dates), factors)
    return back if adjust == HFQ else back / latest


def _categorise(codes):
    categorical = pd.Categorical(codes)
    return categorical.categories, categorical.codes.astype(np.int64)


def _day_numbers(dates):
    return np.asarray(pd.to_datetime(pd.Series(dates)).to_numpy(), dtype="datetime64[D]").astype(np.int64)


def _factor_lookup(categories, row_code, row_day, factors):
    """(back factor in force on each row's day, the stock's latest back factor) per row.

    Keys are code index << 32 | day number, sorted once; each row takes the last factor key at or
    before its own (side="right" − 1) when that key belongs to the same stock, else 1.0."""
    factor_code = pd.Categorical(factors["code"], categories=categories).codes.astype(np.int64)
    known = factor_code >= 0
    keys = (factor_code[known] << 32) | _day_numbers(factors["date"].to_numpy())[known]
    values = factors["back_factor"].to_numpy(dtype=float)[known]
    order = np.argsort(keys, kind="stable")
    keys, values = keys[order], values[order]
    pos = np.searchsorted(keys, (row_code << 32) | row_day, side="right") - 1
    hit = pos >= 0
    hit[hit] = (keys[pos[hit]] >> 32) == row_code[hit]
    back = np.ones(len(row_code))
    back[hit] = values[pos[hit]]
    stock = keys >> 32
    last = np.r_[stock[1:] != stock[:-1], True]  # keys ascend: a stock's last key is its latest factor
    latest_by_code = np.ones(len(categories))
    latest_by_code[stock[last]] = values[last]
    return back, latest_by_code[row_code]


def factor_digests(*, codes=None):
    """{code: digest of the stock's stored factors}; stocks without factors are absent.

    A digest changes whenever a factor row is added, removed or changed (each row hashed by its date
    and its factor to 9 decimals, XORed per stock), so a run can tell whose history to recompute."""
    factors = load_factors(codes=codes)
    if factors.empty:
        return {}
    rows = pd.DataFrame({"date": _day_numbers(factors["date"].to_numpy()),
                         "factor": factors["back_factor"].round(9).to_numpy()})
    hashes = pd.util.hash_pandas_object(rows, index=False).to_numpy()
    codes_sorted = factors["code"].to_numpy()
    starts = np.flatnonzero(np.r_[True, codes_sorted[1:] != codes_sorted[:-1]])
    digests = np.bitwise_xor.reduceat(hashes, starts)
    return {str(code): f"{int(d):016x}" for code, d in zip(codes_sorted[starts], digests)}
