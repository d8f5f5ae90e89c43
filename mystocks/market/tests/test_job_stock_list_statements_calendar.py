"""Stock list, financial statements and trading calendar jobs end to end."""
import datetime

import pytest
import responses

from mystocks.market.models import FinancialStatement, Stock
from tasks_app.calendar import is_trading_day
from tasks_app.models import Status
from tasks_app.testing import run_job_inline

from . import eastmoney as em
from .fake_baostock import FakeMarket

pytestmark = pytest.mark.django_db(transaction=True)
STOCKS = [("sh.600000", "浦发银行", "1999-11-10", "", "1", "1", "J66货币金融服务"),
          ("sz.000001", "平安银行", "1991-04-03", "", "1", "1", "J66货币金融服务"),
          ("sz.000022", "深赤湾A", "1993-05-05", "2018-12-26", "1", "0", "G55水上运输业")]


def test_stock_list_from_baostock_twice_without_duplicates(baostock_server):
    baostock_server(FakeMarket(stocks=STOCKS))
    for _ in range(2):
        execution = run_job_inline("sync_basic_stock_info", {"data_source": "baostock"})
        assert execution.status == Status.SUCCESS, execution.error
    assert sorted(Stock.objects.values_list("code", flat=True)) == ["000001", "600000"]
    assert Stock.objects.get(code="600000").list_date == datetime.date(1999, 11, 10)
    with_delisted = run_job_inline("sync_basic_stock_info", {"data_source": "baostock", "include_delisted": True})
    assert with_delisted.status == Status.SUCCESS
    assert Stock.objects.get(code="000022").status == "delisted"


@responses.activate
def test_stock_list_falls_back_to_akshare_when_baostock_is_down():
    em.add_sse_list("主板A股", [("600000", "浦发银行", "19991110")])
    em.add_sse_list("科创板", [("688001", "华兴源创", "20190722")])
    em.add_szse_list([(f"{i:06d}", f"深股{i}", "2001-01-02", "J 金融业") for i in range(1, 13)])
    em.add_bse_list([("920001", "北交样例", "20211115", "制造业")])
    execution = run_job_inline("sync_basic_stock_info", {"data_source": "baostock"})
    assert execution.status == Status.SUCCESS, execution.error
    assert execution.result["source"] == "akshare" and Stock.objects.count() == 15


@responses.activate
def test_statements_of_each_type_and_one_stock_failing():
    Stock.objects.bulk_create([Stock(code="600519", name="贵州茅台"), Stock(code="000001", name="平安银行")])
    em.add_statement("600519", "balance_sheet", [em.statement_row("600519", "2023-12-31", TOTAL_ASSETS=2.7e11)])
    em.add_statement("600519", "income_statement", [em.statement_row("600519", "2023-12-31", NETPROFIT=7.5e10)])
    responses.get(em.F10_URL + "Index", status=500,
                  match=[em.matchers.query_param_matcher({"code": "sz000001"}, strict_match=False)])
    params = {"report_types": ["balance_sheet", "income_statement"], "fallback": False,
              "symbols": ["600519", "000001"]}
    for _ in range(2):
        execution = run_job_inline("sync_financial_statements", params)
        assert execution.status == Status.SUCCESS, execution.error
    assert execution.result["symbols_failed"] == ["000001"]
    assert FinancialStatement.objects.count() == 2
    income = FinancialStatement.objects.get(statement_type="income_statement")
    assert (income.headline, income.items["NETPROFIT"], income.source) == (7.5e10, 7.5e10, "akshare")


def test_statements_from_baostock_without_fallback_say_why():
    Stock.objects.create(code="600519", name="贵州茅台")
    execution = run_job_inline("sync_financial_statements", {"data_source": "baostock", "fallback": False})
    assert execution.status == Status.FAILED
    assert "baostock has no statements" in execution.error


def test_trade_calendar_from_baostock_replaces_the_range(baostock_server):
    open_days = {datetime.date(2024, 1, 2), datetime.date(2024, 1, 4)}  # pretend 3 January was a holiday
    baostock_server(FakeMarket(open_days=open_days))
    execution = run_job_inline("sync_trade_calendar", {"start_date": "2024-01-01", "end_date": "2024-01-07"})
    assert execution.status == Status.SUCCESS, execution.error
    assert execution.result["trading_days"] == 2 and execution.result["source"] == "baostock"
    assert is_trading_day(datetime.date(2024, 1, 2)) and not is_trading_day(datetime.date(2024, 1, 3))
