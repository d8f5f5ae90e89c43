"""The backtest follows A-share rules on a case small enough to compute by hand."""
import datetime

import numpy as np
import pytest

from mystocks.market import backtest

NAN = np.nan


def tiny_grid():
    """Two stocks, six days. A: buy signal day 0, sell signal day 1 (its buy day).
    B: buy signal days 1 and 2 (day 2 opens limit-up), sell signal day 3 (day 4 opens limit-down)."""
    dates = [datetime.date(2024, 1, 2) + datetime.timedelta(days=i) for i in range(6)]
    return backtest.Grid(
        dates=dates, codes=["600001", "000002"],
        open=np.array([[10, 10, 11, 11, 11, 11], [10, 10, 11, 10.5, 9.45, 9.0]]),
        close=np.array([[10, 10.5, 11, 11, 11, 11], [10, 10, 11, 10.5, 9.45, 9.2]]),
        pre_close=np.array([[NAN, 10, 10.5, 11, 11, 11], [NAN, 10, 10, 11, 10.5, 9.45]]),
        buy=np.array([[1, 0, 0, 0, 0, 0], [0, 1, 1, 0, 0, 0]], dtype=bool),
        sell=np.array([[0, 1, 0, 0, 0, 0], [0, 0, 0, 1, 0, 0]], dtype=bool),
    )


def test_fills_fees_lots_t_plus_one_and_price_limits():
    result = backtest.simulate(tiny_grid(), capital=100_000, max_positions=2)
    trades = [(t["date"].day, t["code"], t["side"], t["price"], t["shares"], t["commission"], t["stamp_duty"],
               t["transfer_fee"], t["pnl"]) for t in result.trades]
    assert trades == [
        # day 1 open: 50,000 budget / (10 × 1.00026) = 49.99 lots → 49 lots; commission 0.025 %,
        # transfer fee 0.001 % (2024) on both sides
        (3, "600001", "buy", 10.0, 4900, 12.25, 0.0, 0.49, None),
        # sell signal on the buy day fills the next day (T+1); stamp duty 0.05 % (2024) on the sell only
        (4, "600001", "sell", 11.0, 4900, 13.475, 26.95, 0.539, 4846.296),
        # day 2 B opens at its limit-up 11.00 (10 × 1.1): no fill; day 3 budget = 104,846.296 / 2
        (5, "000002", "buy", 10.5, 4900, 12.8625, 0.0, 0.5145, None),
        # day 4 opens at the limit-down 9.45: the sell waits for day 5
        (7, "000002", "sell", 9.0, 4900, 11.025, 22.05, 0.441, -7396.893),
    ]
    equity = [round(e, 4) for _, e in result.equity]
    assert equity == [100_000, 102_437.26, 104_846.296, 104_832.919, 99_687.919, 97_449.403]


def test_metrics_of_the_tiny_case():
    result = backtest.simulate(tiny_grid(), capital=100_000, max_positions=2)
    figures = backtest.metrics(result, 100_000)
    assert figures["total_return"] == pytest.approx(-0.02550597)
    assert figures["max_drawdown"] == pytest.approx(1 - 97_449.403 / 104_846.296)
    assert figures["win_rate"] == 0.5 and figures["trade_count"] == 4
    curve = [100_000, 100_000, 102_437.26, 104_846.296, 104_832.919, 99_687.919, 97_449.403]
    returns = np.diff(curve) / np.array(curve[:-1])
    assert figures["sharpe"] == pytest.approx(returns.mean() / returns.std(ddof=1) * np.sqrt(252))
    assert figures["annual_return"] == pytest.approx((1 - 0.02550597) ** (252 / 6) - 1)


def test_minimum_commission_and_too_little_cash_for_a_lot():
    grid = tiny_grid()
    result = backtest.simulate(grid, capital=2_000, max_positions=1)
    first = result.trades[0]
    assert (first["shares"], first["commission"]) == (100, 5.0)  # 1,000 yuan × 0.025 % < 5 yuan minimum
    poor = backtest.simulate(grid, capital=900, max_positions=1)
    assert poor.trades == []  # 100 shares at 10 plus commission cost more than 900



def one_stock(code, dates, open_, pre_close, *, buy_at=0, sell_at=None, st=None):
    n = len(dates)
    buy = np.zeros((1, n), dtype=bool)
    buy[0, buy_at] = True
    sell = np.zeros((1, n), dtype=bool)
    if sell_at is not None:
        sell[0, sell_at] = True
    return backtest.Grid(dates=dates, codes=[code], open=np.array([open_], dtype=float),
                         close=np.array([open_], dtype=float), pre_close=np.array([pre_close], dtype=float),
                         buy=buy, sell=sell, st=None if st is None else np.array([st], dtype=bool))


@pytest.mark.parametrize("code, capital, shares", [
    ("688001", 5_000, 499),  # STAR: 5,000 / (10 × 1.00026) = 499.9 → 499 (steps of 1 above 200)
    ("600001", 5_000, 400),  # main board: whole lots of 100
    ("688001", 1_900, 0),    # STAR: 189 shares is below the 200-share minimum
    ("920001", 1_900, 189),  # BSE: at least 100, then steps of 1
])
def test_order_sizes_by_board_in_the_backtest(code, capital, shares):
    dates = [datetime.date(2024, 3, 4), datetime.date(2024, 3, 5)]
    result = backtest.simulate(one_stock(code, dates, [10, 10], [10, 10]), capital=capital, max_positions=1)
    assert [t["shares"] for t in result.trades] == ([shares] if shares else [])


@pytest.mark.parametrize("dates, filled", [
    ([datetime.date(2025, 7, 3), datetime.date(2025, 7, 4)], False),  # ST 5 %: 10.50 is the limit-up, no fill
    ([datetime.date(2025, 7, 4), datetime.date(2025, 7, 7)], True),   # ST 10 % from 2025-07-07: 10.50 fills
])
def test_st_limit_by_date_in_the_backtest(dates, filled):
    grid = one_stock("600001", dates, [10, 10.5], [10, 10], st=[True, True])
    result = backtest.simulate(grid, capital=100_000, max_positions=1)
    assert bool(result.trades) is filled
    not_st = backtest.simulate(one_stock("600001", dates, [10, 10.5], [10, 10]), capital=100_000, max_positions=1)
    assert len(not_st.trades) == 1  # 10 % without ST


@pytest.mark.parametrize("sell_day, stamp", [(datetime.date(2023, 8, 25), 10.0), (datetime.date(2023, 8, 28), 5.0)])
def test_stamp_duty_of_the_sell_date_in_the_backtest(sell_day, stamp):
    dates = [datetime.date(2023, 8, 21), datetime.date(2023, 8, 22), sell_day]
    grid = one_stock("600001", dates, [10, 10, 10], [10, 10, 10], sell_at=1)
    result = backtest.simulate(grid, capital=10_100, max_positions=1)
    buy, sell = result.trades
    assert (buy["shares"], sell["date"]) == (1000, sell_day)
    assert (buy["stamp_duty"], sell["stamp_duty"]) == (0.0, stamp)  # 10,000 × 0.1 % / 0.05 %
    assert sell["transfer_fee"] == 0.1  # 0.001 % since 2022-04-29
