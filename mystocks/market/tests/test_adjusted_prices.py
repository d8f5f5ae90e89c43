"""Adjusted prices derived on read, on a hand-built stock with a dividend, a bonus issue and a rights issue.

Stock 600010 closes at 20.00 for 20 days. Then, each time at the exchange's ex-rights reference price:
- day 20: 1.00 yuan cash dividend → (20 − 1) = 19.00; back factor × 20/19
- day 22: 10-for-10 bonus issue → 19 / 2 = 9.50; back factor × 2 (= 20/9.5)
- day 25: 3-for-10 rights at 3.00 → (9.5 + 0.3 × 3) / 1.3 = 8.00; back factor × 9.5/8 (= 2.5)
Its value never changed, so its qfq close is 20 × 1/2.5 = 8.00 and its hfq close 20.00 on every day.
"""
import datetime

import numpy as np
import pandas as pd
import pytest

from mystocks.market import adjust, backtest, compute
from mystocks.market.analysis import load_market, to_grid, with_market_facts
from mystocks.market.models import AdjustFactor, CorporateAction, DailyBar, Stock, StockStatusPeriod

pytestmark = pytest.mark.django_db
CODE = "600010"
DAYS = [d.date() for d in pd.bdate_range("2024-03-01", periods=30)]
EVENTS = {20: (1.0, 0.0, 0.0, None, 20 / 19), 22: (0.0, 1.0, 0.0, None, 20 / 9.5), 25: (0.0, 0.0, 0.3, 3.0, 2.5)}


def raw_close(t):
    return 20.0 if t < 20 else 19.0 if t < 22 else 9.5 if t < 25 else 8.0


def bar(code, t, close, pre_close, volume=1_000_000):
    return DailyBar(code=code, date=DAYS[t], open=close, high=close * 1.01, low=close * 0.99, close=close,
                    pre_close=pre_close, volume=volume, amount=close * volume)


def store_events(code=CODE, events=EVENTS):
    for t, (cash, bonus, rights, price, factor) in events.items():
        CorporateAction.objects.create(code=code, ex_date=DAYS[t], cash_dividend=cash, bonus_ratio=bonus,
                                       rights_ratio=rights, rights_price=price)
        AdjustFactor.objects.create(code=code, date=DAYS[t], back_factor=factor)


@pytest.fixture
def market():
    """600010 as above; 600011 (sorted right after it, no factors) and 600009 (before it, one
    factor of 2 from day 10) keep the lookup honest at the stocks' boundaries."""
    bars = [bar(CODE, t, raw_close(t), raw_close(t) if t in EVENTS or t == 0 else raw_close(t - 1))
            for t in range(len(DAYS))]
    bars[0].pre_close = None
    bars += [bar("600011", t, 10.0 + t, 9.0 + t) for t in range(len(DAYS))]
    bars += [bar("600009", t, 5.0, 5.0) for t in range(len(DAYS))]
    DailyBar.objects.bulk_create(bars)
    store_events()
    AdjustFactor.objects.create(code="600009", date=DAYS[10], back_factor=2.0)


def test_qfq_and_hfq_are_continuous_across_dividend_bonus_and_rights(market):
    qfq = adjust.load_bars(adjust="qfq", codes=[CODE])
    hfq = adjust.load_bars(adjust="hfq", codes=[CODE])
    raw = adjust.load_bars(adjust="none", codes=[CODE])
    assert raw["close"].nunique() == 4  # three false drops in the raw prices
    assert qfq["close"].to_numpy() == pytest.approx(np.full(30, 8.0))
    assert hfq["close"].to_numpy() == pytest.approx(np.full(30, 20.0))
    # the ex-rights reference price meets the previous adjusted close on each ex-date
    assert qfq["pre_close"].iloc[1:].to_numpy() == pytest.approx(np.full(29, 8.0))
    assert (qfq["volume"] == raw["volume"]).all()  # volume is never adjusted
    assert qfq["high"].to_numpy() == pytest.approx(np.full(30, 8.08))


def test_the_lookup_keeps_each_stock_to_its_own_factors(market):
    bars = adjust.load_bars(adjust="qfq")
    assert list(bars.columns) == ["code", "date", "open", "high", "low", "close", "volume", "pre_close"]
    assert list(bars["code"].unique()) == ["600009", CODE, "600011"]
    assert bars.equals(bars.sort_values(["code", "date"], ignore_index=True))
    after = bars[bars["code"] == "600011"]
    assert after["close"].tolist() == [10.0 + t for t in range(30)]  # no factors: unchanged
    before = bars[bars["code"] == "600009"]["close"].to_numpy()
    assert before[:10] == pytest.approx(np.full(10, 2.5)) and before[10:] == pytest.approx(np.full(20, 5.0))


def test_a_window_is_on_the_same_scale_as_the_whole_history(market):
    window = adjust.load_bars(adjust="qfq", since=DAYS[3], until=DAYS[8], codes=[CODE])
    assert window["date"].tolist() == DAYS[3:9]
    assert window["close"].to_numpy() == pytest.approx(np.full(6, 8.0))


def test_an_unknown_adjustment_is_refused_by_name():
    with pytest.raises(ValueError, match="adjust must be one of qfq, hfq, none; got 'forward'"):
        adjust.load_bars(adjust="forward")


def test_the_compute_module_still_exports_load_bars():
    assert compute.load_bars is adjust.load_bars


def held_through_the_events(capital, max_positions, sell_at=None):
    """Buy 600010 at day 1's open, hold through the three events (sell after ``sell_at``)."""
    raw = adjust.load_bars(adjust="none", codes=[CODE]).set_index("date").reindex(DAYS)  # NaN: no bar
    shape = (1, len(DAYS))
    buy = np.zeros(shape, dtype=bool)
    buy[0, 0] = True
    sell = np.zeros(shape, dtype=bool)
    if sell_at is not None:
        sell[0, sell_at] = True
    grid = backtest.Grid(dates=DAYS, codes=[CODE], open=raw["open"].to_numpy()[None, :],
                         close=raw["close"].to_numpy()[None, :], pre_close=raw["pre_close"].to_numpy()[None, :],
                         buy=buy, sell=sell)
    return backtest.simulate(with_market_facts(grid), capital=capital, max_positions=max_positions)


def test_backtest_equity_is_unchanged_by_dividend_bonus_and_rights(market):
    result = held_through_the_events(100_000, 2)
    buy = result.trades[0]
    assert (buy["shares"], buy["price"]) == (2400, 20.0)
    equity = np.array([e for _, e in result.equity])
    assert equity[1:] == pytest.approx(np.full(29, equity[1]), abs=1e-6)
    assert equity[1] == pytest.approx(100_000 - buy["commission"] - buy["transfer_fee"])
    actions = [(a["date"], a["dividend"], a["bonus_shares"], a["rights_shares"], a["rights_paid"])
               for a in result.actions]
    assert actions == [
        (DAYS[20], 2400.0, 0, 0, 0.0),      # 1 yuan × 2,400 shares
        (DAYS[22], 0.0, 2400, 0, 0.0),      # 10-for-10: 4,800 shares
        (DAYS[25], 0.0, 0, 1440, 4320.0),   # 3 for 10 at 3.00: 6,240 shares
    ]
    assert backtest.metrics(result, 100_000)["dividends"] == 2400.0


def test_a_dividend_is_not_a_loss_in_the_realised_pnl(market):
    result = held_through_the_events(100_000, 2, sell_at=27)
    buy, sell = result.trades
    assert (sell["shares"], sell["price"]) == (6240, 8.0)
    fees = sum(t[k] for t in (buy, sell) for k in ("commission", "stamp_duty", "transfer_fee"))
    assert sell["pnl"] == pytest.approx(-fees, abs=1e-3)  # value unchanged: only the fees are lost


def test_rights_beyond_the_cash_lapse_and_cost_equity(market):
    result = held_through_the_events(100_000, 1)  # 4,900 shares; little cash left for the rights
    rights = result.actions[-1]
    assert rights["rights_shares"] + rights["rights_lapsed"] == int(9800 * 0.3)
    assert rights["rights_lapsed"] > 0
    equity = [e for _, e in result.equity]
    assert equity[25] < equity[24]  # lapsed rights lose the value the subscription price gave away


def test_without_a_stated_reference_price_the_ex_date_is_no_limit_down(market):
    """A provider that repeats the previous close as pre_close on the bonus ex-date: 9.50 against 19.00
    would look like a limit-down open and block the sell; the reference price (9.50) is used instead."""
    DailyBar.objects.filter(code=CODE, date=DAYS[22]).update(pre_close=19.0)
    result = held_through_the_events(100_000, 2, sell_at=21)
    sell = result.trades[1]
    assert (sell["date"], sell["price"], sell["shares"]) == (DAYS[22], 9.5, 4800)


def test_a_holding_suspended_on_its_ex_date_is_marked_at_the_reference_price(market):
    """No bar on the bonus ex-date: the holding's 4,800 shares are marked at 9.50, not at 19.00."""
    DailyBar.objects.filter(code=CODE, date=DAYS[22]).delete()
    result = held_through_the_events(100_000, 2)
    equity = np.array([e for _, e in result.equity])
    assert equity[1:] == pytest.approx(np.full(29, equity[1]), abs=1e-6)


def test_a_whole_market_list_of_codes_is_filtered_after_the_query(market, monkeypatch):
    few = adjust.load_bars(adjust="qfq", codes=[CODE, "600009"])
    monkeypatch.setattr(adjust, "MAX_CODES_IN_QUERY", 1)  # as if the two codes were the whole market
    many = adjust.load_bars(adjust="qfq", codes=[CODE, "600009"])
    assert many.equals(few) and set(many["code"]) == {CODE, "600009"}


def test_ex_dates_known_only_by_their_factor_keep_the_value_of_a_holding(market):
    """Without the CorporateAction rows, the factor steps alone (20/19, 2, 9.5/8) are applied as bonus
    ratios: the dividend is reinvested at the reference price, the rights are as if taken up by
    selling part of the holding. Only the dropped fractions of a share cost anything."""
    CorporateAction.objects.all().delete()
    result = held_through_the_events(100_000, 2)
    assert [a["bonus_shares"] for a in result.actions] == [126, 2526, 947]  # 2400 / 19, 2526, 5052 × 0.1875
    equity = np.array([e for _, e in result.equity])
    assert np.abs(equity[1:] - equity[1]).max() < 20  # at most a share's worth per event


def test_st_days_come_from_the_status_periods_ends_included(market):
    StockStatusPeriod.objects.create(code=CODE, status="ST", start=DAYS[5], end=DAYS[9])
    StockStatusPeriod.objects.create(code="600011", status="*ST", start=DAYS[28])  # still in force
    StockStatusPeriod.objects.create(code="000001", status="ST", start=DAYS[0])  # not in the grid
    shape = (2, len(DAYS))
    nan, no = np.full(shape, np.nan), np.zeros(shape, dtype=bool)
    grid = with_market_facts(backtest.Grid(dates=DAYS, codes=[CODE, "600011"], open=nan, close=nan,
                                           pre_close=nan, buy=no, sell=no))
    assert np.flatnonzero(grid.st[0]).tolist() == [5, 6, 7, 8, 9]
    assert np.flatnonzero(grid.st[1]).tolist() == [28, 29]


def test_a_new_star_listing_trades_without_limit_on_its_first_five_days(db):
    """688100 lists on day 0 at an issue price of 10 and opens day 1 at 15 (+50 % on its 10.00 close):
    no limit in its first five days, so the buy fills. 688101 has the same bars but its listing date
    is long before its first bar: day 1's 15.00 is at least its 20 % limit-up (12.00), no fill."""
    Stock.objects.create(code="688100", name="new", list_date=DAYS[0])
    Stock.objects.create(code="688101", name="old", list_date=datetime.date(2020, 1, 2))
    for code in ("688100", "688101"):
        DailyBar.objects.bulk_create([bar(code, 0, 10.0, 10.0), bar(code, 1, 15.0, 10.0), bar(code, 2, 15.0, 15.0)])
    market = load_market(start=DAYS[0], end=DAYS[2])
    buy = np.zeros((2, 3), dtype=bool)
    buy[:, 0] = True
    grid = to_grid(market.raw, buy, np.zeros((2, 3), dtype=bool), market.panel, list_dates=market.list_dates)
    assert grid.listing_day.tolist() == [[1, 2, 3], [0, 0, 0]]
    trades = backtest.simulate(grid, capital=100_000, max_positions=2).trades
    assert [(t["code"], t["price"]) for t in trades] == [("688100", 15.0)]
