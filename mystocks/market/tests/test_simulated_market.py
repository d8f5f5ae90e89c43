"""The simulated market's contract: raw bars, events and back factors agree, every special case occurs."""
import datetime

import numpy as np
import pandas as pd
import pytest

from mystocks.market.simulated.market import SimulatedMarket, round_half_up

DAYS = [d.date() for d in pd.bdate_range("2019-01-02", "2021-12-31")]


@pytest.fixture(scope="module")
def market():
    return SimulatedMarket(DAYS, stocks=400, seed=3)


def hfq_continuity(market, code):
    """[(event, hfq return on the ex-date, the day's own move from its reference price)]."""
    bars = market.bars(code)
    factors = market.back_factors(code)
    dates = [d for d, _ in factors]
    factor = np.array([factors[np.searchsorted(dates, d, side="right") - 1][1] for d in bars["date"]])
    hfq = bars["close"].to_numpy() * factor
    out = []
    for event in market.events(code):
        k = int(np.flatnonzero(bars["date"].to_numpy() == event.ex_date)[0])
        out.append((event, hfq[k] / hfq[k - 1], bars["close"][k] / bars["pre_close"][k]))
    return out


def test_a_dividend_a_bonus_and_a_rights_issue_leave_back_adjusted_prices_continuous(market):
    kinds = {"cash": 0, "bonus": 0, "rights": 0}
    for stock in market.stocks:
        for event, hfq_move, own_move in hfq_continuity(market, stock.code):
            assert hfq_move == pytest.approx(own_move, rel=1e-12)
            kinds["cash"] += event.cash > 0
            kinds["bonus"] += event.bonus > 0
            kinds["rights"] += event.rights_ratio > 0
    assert all(count > 0 for count in kinds.values()), kinds


def test_an_ex_date_reference_price_follows_the_event_terms(market):
    stock = next(s for s in market.stocks if any(e.rights_ratio for e in market.events(s.code)))
    event = next(e for e in market.events(stock.code) if e.rights_ratio)
    bars = market.bars(stock.code).set_index("date")
    prev_close = bars["close"][bars.index < event.ex_date].iloc[-1]
    expected = round_half_up((prev_close - event.cash + event.rights_price * event.rights_ratio)
                             / (1 + event.bonus + event.rights_ratio))
    assert bars["pre_close"][event.ex_date] == pytest.approx(float(expected))


def test_every_board_and_special_case_is_present_and_bars_stay_in_their_band(market):
    assert {s.board for s in market.stocks} == {"sse_main", "star", "szse_main", "chinext", "bse"}
    assert any(s.st_periods for s in market.stocks) and any(s.delist_date for s in market.stocks)
    assert any(s.list_date == market.today for s in market.stocks)
    day = market.day_frame(market.today)
    assert len(day) < len(market.listed_on(market.today))  # some are suspended today
    for stock in market.stocks[:120]:
        bars = market.bars(stock.code)
        if bars.empty:
            continue
        assert (bars["low"] <= bars[["open", "close"]].min(axis=1)).all()
        assert (bars["high"] >= bars[["open", "close"]].max(axis=1)).all()
        assert ((bars["close"] / bars["pre_close"] - 1).abs() <= 0.30 + 1e-9).all()
        if stock.board == "sse_main" and not stock.st_periods:  # 10 %, rounded half up to the cent
            assert (bars["close"] <= round_half_up(bars["pre_close"] * 1.1)).all()
            assert (bars["close"] >= round_half_up(bars["pre_close"] * 0.9)).all()
    limit_days = sum(((b := market.bars(s.code))["close"] == round_half_up(b["pre_close"] * 1.1)).sum()
                     for s in market.stocks if s.board == "sse_main" and not s.st_periods)
    assert limit_days > 0


def test_the_same_seed_gives_the_same_market():
    a, b = SimulatedMarket(DAYS, stocks=30, seed=5), SimulatedMarket(DAYS, stocks=30, seed=5)
    code = a.stocks[7].code
    assert a.bars(code).equals(b.bars(code)) and a.back_factors(code) == b.back_factors(code)
    assert datetime.date(2021, 12, 31) == a.today
