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

