"""The daily incremental sync on the simulated market: a few whole-market calls, not one per stock."""
import pytest

from mystocks.market.models import DailyBar, StockStatusPeriod
from mystocks.market.simulated import load
from tasks_app.models import Status
from tasks_app.testing import run_job_inline

pytestmark = pytest.mark.django_db(transaction=True)


def yesterday_loaded(market):
    load.load(market, bars_until=market.days[-2], statements=False)


def test_the_latest_day_comes_from_the_spot_table_in_a_few_calls(simulated):
    market, http, server = simulated(stocks=120, days=40)
    yesterday_loaded(market)
    execution = run_job_inline("sync_daily_stock_data", {"data_source": "akshare", "include_basic": True})
    assert execution.status == Status.SUCCESS, execution.error
    result = execution.result
    traded_today = set(market.day_frame(market.today)["code"])
    stored_today = set(DailyBar.objects.filter(date=market.today).values_list("code", flat=True))
    assert stored_today == traded_today
    assert result["whole_market_source"] == "akshare"
    assert http.count("kline") == 0  # no per-stock history call: nobody has a gap
    assert http.count("spot") == 2  # 120 stocks, 100 a page
    assert http.count() <= 10
    bar = market.bars(sorted(traded_today)[0], market.today, market.today).iloc[0]
    row = DailyBar.objects.get(code=bar["code"], date=market.today)
    assert (row.close, row.pre_close, row.volume) == (bar["close"], bar["pre_close"], bar["volume"])
    second = run_job_inline("sync_daily_stock_data", {"data_source": "akshare", "include_basic": False})
    assert second.status == Status.SUCCESS, second.error
    assert http.count("spot") == 2 and second.result["rows_inserted"] == 0  # suspended ones not asked again


def test_an_empty_amount_skips_that_row_and_stores_the_rest(simulated):
    market, http, server = simulated(stocks=60, days=40)
    yesterday_loaded(market)
    traded = sorted(market.day_frame(market.today)["code"])
    http.broken_amount.add(traded[3])
    execution = run_job_inline("sync_daily_stock_data", {"data_source": "akshare", "include_basic": False})
    assert execution.status == Status.SUCCESS, execution.error
    assert execution.result["rows_skipped"] == 1
    missing = execution.result["skipped"]["missing value"]
    assert missing["count"] == 1 and missing["examples"][0]["code"] == traded[3]
    stored = set(DailyBar.objects.filter(date=market.today).values_list("code", flat=True))
    assert stored == set(traded) - {traded[3]}


def test_baostock_serves_the_day_in_one_call_and_its_st_flags_become_periods(simulated):
    market, http, server = simulated(stocks=80, days=40)
    yesterday_loaded(market)
    StockStatusPeriod.objects.all().delete()
    execution = run_job_inline("sync_daily_stock_data", {"data_source": "baostock", "include_basic": False})
    assert execution.status == Status.SUCCESS, execution.error
    day_calls = [r for r in server.requests if r[0] == "98"]
    assert len(day_calls) == 1 and execution.result["whole_market_source"] == "baostock"
    st_today = {s.code for s in market.stocks if s.st_on(market.today)} & set(market.day_frame(market.today)["code"])
    open_periods = StockStatusPeriod.objects.filter(end__isnull=True)
    assert st_today and set(open_periods.values_list("code", flat=True)) == st_today


def test_a_new_listing_without_history_is_fetched_alone(simulated):
    market, http, server = simulated(stocks=60, days=40)
    yesterday_loaded(market)
    young = next(s for s in market.stocks if market.days[5] < s.list_date < market.days[-3] and not s.delist_date)
    DailyBar.objects.filter(code=young.code).delete()
    execution = run_job_inline("sync_daily_stock_data", {"data_source": "akshare", "include_basic": False})
    assert execution.status == Status.SUCCESS, execution.error
    assert http.count("kline") == 1
    assert DailyBar.objects.filter(code=young.code).count() == len(market.bars(young.code))
