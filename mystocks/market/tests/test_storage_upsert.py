"""storage.upsert is idempotent: a re-run updates rows by natural key and never duplicates them."""
import datetime

import pandas as pd
import pytest
from django.db import connection

from mystocks.market import storage
from mystocks.market.models import DailyBar, FinancialStatement, Stock

pytestmark = pytest.mark.django_db
KEYS = ["code", "date", "adjust"]


def bars(close=10.0, days=3):
    return pd.DataFrame({"code": "000001", "date": [datetime.date(2024, 1, 2 + i) for i in range(days)],
                         "adjust": "none", "open": 9.9, "high": 10.2, "low": 9.8, "close": close,
                         "volume": 1_000_000, "amount": 1.0e7, "turnover": None, "source": ""})


def test_running_twice_keeps_the_same_rows():
    first = storage.upsert(DailyBar, bars(), keys=KEYS)
    second = storage.upsert(DailyBar, bars(), keys=KEYS)
    assert first.inserted == 3 and second.inserted == 0
    assert DailyBar.objects.count() == 3
    if connection.vendor == "postgresql":
        assert (second.updated, second.unchanged) == (0, 3)  # unchanged rows are not rewritten


def test_changed_values_update_in_place_and_new_keys_insert():
    storage.upsert(DailyBar, bars(), keys=KEYS)
    counts = storage.upsert(DailyBar, bars(close=11.0, days=4), keys=KEYS)
    assert (counts.inserted, counts.updated) == (1, 3)
    assert set(DailyBar.objects.values_list("close", flat=True)) == {11.0}
    first_day = DailyBar.objects.get(date="2024-01-02")
    assert first_day.turnover is None and first_day.source == ""


def test_a_key_repeated_in_one_batch_keeps_the_last_row():
    frame = pd.concat([bars(close=10.0, days=1), bars(close=12.0, days=1)])
    storage.upsert(DailyBar, frame, keys=KEYS)
    assert list(DailyBar.objects.values_list("close", flat=True)) == [12.0]


def test_columns_left_out_are_kept_on_update():
    storage.upsert(Stock, [{"code": "600000", "name": "浦发银行", "industry": "银行"}], keys=["code"])
    storage.upsert(Stock, [{"code": "600000", "name": "浦发银行"}], keys=["code"])
    stock = Stock.objects.get()
    assert (stock.industry, stock.status) == ("银行", "listed")


def test_json_and_text_with_commas_and_quotes_round_trip():
    items = {"NAME": 'a "quoted", comma', "TOTAL_ASSETS": 1.5e11}
    storage.upsert(FinancialStatement, [{"code": "600519", "report_date": datetime.date(2023, 12, 31),
                                         "statement_type": "balance_sheet", "report_name": "2023年报, 审计",
                                         "items": items}], keys=["code", "report_date", "statement_type"])
    row = FinancialStatement.objects.get()
    assert row.items == items and row.report_name == "2023年报, 审计"


def test_an_unknown_column_is_refused():
    with pytest.raises(ValueError, match="no field"):
        storage.upsert(DailyBar, bars().assign(colour="red"), keys=KEYS)
