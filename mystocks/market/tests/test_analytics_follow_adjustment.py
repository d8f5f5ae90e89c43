"""Indicators and signals run on qfq prices by default and follow a new ex-date through the runner."""
from pathlib import Path

import pandas as pd
import pytest
import yaml
from django.conf import settings
from django.core.exceptions import ValidationError

from mystocks.market.models import (
    AdjustFactor,
    CorporateAction,
    DailyBar,
    IndicatorBasis,
    IndicatorValue,
    StrategySignal,
)
from tasks_app.models import Status
from tasks_app.testing import make_definition, run_job_inline

pytestmark = pytest.mark.django_db(transaction=True)
DAYS = [d.date() for d in pd.bdate_range("2024-03-01", periods=41)]


def bar(code, t, close, pre_close):
    return DailyBar(code=code, date=DAYS[t], open=close, high=close, low=close, close=close,
                    pre_close=pre_close, volume=1_000_000, amount=close * 1_000_000)


@pytest.fixture
def flat_market():
    """600020 and 600021 close at 20.00 for 40 days (days 0–39); nothing has happened to either yet."""
    DailyBar.objects.bulk_create([bar(code, t, 20.0, 20.0) for code in ("600020", "600021") for t in range(40)])


def ex_dividend_day(t=40):
    """Day ``t``: 600020 goes ex a 1-yuan dividend (opens at its reference price 19.00); 600021 stays at 20."""
    DailyBar.objects.bulk_create([bar("600020", t, 19.0, 19.0), bar("600021", t, 20.0, 20.0)])
    CorporateAction.objects.create(code="600020", ex_date=DAYS[t], cash_dividend=1.0)
    AdjustFactor.objects.create(code="600020", date=DAYS[t], back_factor=20 / 19)


def ma5(code, t):
    return IndicatorValue.objects.get(code=code, date=DAYS[t], period="daily").ma5


def run_indicators(**params):
    execution = run_job_inline("calculate_technical_indicators", {"indicators": ["MA"], "periods": ["daily"], **params})
    assert execution.status == Status.SUCCESS, execution.error
    return execution.result


def test_a_new_factor_recomputes_that_stock_whole_history_and_only_it(flat_market):
    first = run_indicators()
    assert first["adjust"] == "qfq" and first["daily"]["inserted"] == 80
    assert ma5("600020", 10) == pytest.approx(20.0)

    ex_dividend_day()
    second = run_indicators()
    assert second["daily"]["recomputed_stocks"] == 1
    assert second["daily"]["inserted"] == 2  # the new day of both stocks
    # 600020's 40 old rows written again (PostgreSQL counts the first 4, without MA5, as unchanged);
    # none of 600021's
    assert second["daily"]["updated"] + second["daily"]["unchanged"] == 40
    assert ma5("600020", 10) == pytest.approx(19.0)  # 20 × 1 / (20/19): the qfq scale of today
    assert ma5("600020", 40) == pytest.approx(19.0)  # no false drop on the ex-date
    assert ma5("600021", 10) == pytest.approx(20.0)

    third = run_indicators()
    assert third["daily"]["recomputed_stocks"] == 0
    assert third["rows_inserted"] == third["rows_updated"] == 0


def test_changing_the_adjustment_recomputes_everything(flat_market):
    ex_dividend_day()
    run_indicators()
    assert set(IndicatorBasis.objects.values_list("adjust", flat=True)) == {"qfq"}
    raw = run_indicators(adjust="none")
    assert raw["daily"]["recomputed_stocks"] == 2
    assert ma5("600020", 10) == pytest.approx(20.0) and ma5("600020", 40) == pytest.approx(19.8)
    assert set(IndicatorBasis.objects.values_list("adjust", flat=True)) == {"none"}


def test_a_factor_stored_late_for_an_old_date_also_recomputes(flat_market):
    run_indicators()
    AdjustFactor.objects.create(code="600021", date=DAYS[5], back_factor=1.0)  # a provider's listing-day row
    again = run_indicators()
    assert again["daily"]["recomputed_stocks"] == 1
    assert again["rows_updated"] + again["rows_skipped"] == 40  # 600021's rows, with the same values
    assert ma5("600021", 10) == pytest.approx(20.0)


@pytest.mark.parametrize("adjust, sells", [("qfq", []), ("hfq", []), ("none", ["600020"])])
def test_an_ex_dividend_day_is_no_false_sell_signal_on_adjusted_prices(flat_market, adjust, sells):
    ex_dividend_day()
    execution = run_job_inline("calculate_strategy_signals", {
        "strategies": ["ma_crossover"], "trade_date": DAYS[40].isoformat(), "adjust": adjust})
    assert execution.status == Status.SUCCESS, execution.error
    # unadjusted: MA5 = 19.8 falls below MA20 = 19.95, a death cross made of the dividend alone
    assert list(StrategySignal.objects.filter(side="sell").values_list("code", flat=True)) == sells
    if sells:
        assert StrategySignal.objects.get().close == 19.0  # the real close, whatever the strategy saw


@pytest.mark.parametrize("job", ["run_backtest", "calculate_strategy_signals", "calculate_technical_indicators"])
def test_a_bad_adjust_param_is_refused_when_saved(job):
    with pytest.raises(ValidationError, match="adjust.*forward not one of: qfq, hfq, none"):
        make_definition(job, params={"adjust": "forward"})


def test_the_default_catalogue_runs_analytics_on_qfq():
    catalogue = yaml.safe_load((Path(settings.BASE_DIR) / "fixtures" / "tasks.yaml").read_text())
    jobs = {t["task_function"]: t["params"] for t in catalogue["tasks"]}
    for job in ("calculate_technical_indicators", "calculate_strategy_signals", "run_backtest"):
        assert jobs[job]["adjust"] == "qfq", job
