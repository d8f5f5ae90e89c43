"""The simulated market loaded into the database: consistent bars, factors and events."""
import pytest
from django.core.management import CommandError, call_command

from mystocks.market.models import (
    AdjustFactor,
    CorporateAction,
    DailyBar,
    FinancialStatement,
    Stock,
    StockStatusPeriod,
)

pytestmark = pytest.mark.django_db


def test_the_command_loads_every_kind_of_row_and_factors_match_the_bars():
    call_command("load_simulated_market", "--stocks", "30", "--years", "1.5")
    assert Stock.objects.count() == 30 and {s.exchange for s in Stock.objects.all()} == {"SH", "SZ", "BJ"}
    assert StockStatusPeriod.objects.exists() and FinancialStatement.objects.exists()
    action = CorporateAction.objects.order_by("code", "ex_date").first()
    assert action is not None
    factors = list(AdjustFactor.objects.filter(code=action.code).order_by("date"))
    assert factors[0].back_factor == 1.0
    on_ex = next(f for f in factors if f.date == action.ex_date)
    before = factors[factors.index(on_ex) - 1]
    bars = list(DailyBar.objects.filter(code=action.code).order_by("date"))
    ex_bar = next(b for b in bars if b.date == action.ex_date)
    prev_bar = bars[bars.index(ex_bar) - 1]
    # back_factor jumps by prev_close / the ex-date's reference price, which the event's terms give
    assert on_ex.back_factor / before.back_factor == pytest.approx(prev_bar.close / ex_bar.pre_close)
    expected = (prev_bar.close - action.cash_dividend + (action.rights_price or 0) * action.rights_ratio) / (
        1 + action.bonus_ratio + action.rights_ratio)
    assert ex_bar.pre_close == pytest.approx(expected, abs=0.006)


def test_bad_sizes_are_refused():
    with pytest.raises(CommandError, match="--stocks"):
        call_command("load_simulated_market", "--stocks", "5")
