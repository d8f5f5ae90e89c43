"""Follow-up returns of signals: the arithmetic on a known path, the incremental job, the summaries."""
import datetime

import numpy as np
import pandas as pd
import pytest
from django.core.management import call_command

from mystocks.market import followup
from mystocks.market.models import DailyBar, SignalReturn, StrategySignal
from tasks_app.models import Status
from tasks_app.testing import run_job_inline

DAYS = pd.bdate_range("2024-01-01", periods=70).date


def path():
    """Stock A closes at 11, 12, … 80 and opens 0.5 under its close; B has 10 bars only."""
    return pd.DataFrame({"code": ["A"] * 70 + ["B"] * 10, "date": list(DAYS) + list(DAYS[:10]),
                         "open": np.r_[np.arange(70) + 10.5, np.arange(10) + 1.5],
                         "close": np.r_[np.arange(70) + 11.0, np.arange(10) + 2.0]})


def signals(*rows):
    return pd.DataFrame([{"strategy": "x", "code": c, "date": DAYS[i], "side": "buy"} for c, i in rows])


def test_close_to_close_returns_after_n_of_the_stocks_own_bars():
    out = followup.returns_for(path(), signals(("A", 0), ("B", 5), ("C", 0)))
    a, b = out.iloc[0], out.iloc[1]
    assert len(out) == 2  # C has no bars: dropped
    assert a["entry_price"] == 11 and a["ret_1"] == pytest.approx(100 / 11)
    assert a["ret_60"] == pytest.approx((71 / 11 - 1) * 100) and a["complete"]
    assert b["ret_3"] == pytest.approx((10 / 7 - 1) * 100)
    assert np.isnan(b["ret_5"]) and not b["complete"]  # B's bars end 4 bars after the signal


def test_next_open_entry_buys_at_the_following_bar_open():
    out = followup.returns_for(path(), signals(("A", 0), ("A", 69)), basis="next_open")
    first, last = out.iloc[0], out.iloc[1]
    assert first["entry_date"] == DAYS[1] and first["entry_price"] == 11.5
    assert first["ret_1"] == pytest.approx((12 / 11.5 - 1) * 100)
    assert last["entry_date"] is None and np.isnan(last["ret_1"])  # no next bar yet


@pytest.mark.django_db(transaction=True)
def test_the_job_fills_returns_and_revisits_only_incomplete_ones():
    call_command("load_sample_market", stocks=4, days=120, end=datetime.date(2024, 12, 31))
    bars = DailyBar.objects.order_by("date")
    days = sorted(set(bars.values_list("date", flat=True)))
    early, late = days[40], days[-3]
    StrategySignal.objects.bulk_create([
        StrategySignal(strategy="s", code="SMP001", date=early, side="buy"),
        StrategySignal(strategy="s", code="SMP002", date=late, side="sell")])
    first = run_job_inline("compute_signal_returns", {"bases": ["close", "next_open"]})
    assert first.status == Status.SUCCESS, first.error
    assert SignalReturn.objects.count() == 4 and first.result["complete"] == 2
    done = SignalReturn.objects.get(code="SMP001", basis="close")
    c = dict(DailyBar.objects.filter(code="SMP001").values_list("date", "close"))
    assert done.ret_60 == pytest.approx((c[days[100]] / c[early] - 1) * 100)
    open_row = SignalReturn.objects.get(code="SMP002", basis="close")
    assert open_row.ret_1 is not None and open_row.ret_3 is None and not open_row.complete

    again = run_job_inline("compute_signal_returns", {"bases": ["close"]})
    assert again.result["rows_fetched"] < 4 * 10  # only the pending signal's stock since its date
    assert again.result["complete"] == 0 and again.result["pending"] == 1


@pytest.mark.django_db
def test_summaries_per_strategy_side_and_horizon():
    day = datetime.date(2024, 3, 1)
    values = [5.0, -2.0, 1.0, 3.0]
    SignalReturn.objects.bulk_create(
        [SignalReturn(strategy="s", code=f"{i:06d}", date=day, side="buy", ret_1=v) for i, v in enumerate(values)]
        + [SignalReturn(strategy="s", code="000009", date=day, side="sell", ret_1=-4.0)])
    summary = {(r["side"], r["horizon"]): r for r in followup.summarize(strategy_names=["s"])}
    buy = summary[("buy", 1)]
    assert buy["count"] == 4 and buy["hit_rate"] == 75.0 and buy["mean"] == pytest.approx(1.75)
    assert buy["median"] == pytest.approx(np.median(values)) and buy["p90"] == pytest.approx(np.quantile(values, 0.9))
    assert summary[("sell", 1)]["hit_rate"] == 100.0  # the price fell after the sell signal
    assert summary[("buy", 60)]["count"] == 0 and summary[("buy", 60)]["mean"] is None
