"""The coverage summary rows: the jobs keep them for just the days they wrote, so pages never count bars."""
import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from tasks_app.testing import run_job_inline

from .. import coverage
from ..models import CoverageDay, CoverageStock, DailyBar, RealtimeSnapshot, StrategySignal
from .market_data import load_market

pytestmark = pytest.mark.django_db


def test_loading_bars_records_each_day_and_each_stocks_span():
    days = load_market(stocks=3, days=30)
    rows = CoverageDay.objects.filter(dataset="bars:none")
    assert rows.count() == 30 and {r.stocks for r in rows} == {3}
    spans = set(CoverageStock.objects.filter(dataset="bars:none").values_list("code", "first_date", "last_date"))
    assert spans == {(c, days[0], days[-1]) for c in ("SMP001", "SMP002", "SMP003")}


def test_record_recounts_only_the_days_given():
    days = load_market(stocks=3, days=30)
    DailyBar.objects.filter(date__in=days[:2], code="SMP001").delete()
    coverage.record(dataset="bars:none", dates=[days[0]])
    counts = dict(CoverageDay.objects.filter(dataset="bars:none", date__in=days[:2]).values_list("date", "stocks"))
    assert counts == {days[0]: 2, days[1]: 3}  # the second day was not recounted


def test_a_day_run_with_no_rows_is_recorded_as_done_with_none():
    days = load_market(stocks=2, days=10)
    coverage.record(dataset="signals:ma_crossover", dates=[days[-1]])
    row = CoverageDay.objects.get(dataset="signals:ma_crossover")
    assert (row.date, row.stocks, row.rows) == (days[-1], 0, 0)


def test_a_stocks_span_only_grows():
    days = load_market(stocks=2, days=20)
    StrategySignal.objects.create(strategy="ma_crossover", code="SMP001", date=days[5], side="buy")
    coverage.record(dataset="signals:ma_crossover", dates=[days[5]])
    StrategySignal.objects.create(strategy="ma_crossover", code="SMP001", date=days[2], side="buy")
    coverage.record(dataset="signals:ma_crossover", dates=[days[2]])
    span = CoverageStock.objects.get(dataset="signals:ma_crossover", code="SMP001")
    assert (span.first_date, span.last_date) == (days[2], days[5])


def test_rebuild_recounts_a_dataset_from_its_rows():
    load_market(stocks=2, days=15)
    CoverageDay.objects.all().delete()
    CoverageStock.objects.all().delete()
    assert coverage.rebuild(keys=["bars:none"]) == {"bars:none": 15}
    assert CoverageDay.objects.filter(dataset="bars:none", stocks=2).count() == 15


def test_an_unknown_dataset_is_refused_by_name():
    with pytest.raises(ValueError, match="unknown dataset 'bars:xfq'"):
        coverage.record(dataset="bars:xfq", dates=[])


@pytest.mark.django_db(transaction=True)
def test_the_indicator_and_signal_jobs_keep_their_coverage():
    days = load_market(stocks=3, days=120)
    indicators = run_job_inline("calculate_technical_indicators", {"full_recompute": True})
    signals = run_job_inline("calculate_strategy_signals", {"strategies": ["ma_crossover"],
                                                             "trade_date": days[-1].isoformat()})
    assert indicators.status == signals.status == "success"
    assert CoverageDay.objects.filter(dataset="indicators:daily", stocks=3).count() == 120
    assert CoverageStock.objects.filter(dataset="indicators:daily").count() == 3
    day = CoverageDay.objects.get(dataset="signals:ma_crossover")
    assert day.date == days[-1] and day.rows == StrategySignal.objects.filter(date=days[-1]).count()


def test_quotes_count_by_their_local_day():
    shanghai = ZoneInfo("Asia/Shanghai")
    early = dt.datetime(2026, 3, 2, 0, 30, tzinfo=shanghai)  # still 1 March in UTC
    for code in ("600000", "000001"):
        RealtimeSnapshot.objects.create(security_type="stock", code=code, snapshot_at=early, price=10.0)
    coverage.record(dataset="quotes:stock", dates=[early.date()])
    row = CoverageDay.objects.get(dataset="quotes:stock")
    assert (row.date, row.stocks, row.rows) == (dt.date(2026, 3, 2), 2, 2)
