"""sync_financial_statements by report period on the simulated market: bulk, incremental, resumable."""
import datetime

import pytest

from mystocks.market.models import FinancialStatement, SyncMark
from mystocks.market.statements import disclosure_deadline
from tasks_app.control import stop_execution
from tasks_app.models import Status, TaskExecution
from tasks_app.testing import run_job_inline

pytestmark = pytest.mark.django_db(transaction=True)


def published(market, period):
    return {stock.code for stock, _, _ in market.statements(period)}


def test_one_period_comes_in_a_few_bulk_requests_per_statement(simulated):
    market, http, server = simulated(stocks=700, days=40)
    period = datetime.date(market.today.year - 1, 12, 31)
    execution = run_job_inline("sync_financial_statements", {"periods": [period.isoformat()]})
    assert execution.status == Status.SUCCESS, execution.error
    expected = published(market, period)
    for kind in ("balance_sheet", "income_statement", "cash_flow"):
        assert set(FinancialStatement.objects.filter(statement_type=kind, report_date=period)
                   .values_list("code", flat=True)) == expected
    # 700 stocks = 2 pages of 500; akshare reads page 1 twice to learn the page count
    assert http.count("datacenter") == 3 * 3
    row = FinancialStatement.objects.get(statement_type="balance_sheet", report_date=period, code=sorted(expected)[0])
    stock, notice, values = next(r for r in market.statements(period) if r[0].code == row.code)
    assert (row.headline, row.notice_date) == (values["total_assets"], notice)
    assert SyncMark.objects.get(scope="statements:cash_flow", key=period.isoformat()).complete


def test_incremental_runs_fetch_only_incomplete_periods_and_a_second_run_nothing(simulated):
    market, http, server = simulated(stocks=40, days=40)
    first = run_job_inline("sync_financial_statements", {})
    assert first.status == Status.SUCCESS, first.error
    periods = [datetime.date.fromisoformat(p) for p in first.result["periods"]]
    assert len(periods) >= 4 and first.result["units_fetched"] == 3 * len(periods)
    calls = http.count("datacenter")
    second = run_job_inline("sync_financial_statements", {})
    assert second.status == Status.SUCCESS, second.error
    assert second.result["units_fetched"] == 0 and http.count("datacenter") == calls
    open_periods = [p for p in periods if disclosure_deadline(p) >= market.today]
    complete = SyncMark.objects.filter(complete=True).values_list("key", flat=True)
    assert not {p.isoformat() for p in open_periods} & set(complete)
    assert len(set(complete)) == len(periods) - len(open_periods)


def test_a_backfill_that_broke_off_resumes_without_fetching_twice(simulated):
    market, http, server = simulated(stocks=40, days=40)
    first_year = market.today.year - 3
    periods = [f"{first_year}-03-31", f"{first_year + 1}-12-31"]
    http.error_rate, http.fail_after = 1.0, 10  # the provider goes down after ten requests
    broken = run_job_inline("sync_financial_statements", {"periods": periods})
    assert broken.status == Status.SUCCESS and broken.result["failed_count"] > 0
    done_before = SyncMark.objects.count()
    assert 0 < done_before < 24
    http.error_rate = 0.0
    seen = http.count("datacenter")
    resumed = run_job_inline("sync_financial_statements", {"periods": periods})
    assert resumed.status == Status.SUCCESS, resumed.error
    assert resumed.result["units_fetched"] == 24 - done_before
    # 40 stocks fit one page of 500; akshare reads it twice (once to learn the page count)
    assert http.count("datacenter") - seen == 2 * (24 - done_before)
    assert SyncMark.objects.filter(complete=True).count() == 24


def test_a_backfill_stopped_by_the_user_resumes_without_fetching_twice(simulated, settings):
    settings.MYSTOCKS_HEARTBEAT_SECONDS = 1
    market, http, server = simulated(stocks=40, days=40)
    first_year = market.today.year - 3
    periods = [f"{first_year}-03-31", f"{first_year + 1}-12-31"]
    http.latency = 0.15

    def stop_after_a_few(what, count):
        if what == "datacenter" and count == 6:
            stop_execution(TaskExecution.objects.get(status=Status.RUNNING))

    http.on_request = stop_after_a_few
    stopped = run_job_inline("sync_financial_statements", {"periods": periods})
    assert stopped.status == Status.CANCELLED
    done_before = SyncMark.objects.count()
    assert 3 <= done_before < 24
    http.on_request, http.latency = None, 0.0
    seen = http.count("datacenter")
    resumed = run_job_inline("sync_financial_statements", {"periods": periods})
    assert resumed.status == Status.SUCCESS, resumed.error
    assert resumed.result["units_fetched"] == 24 - done_before
    assert http.count("datacenter") - seen == 2 * (24 - done_before)
