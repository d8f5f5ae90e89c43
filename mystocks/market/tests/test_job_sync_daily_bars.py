"""sync_daily_stock_data end to end through the engine's runner, against replayed providers."""
import datetime

import pytest
import responses

from mystocks.market.models import DailyBar, Stock
from mystocks.market.pipeline import latest_complete_trading_day
from tasks_app.models import Status
from tasks_app.testing import run_job_inline

from . import eastmoney as em
from .fake_baostock import FakeMarket
from .test_baostock_source import bar

pytestmark = pytest.mark.django_db(transaction=True)
CODES = ["000001", "000002", "600000"]
JAN = [datetime.date(2024, 1, d) for d in (2, 3, 4, 5)]


def em_bars(days, base=10.0):
    return [(d.isoformat(), base, base + 0.1 * i, base + 0.5, base - 0.1, 1000 + i, 1.0e6, 1.0, 0.5, 0.05, 0.3)
            for i, d in enumerate(days)]


@pytest.fixture
def stocks():
    Stock.objects.bulk_create([Stock(code=c, name=f"股票{c}", list_date=datetime.date(2000, 1, 1)) for c in CODES])


def sync(**params):
    return run_job_inline("sync_daily_stock_data", {"include_basic": False, **params})


@responses.activate
def test_bars_are_stored_in_shares_and_a_rerun_adds_nothing(stocks):
    for code in CODES:
        em.add_kline(code, em_bars(JAN))
    first = sync(dates=["2024-01-02", "2024-01-05"])
    assert first.status == Status.SUCCESS, first.error
    assert first.result["rows_inserted"] == 12 and first.result["symbols_failed"] == []
    row = DailyBar.objects.get(code="600000", date="2024-01-03")
    assert (row.volume, row.amount, row.close, row.adjust, row.source) == (100_100, 1.0e6, 10.1, "none", "akshare")
    assert first.progress_done == 3 and first.progress_total == 3
    second = sync(dates=["2024-01-02", "2024-01-05"])
    assert second.status == Status.SUCCESS
    assert (second.result["rows_inserted"], DailyBar.objects.count()) == (0, 12)


@responses.activate
def test_one_failing_symbol_is_reported_and_the_run_succeeds(stocks):
    em.add_kline("000001", em_bars(JAN))
    em.add_kline("000002", [], status=502)
    em.add_kline("600000", em_bars(JAN))
    execution = sync(dates=["2024-01-02", "2024-01-05"], fallback=False)
    assert execution.status == Status.SUCCESS, execution.error
    assert execution.result["symbols_failed"] == ["000002"]
    assert "HTTP 502" in execution.result["errors"]["000002"]
    assert "000002 failed" in execution.log
    assert set(DailyBar.objects.values_list("code", flat=True)) == {"000001", "600000"}


@responses.activate
def test_a_run_where_every_symbol_fails_fails_and_says_why(stocks):
    responses.get(em.KLINE_URL, status=503)
    execution = sync(dates=["2024-01-02"], fallback=False)
    assert execution.status == Status.FAILED
    assert "daily bars: all 3 failed" in execution.error and "HTTP 503" in execution.error


@responses.activate
def test_incremental_run_starts_after_each_stocks_last_bar(stocks):
    latest = latest_complete_trading_day()
    DailyBar.objects.create(code="000001", date=latest - datetime.timedelta(days=3), open=1, high=1, low=1,
                            close=1, volume=1, amount=1)
    responses.get(em.KLINE_URL, json=em.kline(em_bars([latest])))
    execution = sync(symbols=["000001"])
    assert execution.status == Status.SUCCESS, execution.error
    params = responses.calls[0].request.params
    assert (params["beg"], params["end"]) == ((latest - datetime.timedelta(days=2)).strftime("%Y%m%d"),
                                              latest.strftime("%Y%m%d"))
    assert DailyBar.objects.filter(code="000001", date=latest).exists()


def test_a_non_trading_day_is_skipped_without_fetching(stocks):
    execution = sync(dates=["2024-01-06"])  # a Saturday
    assert execution.status == Status.SUCCESS
    assert execution.result["days_skipped"] == ["2024-01-06"] and execution.result["rows_fetched"] == 0


def test_baostock_fetches_the_whole_market_one_day_at_a_time(stocks, baostock_server):
    market = FakeMarket(bars={c: [bar(("sh." if c[0] == "6" else "sz.") + c, d, 10) for d in JAN] for c in CODES})
    server = baostock_server(market)
    execution = sync(data_source="baostock", dates=["2024-01-02", "2024-01-05"])
    assert execution.status == Status.SUCCESS, execution.error
    assert [t for t, _ in server.requests].count("98") == 4  # four days, not three symbols × one query
    assert DailyBar.objects.filter(source="baostock").count() == 12
    assert DailyBar.objects.get(code="600000", date="2024-01-02").volume == 1_234_500


@responses.activate
def test_baostock_down_falls_back_to_akshare(stocks):
    for code in CODES:
        em.add_kline(code, em_bars(JAN[:1]))
    execution = sync(data_source="baostock", symbols=CODES, dates=["2024-01-02"])
    assert execution.status == Status.SUCCESS, execution.error
    assert execution.result["sources_used"] == {"akshare": 3}
    assert DailyBar.objects.count() == 3


def test_include_basic_refreshes_the_stock_list_first(baostock_server):
    baostock_server(FakeMarket(stocks=[("sh.600000", "浦发银行", "1999-11-10", "", "1", "1", "J66货币金融服务")],
                               bars={"600000": [bar("sh.600000", JAN[0], 10)]}))
    execution = run_job_inline("sync_daily_stock_data", {"include_basic": True, "dates": ["2024-01-02"],
                                                        "data_source": "baostock"})
    assert execution.status == Status.SUCCESS, execution.error
    assert execution.result["basic"]["rows_inserted"] == 1
    assert Stock.objects.get(code="600000").industry == "J66货币金融服务"
    assert DailyBar.objects.filter(code="600000").count() == 1
