"""The akshare stock list leaves Shanghai industries blank: they are filled from baostock, and a
refresh while baostock is down keeps the ones already stored."""
import pytest

from mystocks.market.models import Stock, StockStatusPeriod
from mystocks.market.sources.baostock import _drop_session
from mystocks.market.tests.fake_baostock import point_baostock_at
from tasks_app.models import Status
from tasks_app.testing import run_job_inline

pytestmark = pytest.mark.django_db(transaction=True)


def test_shanghai_industries_come_from_the_second_source(simulated):
    market, http, server = simulated(stocks=60, days=40)
    execution = run_job_inline("sync_basic_stock_info", {"data_source": "akshare"})
    assert execution.status == Status.SUCCESS, execution.error
    sh = Stock.objects.filter(exchange="SH")
    assert sh.exists() and not sh.filter(industry="").exists()
    assert sh.first().industry == market.by_code[sh.first().code].industry
    st_now = {s.code for s in market.listed_on(market.today) if s.st_on(market.today)}
    assert set(StockStatusPeriod.objects.filter(end__isnull=True).values_list("code", flat=True)) == st_now

    _drop_session()
    point_baostock_at(1)  # baostock goes away
    again = run_job_inline("sync_basic_stock_info", {"data_source": "akshare"})
    assert again.status == Status.SUCCESS, again.error
    assert not Stock.objects.filter(exchange="SH", industry="").exists()
