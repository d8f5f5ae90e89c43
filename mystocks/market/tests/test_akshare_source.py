"""The akshare adapter runs akshare's real parsing on replayed Eastmoney/SSE/SZSE/BSE/Sina answers."""
import datetime

import akshare.tool.trade_date_hist as sina
import pytest
import responses

from mystocks.market.sources import SourceError, akshare

from . import eastmoney as em

BARS = [
    ("2024-01-02", 9.39, 9.21, 9.42, 9.21, 1158366, 1075742252.45, 2.24, -1.92, -0.18, 0.60),
    ("2024-01-03", 9.19, 9.20, 9.22, 9.15, 733610, 673673613.34, 0.76, -0.11, -0.01, 0.38),
]


@responses.activate
def test_daily_bars_are_in_shares_and_yuan_with_english_columns():
    em.add_kline("000001", BARS)
    frame = akshare.daily_bars("000001", datetime.date(2024, 1, 1), datetime.date(2024, 1, 5))
    assert list(frame.columns) == akshare.BAR_COLUMNS
    first = frame.iloc[0]
    assert first["date"] == datetime.date(2024, 1, 2)
    assert (first["open"], first["close"], first["high"], first["low"]) == (9.39, 9.21, 9.42, 9.21)
    assert first["volume"] == 115836600  # 1,158,366 lots of 100 shares
    assert first["amount"] == 1075742252.45
    assert first["pre_close"] == pytest.approx(9.39)
    assert responses.calls[0].request.params["beg"] == "20240101"


@responses.activate
def test_hfq_bars_ask_eastmoney_for_back_adjusted_prices():
    em.add_kline("600000", BARS, fqt="2")
    frame = akshare.daily_bars("600000", "2024-01-01", "2024-01-05", adjust="hfq")
    assert len(frame) == 2
    assert responses.calls[0].request.params["secid"] == "1.600000"


@responses.activate
def test_no_bars_is_an_empty_frame_not_an_error():
    responses.get(em.KLINE_URL, json={"rc": 0, "data": None})
    assert akshare.daily_bars("000001", "2024-01-01", "2024-01-05").empty


@responses.activate
def test_a_server_error_is_retried_then_reported():
    responses.get(em.KLINE_URL, status=502)
    with pytest.raises(SourceError, match="HTTP 502"):
        akshare.daily_bars("000001", "2024-01-01", "2024-01-05")
    assert len(responses.calls) == 2  # MYSTOCKS_SOURCE_RETRIES in the test settings


@responses.activate
def test_a_malformed_answer_fails_clearly_without_retrying():
    responses.get(em.KLINE_URL, body="<html>busy</html>")
    with pytest.raises(SourceError, match="unreadable answer"):
        akshare.daily_bars("000001", "2024-01-01", "2024-01-05")
    assert len(responses.calls) == 1


@responses.activate
def test_every_request_gets_a_timeout_even_where_akshare_sets_none():
    responses.get(em.DATACENTER_URL, json=em.DATACENTER_EMPTY)
    akshare.dragon_tiger(datetime.date(2024, 1, 6), datetime.date(2024, 1, 7))
    assert responses.calls[0].request.req_kwargs["timeout"] == 2


@responses.activate
def test_spot_quotes_of_two_pages_with_a_suspended_stock():
    responses.get(em.SPOT_URL, json=em.clist([em.spot_row("000001", "平安银行", 9.21, -1.92),
                                              em.spot_row("600000", "浦发银行", 6.6, 0.3)], total=3),
                  match=[em.matchers.query_param_matcher({"pn": "1"}, strict_match=False)])
    responses.get(em.SPOT_URL, json=em.clist([em.spot_row("000002", "万科A", 0, 0, suspended=True)], total=3),
                  match=[em.matchers.query_param_matcher({"pn": "2"}, strict_match=False)])
    frame = akshare.spot_stocks().set_index("code")
    assert sorted(frame.index) == ["000001", "000002", "600000"]
    assert frame.loc["000001", "volume"] == 115836600
    assert frame.loc["000001", "price"] == 9.21 and frame.loc["000001", "total_mv"] == 178727170000.0
    assert frame["price"].isna().loc["000002"]


@responses.activate
def test_spot_quotes_with_a_missing_key_fail_clearly():
    row = em.spot_row("000001", "平安银行", 9.21, -1.92)
    del row["f140"]  # akshare renames by position: one key less shifts every column
    responses.get(em.SPOT_URL, json=em.clist([row]))
    with pytest.raises(SourceError, match="Length mismatch"):
        akshare.spot_stocks()


@responses.activate
def test_etf_quotes():
    responses.get(em.ETF_URL, json=em.clist([em.etf_row("510300", "沪深300ETF", 3.512, volume_lots=5000)]))
    frame = akshare.spot_etfs()
    assert frame.loc[0, "code"] == "510300" and frame.loc[0, "price"] == 3.512
    assert frame.loc[0, "volume"] == 500000


@responses.activate
def test_dragon_tiger_entries_and_an_empty_day():
    responses.get(em.DATACENTER_URL,
                  json=em.datacenter([em.lhb_row("000001", "平安银行", "2024-01-02", "日跌幅偏离值达7%", 1.2e7)]))
    frame = akshare.dragon_tiger(datetime.date(2024, 1, 2), datetime.date(2024, 1, 2))
    assert frame.loc[0, "trade_date"] == datetime.date(2024, 1, 2)
    assert frame.loc[0, "reason"] == "日跌幅偏离值达7%" and frame.loc[0, "net_buy"] == 1.2e7
    responses.replace(responses.GET, em.DATACENTER_URL, json=em.DATACENTER_EMPTY)
    assert akshare.dragon_tiger(datetime.date(2024, 1, 6), datetime.date(2024, 1, 7)).empty


@responses.activate
@pytest.mark.parametrize("flow_type, fs", [("sector", "m:90 t:2"), ("concept", "m:90 t:3")])
def test_board_capital_flow(flow_type, fs):
    responses.get(em.FLOW_URL, json=em.clist([em.flow_row("BK0475", "银行", 5.5e8)]),
                  match=[em.matchers.query_param_matcher({"fs": fs}, strict_match=False)])
    frame = akshare.capital_flow(flow_type)
    assert frame.loc[0, "code"] == "银行" and frame.loc[0, "main_net"] == 5.5e8
    assert frame.loc[0, "top_stock"] == "平安银行"


@responses.activate
def test_stock_capital_flow():
    responses.get(em.FLOW_URL, json=em.clist([em.flow_row("000001", "平安银行", 1.5e7)]),
                  match=[em.matchers.query_param_matcher({"fid": "f62"}, strict_match=False)])
    frame = akshare.capital_flow("stock")
    assert frame.loc[0, "code"] == "000001" and frame.loc[0, "main_net"] == 1.5e7
    assert frame.loc[0, "price"] == 0.0 and frame.loc[0, "small_ratio"] == 12.0


@responses.activate
def test_balance_sheets_keep_every_item():
    em.add_statement("600519", "balance_sheet", [
        em.statement_row("600519", "2023-12-31", TOTAL_ASSETS=2.7e11, MONETARYFUNDS=6.9e10, OPINION_TYPE=None)])
    frame = akshare.statements("600519", "balance_sheet")
    row = frame.iloc[0]
    assert row["report_date"] == datetime.date(2023, 12, 31) and row["headline"] == 2.7e11
    assert row["items"]["MONETARYFUNDS"] == 6.9e10 and "OPINION_TYPE" not in row["items"]
    assert row["notice_date"] == datetime.date(2024, 4, 2)


@responses.activate
def test_stock_list_from_the_three_exchanges():
    em.add_sse_list("主板A股", [("600000", "浦发银行", "19991110")])
    em.add_sse_list("科创板", [("688001", "华兴源创", "20190722")])
    em.add_szse_list([(f"{i:06d}", f"深股{i}", "2001-01-02", "J 金融业") for i in range(1, 13)])
    em.add_bse_list([("920001", "北交样例", "20211115", "制造业")])
    frame = akshare.stock_list().set_index("code")
    assert frame.loc["600000", "exchange"] == "SH" and frame.loc["600000", "list_date"] == datetime.date(1999, 11, 10)
    assert frame.loc["000001", "industry"] == "J 金融业" and frame.loc["000001", "exchange"] == "SZ"
    assert frame.loc["920001", "exchange"] == "BJ" and frame.loc["920001", "industry"] == "制造业"
    assert len(frame) == 15


@responses.activate
def test_trade_calendar_from_sina(monkeypatch):
    class DecodedByV8:  # Sina's payload needs its JS decoder; only the decoding step is replaced
        def eval(self, source):
            pass

        def call(self, name, payload):
            assert (name, payload) == ("d", "PAYLOAD")
            return [datetime.datetime(2024, 1, 2), datetime.datetime(2024, 1, 3)]

    monkeypatch.setattr(sina.py_mini_racer, "MiniRacer", DecodedByV8)
    responses.get(em.SINA_CALENDAR_URL, body='var datelist="PAYLOAD";var KLC_TD_SH=datelist;')
    assert akshare.trade_calendar()[-2:] == [datetime.date(2024, 1, 2), datetime.date(2024, 1, 3)]


@responses.activate
def test_one_exchange_down_still_lists_the_others():
    responses.get(em.SSE_URL, status=500)
    em.add_szse_list([(f"{i:06d}", f"深股{i}", "2001-01-02", "J 金融业") for i in range(1, 13)])
    em.add_bse_list([("920001", "北交样例", "20211115", "制造业")])
    frame = akshare.stock_list()
    assert len(frame) == 13 and set(frame.attrs["failed"]) == {"SSE main board", "SSE STAR"}
