"""Quotes, dragon-tiger list and capital flow jobs end to end, against replayed Eastmoney answers."""
import datetime

import pytest
import responses

from mystocks.market.models import CapitalFlow, DragonTigerEntry, RealtimeSnapshot
from tasks_app.models import Status
from tasks_app.testing import run_job_inline

from . import eastmoney as em

pytestmark = pytest.mark.django_db(transaction=True)


def quotes():
    responses.get(em.SPOT_URL, json=em.clist([em.spot_row("000001", "平安银行", 9.21, -1.92),
                                              em.spot_row("600000", "浦发银行", 6.6, 0.3)]))
    responses.get(em.ETF_URL, json=em.clist([em.etf_row("510300", "沪深300ETF", 3.512)]))


@responses.activate
def test_realtime_snapshots_of_stocks_and_etfs_and_a_rerun_updates_them():
    quotes()
    first = run_job_inline("fetch_realtime_market_data")
    assert first.status == Status.SUCCESS, first.error
    assert (first.result["stock_quotes"], first.result["etf_quotes"]) == (2, 1)
    stock = RealtimeSnapshot.objects.get(security_type="stock", code="000001")
    assert (stock.price, stock.volume, stock.name) == (9.21, 115836600, "平安银行")
    assert RealtimeSnapshot.objects.get(security_type="etf").volume == 500_000
    again = run_job_inline("fetch_realtime_market_data")
    if again.result["snapshot_at"] == first.result["snapshot_at"]:  # same minute: same snapshot rows
        assert RealtimeSnapshot.objects.count() == 3
    else:
        assert RealtimeSnapshot.objects.count() == 6


@responses.activate
def test_realtime_succeeds_with_etfs_when_stock_quotes_break():
    responses.get(em.SPOT_URL, status=500)
    responses.get(em.ETF_URL, json=em.clist([em.etf_row("510300", "沪深300ETF", 3.512)]))
    execution = run_job_inline("fetch_realtime_market_data")
    assert execution.status == Status.SUCCESS
    assert execution.result["symbols_failed"] == ["stock"] and RealtimeSnapshot.objects.count() == 1


@responses.activate
def test_dragon_tiger_range_with_an_empty_day_and_no_duplicates():
    day = datetime.date(2024, 1, 2)
    rows = [em.lhb_row("000001", "平安银行", day, "日跌幅偏离值达7%", 1.2e7),
            em.lhb_row("000001", "平安银行", day, "连续三日跌幅偏离值达20%", 1.2e7),
            em.lhb_row("600000", "浦发银行", day, "日涨幅偏离值达7%", -3.0e6)]
    responses.get(em.DATACENTER_URL, json=em.datacenter(rows))
    for _ in range(2):
        execution = run_job_inline("fetch_longhubang_data", {"start_date": "2024-01-02", "end_date": "2024-01-02"})
        assert execution.status == Status.SUCCESS, execution.error
    assert DragonTigerEntry.objects.count() == 3
    assert DragonTigerEntry.objects.get(code="600000").net_buy == -3.0e6
    responses.replace(responses.GET, em.DATACENTER_URL, json=em.DATACENTER_EMPTY)
    empty = run_job_inline("fetch_longhubang_data", {"start_date": "2024-01-06", "end_date": "2024-01-07"})
    assert empty.status == Status.SUCCESS and empty.result["rows_fetched"] == 0
    assert "no dragon-tiger list" in empty.log


@responses.activate
def test_capital_flow_of_stocks_sectors_and_concepts():
    responses.get(em.FLOW_URL, json=em.clist([em.flow_row("000001", "平安银行", 1.5e7)]),
                  match=[em.matchers.query_param_matcher({"fid": "f62"}, strict_match=False)])
    responses.get(em.FLOW_URL, json=em.clist([em.flow_row("BK0475", "银行", 5.5e8)]),
                  match=[em.matchers.query_param_matcher({"fs": "m:90 t:2"}, strict_match=False)])
    responses.get(em.FLOW_URL, status=500,
                  match=[em.matchers.query_param_matcher({"fs": "m:90 t:3"}, strict_match=False)])
    execution = run_job_inline("fetch_capital_flow_data")
    assert execution.status == Status.SUCCESS, execution.error
    assert execution.result["symbols_failed"] == ["concept"]
    assert CapitalFlow.objects.get(flow_type="stock").main_net == 1.5e7
    assert CapitalFlow.objects.get(flow_type="sector", code="银行").top_stock == "平安银行"


@responses.activate
def test_capital_flow_fails_when_nothing_came_back():
    responses.get(em.FLOW_URL, status=500)
    execution = run_job_inline("fetch_capital_flow_data", {"flow_types": ["stock"]})
    assert execution.status == Status.FAILED
    assert "capital flow: all 1 failed" in execution.error
