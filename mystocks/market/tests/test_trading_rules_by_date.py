"""A-share rules by date: each on a hand-computed case on both sides of the day it changed."""
import datetime
from decimal import Decimal

import numpy as np
import pytest

from mystocks.market import rules

D = datetime.date


def prices(band):
    return None if band is None else tuple(str(p) for p in band)


@pytest.mark.parametrize("day, sell, buy", [
    (D(2023, 8, 25), "0.001", "0"),     # the Friday before the halving
    (D(2023, 8, 28), "0.0005", "0"),    # the first trading day at half the rate
    (D(2008, 9, 18), "0.001", "0.001"),  # both sides until 2008-09-18
    (D(2008, 9, 19), "0.001", "0"),     # sells only from 2008-09-19
    (D(2008, 4, 23), "0.003", "0.003"),
    (D(2008, 4, 24), "0.001", "0.001"),
])
def test_stamp_duty_by_date(day, sell, buy):
    assert rules.stamp_duty_rate(day=day, side="sell") == Decimal(sell)
    assert rules.stamp_duty_rate(day=day, side="buy") == Decimal(buy)


def test_stamp_duty_before_the_table_is_an_error():
    with pytest.raises(rules.RuleError, match="stamp duty is tabulated from 2001-11-16"):
        rules.stamp_duty_rate(day=D(2000, 1, 4), side="sell")


@pytest.mark.parametrize("day, rate", [(D(2022, 4, 28), "0.00002"), (D(2022, 4, 29), "0.00001"),
                                       (D(2015, 8, 3), "0.00002")])
def test_transfer_fee_by_date(day, rate):
    assert rules.transfer_fee_rate(day=day, code="600000") == Decimal(rate)
    assert rules.transfer_fee_rate(day=day, code="000001") == Decimal(rate)


def test_fees_of_a_sell_on_both_sides_of_the_halving():
    before = rules.trade_fees(code="600000", day=D(2023, 8, 25), side="sell", amount=100_000)
    after = rules.trade_fees(code="600000", day=D(2023, 8, 28), side="sell", amount=100_000)
    assert before == pytest.approx({"commission": 25.0, "stamp_duty": 100.0, "transfer_fee": 1.0})
    assert after == pytest.approx({"commission": 25.0, "stamp_duty": 50.0, "transfer_fee": 1.0})
    buy = rules.trade_fees(code="600000", day=D(2022, 4, 28), side="buy", amount=10_000)
    assert buy == pytest.approx({"commission": 5.0, "stamp_duty": 0.0, "transfer_fee": 0.2})


@pytest.mark.parametrize("code, day, st, band", [
    ("300750", D(2020, 8, 21), False, ("11.00", "9.00")),   # ChiNext 10 % until the reform …
    ("300750", D(2020, 8, 24), False, ("12.00", "8.00")),   # … 20 % from 2020-08-24
    ("300001", D(2020, 8, 21), True, ("10.50", "9.50")),    # ChiNext ST 5 % before …
    ("300001", D(2020, 8, 24), True, ("12.00", "8.00")),    # … 20 % after
    ("600001", D(2025, 7, 4), True, ("10.50", "9.50")),     # main-board ST 5 % …
    ("600001", D(2025, 7, 7), True, ("11.00", "9.00")),     # … 10 % from 2025-07-07
    ("000001", D(2024, 1, 2), False, ("11.00", "9.00")),
    ("688981", D(2024, 1, 2), True, ("12.00", "8.00")),     # STAR: 20 %, ST included
    ("920001", D(2024, 1, 2), False, ("13.00", "7.00")),    # BSE: 30 %
    ("830799", D(2024, 1, 2), True, ("13.00", "7.00")),
])
def test_limit_prices_by_board_st_and_date(code, day, st, band):
    assert prices(rules.limit_prices(code=code, day=day, pre_close=10.0, st=st)) == band


@pytest.mark.parametrize("pre_close, code, st, band", [
    (1.15, "600000", False, ("1.27", "1.04")),  # 1.265 and 1.035: half up, where banker's gives 1.26 / 1.03
    (1.25, "600000", False, ("1.38", "1.13")),  # 1.125 → 1.13 (banker's 1.12)
    (1.7, "600001", True, ("1.79", "1.62")),    # ST 5 %: 1.785 → 1.79, 1.615 → 1.62
    (9.445, "600000", False, ("10.40", "8.51")),  # 9.445 → 9.45 first; 10.395 → 10.40, 8.505 → 8.51
])
def test_limit_prices_round_half_up(pre_close, code, st, band):
    day = D(2024, 6, 3)
    assert prices(rules.limit_prices(code=code, day=day, pre_close=pre_close, st=st)) == band
    ratio = 0.05 if st else 0.10
    naive = (round(round(pre_close, 2) * (1 + ratio), 2), round(round(pre_close, 2) * (1 - ratio), 2))
    assert naive != tuple(float(p) for p in band)  # each case is one Python's round gets wrong


def test_the_vectorised_band_equals_the_decimal_rule_at_every_cent():
    cents = np.arange(1, 20_001)
    for percent in (5, 10, 20, 30):
        up, down = rules.limit_band(pre_close=cents / 100, percent=percent)
        ratio = Decimal(percent) / 100
        for i in range(0, len(cents), 7):
            base = Decimal(int(cents[i])) / 100
            expected = rules._band(base, ratio, ratio)
            assert (Decimal(repr(float(up[i]))), Decimal(repr(float(down[i])))) == expected, (cents[i], percent)


def test_vectorised_percents_follow_the_scalar_rule():
    codes = ["300750", "300750", "600001", "600001", "688001", "920001", "000002"]
    days = [D(2020, 8, 21), D(2020, 8, 24), D(2025, 7, 4), D(2025, 7, 7), D(2021, 1, 4), D(2024, 1, 2), D(2024, 1, 2)]
    st = [False, False, True, True, True, False, True]
    expected = [rules.limit_percent(code=c, day=d, st=s) for c, d, s in zip(codes, days, st)]
    assert expected == [10, 20, 5, 10, 20, 30, 5]
    assert rules.limit_percents(codes=codes, days=days, st=st).tolist() == expected


@pytest.mark.parametrize("code, list_date, day_no, band", [
    ("688001", D(2024, 3, 1), 5, None),                  # STAR: 5 days free …
    ("688001", D(2024, 3, 1), 6, ("12.00", "8.00")),     # … then 20 %
    ("300999", D(2020, 8, 24), 5, None),                 # ChiNext under the registration system
    ("300888", D(2020, 8, 21), 1, ("14.40", "6.40")),    # ChiNext before: the first day's +44 % / −36 %
    ("300888", D(2020, 8, 21), 2, ("11.00", "9.00")),
    ("603001", D(2023, 4, 10), 3, None),                 # main board under the registration system
    ("603002", D(2023, 4, 7), 1, ("14.40", "6.40")),     # main board before it
    ("603002", D(2023, 4, 7), 2, ("11.00", "9.00")),
    ("920002", D(2024, 3, 1), 1, None),                  # BSE: the first day only
    ("920002", D(2024, 3, 1), 2, ("13.00", "7.00")),
    ("600999", D(2010, 1, 4), 1, None),                  # before the 2014 first-day band
])
def test_new_listings(code, list_date, day_no, band):
    day = list_date + datetime.timedelta(days=day_no - 1)
    got = rules.limit_prices(code=code, day=day, pre_close=10.0, listing_day=day_no, list_date=list_date)
    assert prices(got) == band


@pytest.mark.parametrize("code, wanted, shares", [
    ("688001", 199, 0), ("688001", 200, 200), ("688001", 201, 201), ("688001", 1234, 1234),
    ("600000", 99, 0), ("600000", 250, 200), ("300750", 1234, 1200),
    ("920001", 99, 0), ("920001", 150, 150),
])
def test_order_sizes_by_board(code, wanted, shares):
    assert rules.buy_quantity(code=code, shares=wanted) == shares


def test_boards_vectorised():
    codes = ["600000", "000001", "002594", "300750", "301001", "302132",
             "688981", "689009", "830799", "920001", "430047"]
    assert list(rules.boards_of(codes)) == [rules.board_of(c) for c in codes] == [
        "main", "main", "main", "chinext", "chinext", "chinext", "star", "star", "bse", "bse", "bse"]


def test_the_exchange_reference_price_formula():
    # (12.34 − 0.5 + 5 × 0.1) / (1 + 0.2 + 0.1) = 12.34 / 1.3 = 9.4923… → 9.49
    price = rules.ex_rights_reference(prev_close=12.34, cash_dividend=0.5, bonus_ratio=0.2, rights_ratio=0.1,
                                      rights_price=5.0)
    assert price == Decimal("9.49")
    assert rules.ex_rights_reference(prev_close=10.0, cash_dividend=0.25) == Decimal("9.75")
    assert rules.ex_rights_reference(prev_close=10.05, bonus_ratio=1.0) == Decimal("5.03")  # 5.025 half up
