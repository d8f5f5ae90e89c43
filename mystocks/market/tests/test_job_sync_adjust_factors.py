"""sync_adjust_factors on the simulated market: factor rows per day (baostock) or derived from the
dividend plans (akshare), matching the market's own events."""
import pytest

from mystocks.market.models import AdjustFactor, CorporateAction, SyncMark
from mystocks.market.simulated import load
from tasks_app.models import Status
from tasks_app.testing import run_job_inline

pytestmark = pytest.mark.django_db(transaction=True)


def recent_events(market, since):
    return {(code, e.ex_date): e for s in market.stocks for code in [s.code] for e in market.events(code)
            if e.ex_date >= since}


def test_baostock_factor_rows_of_each_recent_day_are_stored_once(simulated):
    market, http, server = simulated(stocks=60, days=150)
    load.load(market, statements=False)
    AdjustFactor.objects.all().delete()
    execution = run_job_inline("sync_adjust_factors", {"days": 150, "with_events": False})
    assert execution.status == Status.SUCCESS, execution.error
    expected = recent_events(market, market.days[0])
    assert expected, "the simulated window holds ex-rights dates"
    stored = {(f.code, f.date): f.back_factor for f in AdjustFactor.objects.all()}
    assert stored.keys() == expected.keys()
    for key, event in expected.items():
        assert stored[key] == pytest.approx(event.back_factor, rel=1e-7)
    calls = len([r for r in server.requests if r[0] == "9C"])
    assert calls == 150
    again = run_job_inline("sync_adjust_factors", {"days": 150, "with_events": False})
    assert again.status == Status.SUCCESS and again.result["factor_days"] == 0
    assert len([r for r in server.requests if r[0] == "9C"]) == calls
    assert SyncMark.objects.filter(scope="factors:day").count() == 150


def test_akshare_dividend_plans_become_events_and_factors_from_the_bars(simulated):
    market, http, server = simulated(stocks=60, days=150)
    load.load(market, statements=False)
    AdjustFactor.objects.all().delete()
    CorporateAction.objects.all().delete()
    execution = run_job_inline("sync_adjust_factors", {"data_source": "akshare", "fallback": False})
    assert execution.status == Status.SUCCESS, execution.error
    paid = {k: e for k, e in recent_events(market, market.days[1]).items() if e.cash or e.bonus}
    events = {(a.code, a.ex_date): a for a in CorporateAction.objects.all()}
    assert paid and set(paid) <= set(events)
    code, day = next(iter(paid))
    assert events[(code, day)].cash_dividend == pytest.approx(paid[(code, day)].cash)
    assert events[(code, day)].bonus_ratio == pytest.approx(paid[(code, day)].bonus)
    history = [f for _, f in market.back_factors(code)]
    dates = [d for d, _ in market.back_factors(code)]
    k = dates.index(day)
    derived = AdjustFactor.objects.get(code=code, date=day)
    assert derived.back_factor == pytest.approx(history[k] / history[k - 1], rel=1e-9)
    assert derived.source == "derived"


def test_a_range_of_report_periods_backfills_the_events_and_their_factors(simulated):
    market, http, server = simulated(stocks=40, days=400)
    load.load(market, statements=False)
    AdjustFactor.objects.all().delete()
    CorporateAction.objects.all().delete()
    first = market.days[0].year - 1
    execution = run_job_inline("sync_adjust_factors", {
        "data_source": "akshare", "fallback": False, "event_periods": [f"{first}-12-31", f"{market.today.year}-06-30"]})
    assert execution.status == Status.SUCCESS, execution.error
    paid = {k for k, e in recent_events(market, market.days[1]).items() if e.cash or e.bonus}
    assert paid and paid <= set(CorporateAction.objects.values_list("code", "ex_date"))
    # akshare's plans hold dividends and bonus issues, not rights issues: take a stock without one
    code = next(c for c, _ in sorted(paid) if not any(e.rights_ratio for e in market.events(c)))
    history = dict(market.back_factors(code))
    stored = list(AdjustFactor.objects.filter(code=code).order_by("date"))
    for before, after in zip(stored, stored[1:]):  # each ex-date's jump matches the market's
        assert after.back_factor / before.back_factor == pytest.approx(history[after.date] / history[before.date])
