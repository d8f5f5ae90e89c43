"""Rows a provider sent that cannot be true are dropped one by one, never the batch.

One empty amount used to become NaN in a NOT NULL column and fail the whole upsert (up to 200
stocks). Every storage path of the market jobs runs its rows through a validator here first:
the rows that fail are removed and counted per reason, with a few examples, in ``Skipped``,
which the run summary reports as ``rows_skipped`` / ``skipped``.
"""
import datetime
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

MAX_EXAMPLES = 5
BAR_REQUIRED = ("code", "date", "open", "high", "low", "close", "volume", "amount")
# The widest daily limit of the stock's board (BSE 30 %, STAR and ChiNext 20 %, others 10 %) plus a
# margin for rounding: wider than any real limit, so only impossible closes are caught.
BAND_MARGIN = 0.02
NEW_LISTING_DAYS = 10  # first days of trading have no (or a wider) limit


@dataclass
class Skipped:
    """Rows dropped by reason: {reason: {"count": n, "examples": [...]}}."""

    reasons: dict = field(default_factory=dict)

    def add(self, reason, rows, describe):
        if rows.empty:
            return
        entry = self.reasons.setdefault(reason, {"count": 0, "examples": []})
        entry["count"] += len(rows)
        room = MAX_EXAMPLES - len(entry["examples"])
        if room > 0:
            entry["examples"].extend(describe(row) for row in rows.head(room).to_dict("records"))

    def merge(self, other):
        for reason, entry in other.reasons.items():
            mine = self.reasons.setdefault(reason, {"count": 0, "examples": []})
            mine["count"] += entry["count"]
            mine["examples"] = (mine["examples"] + entry["examples"])[:MAX_EXAMPLES]
        return self

    @property
    def total(self):
        return sum(entry["count"] for entry in self.reasons.values())


def board_limit(code):
    """The widest daily limit a stock's board has ever had (fraction)."""
    code = str(code)
    if code.startswith(("4", "8", "92")):
        return 0.30
    if code.startswith(("688", "689", "30")):
        return 0.20
    return 0.10


def _describe_bar(row):
    day = row.get("date")
    day = day.isoformat() if isinstance(day, (datetime.date, pd.Timestamp)) else str(day)
    values = {k: (None if _missing(row.get(k)) else row.get(k)) for k in ("open", "high", "low", "close", "volume",
                                                                            "amount", "pre_close")}
    return {"code": str(row.get("code")), "date": day, **{k: _plain(v) for k, v in values.items()}}


def _missing(value):
    return value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA or value is pd.NaT


def _plain(value):
    return value.item() if isinstance(value, np.generic) else value


def clean_bars(frame, *, list_dates=None):
    """(valid rows, Skipped) of a frame of daily bars.

    Dropped: a missing required value; high < low; open or close outside [low, high]; negative
    volume or amount; a close further from the previous close than the board's widest limit
    (+2 %), except in a stock's first days after listing (``list_dates``: {code: date}).
    """
    skipped = Skipped()
    if frame is None or frame.empty:
        return frame, skipped
    frame = frame.copy()
    for column in ("open", "high", "low", "close", "volume", "amount", "pre_close"):
        if column in frame:
            frame[column] = pd.to_numeric(frame[column], errors="coerce")
    checks = [
        ("missing value", frame.reindex(columns=list(BAR_REQUIRED)).isna().any(axis=1)),
        ("high below low", frame["high"] < frame["low"]),
        ("open or close outside high/low", (frame[["open", "close"]].max(axis=1) > frame["high"] + 1e-6)
         | (frame[["open", "close"]].min(axis=1) < frame["low"] - 1e-6)),
        ("negative volume or amount", (frame["volume"] < 0) | (frame["amount"] < 0)),
        ("close outside the limit band", _outside_band(frame, list_dates or {})),
    ]
    keep = pd.Series(True, index=frame.index)
    for reason, bad in checks:
        bad = bad.fillna(False).astype(bool) & keep
        skipped.add(reason, frame[bad], _describe_bar)
        keep &= ~bad
    return frame[keep], skipped


def _outside_band(frame, list_dates):
    if "pre_close" not in frame:
        return pd.Series(False, index=frame.index)
    limit = frame["code"].map(board_limit) + BAND_MARGIN
    move = (frame["close"] / frame["pre_close"] - 1).abs()
    outside = (frame["pre_close"] > 0) & (move > limit)
    if list_dates:
        listed = pd.to_datetime(frame["code"].map(list_dates), errors="coerce")
        young = (pd.to_datetime(frame["date"]) - listed).dt.days < NEW_LISTING_DAYS * 2
        outside &= ~young.fillna(False)
    return outside


def clean_required(frame, *, required, positive=()):
    """(valid rows, Skipped) for any table: a row missing one of ``required`` (its natural key and
    NOT NULL values) or with a non-positive value in ``positive`` is dropped, the rest kept."""
    skipped = Skipped()
    if frame is None or frame.empty:
        return frame, skipped
    missing = frame.reindex(columns=list(required)).isna().any(axis=1)
    skipped.add("missing value", frame[missing], _describe_row(required))
    keep = ~missing
    for column in positive:
        bad = keep & ~(pd.to_numeric(frame[column], errors="coerce") > 0)
        skipped.add(f"{column} not positive", frame[bad], _describe_row(required))
        keep &= ~bad
    return frame[keep], skipped


def _describe_row(columns):
    def describe(row):
        return {c: (None if _missing(row.get(c)) else str(_plain(row.get(c)))) for c in columns}
    return describe
