"""Impossible bars are dropped one by one with their reason; the rest of the batch is kept."""
import datetime

import pandas as pd

from mystocks.market.validation import clean_bars, clean_required

DAY = datetime.date(2024, 3, 1)


def bar(code="600000", **values):
    row = {"code": code, "date": DAY, "open": 10.0, "high": 10.5, "low": 9.8, "close": 10.2, "pre_close": 10.0,
           "volume": 1000, "amount": 10200.0}
    row.update(values)
    return row


def test_each_kind_of_bad_row_is_skipped_with_its_reason_and_an_example():
    frame = pd.DataFrame([
        bar(), bar("600001", amount=None), bar("600002", high=9.0, low=9.5), bar("600003", volume=-5),
        bar("600004", close=12.0, high=12.0), bar("300001", close=11.9, high=12.0),
        bar("600005", open=11.0), bar("688001", close=12.1, high=12.1),
    ])
    kept, skipped = clean_bars(frame)
    assert sorted(kept["code"]) == ["300001", "600000", "688001"]  # ChiNext and STAR may move 20 %
    assert {reason: entry["count"] for reason, entry in skipped.reasons.items()} == {
        "missing value": 1, "high below low": 1, "negative volume or amount": 1,
        "close outside the limit band": 1, "open or close outside high/low": 1,
    }
    assert skipped.total == 5
    example = skipped.reasons["close outside the limit band"]["examples"][0]
    assert (example["code"], example["date"], example["close"]) == ("600004", "2024-03-01", 12.0)


def test_a_new_listing_may_move_more_than_the_limit_in_its_first_days():
    frame = pd.DataFrame([bar("600010", close=14.4, high=14.4)])
    kept, skipped = clean_bars(frame, list_dates={"600010": DAY})
    assert len(kept) == 1 and skipped.total == 0
    kept, skipped = clean_bars(frame, list_dates={"600010": DAY - datetime.timedelta(days=400)})
    assert kept.empty and skipped.total == 1


def test_any_table_drops_rows_without_their_key_or_with_a_non_positive_factor():

    frame = pd.DataFrame([{"code": "600000", "date": DAY, "back_factor": 1.2},
                          {"code": None, "date": DAY, "back_factor": 1.0},
                          {"code": "600001", "date": DAY, "back_factor": 0.0}])
    kept, skipped = clean_required(frame, required=("code", "date", "back_factor"), positive=("back_factor",))
    assert list(kept["code"]) == ["600000"]
    assert {r: e["count"] for r, e in skipped.reasons.items()} == {"missing value": 1, "back_factor not positive": 1}
