"""Backtests under A-share rules, on a date-aligned grid of bars and strategy signals.

Rules (``simulate``):
- A signal on day t's close becomes an order filled at day t+1's open (no look-ahead).
- Buys: at most ``max_positions`` holdings; each new one gets equity/max_positions of the previous
  close (capped by cash), in whole lots of 100 shares after commission. An order that cannot fill
  (no bar that day = suspended, or opening at the limit-up price) is dropped.
- Sells close the whole holding. T+1: shares bought today cannot be sold today. A sell that cannot
  fill (suspended, or opening at the limit-down price) stays pending until it can.
- Fees: commission ``commission_rate`` of the amount (at least ``min_commission`` yuan) on both
  sides; stamp duty ``stamp_duty_rate`` on sells only. Transfer fees are not modelled.
- Price limits from the previous close: 20 % for ChiNext/STAR (300/301/688/689), 30 % for the
  Beijing exchange, 10 % otherwise (the 5 % of ST stocks is not modelled).
- Equity is marked to the close every day (the last close for a suspended holding).
"""
import math
from dataclasses import dataclass, field

import numpy as np

LOT = 100
TRADING_DAYS_PER_YEAR = 252


@dataclass(frozen=True)
class Fees:
    commission_rate: float = 0.00025
    min_commission: float = 5.0
    stamp_duty_rate: float = 0.0005

    def commission(self, amount):
        return max(amount * self.commission_rate, self.min_commission)


@dataclass
class Grid:
    """codes × dates arrays (NaN where a stock has no bar) and the signals on them."""

    dates: list
    codes: list
    open: np.ndarray
    close: np.ndarray
    pre_close: np.ndarray
    buy: np.ndarray
    sell: np.ndarray


@dataclass
class Holding:
    shares: int
    cost: float  # what was paid, commission included
    bought_at: int  # date index


@dataclass
class Result:
    equity: list = field(default_factory=list)
    trades: list = field(default_factory=list)


def limit_ratio(code):
    if code.startswith(("300", "301", "688", "689")):
        return 0.20
    if code.startswith(("4", "8", "92")):
        return 0.30
    return 0.10


def _at_limit(price, pre_close, ratio, up):
    if math.isnan(pre_close):
        return False
    limit = round(pre_close * (1 + ratio if up else 1 - ratio), 2)
    return price >= limit - 1e-9 if up else price <= limit + 1e-9


class Simulation:
    def __init__(self, grid, *, capital, max_positions, fees):
        self.g, self.fees, self.max_positions = grid, fees, max_positions
        self.cash = float(capital)
        self.holdings = {}
        self.pending_buys, self.pending_sells = [], set()
        self.result = Result()
        self.ratios = [limit_ratio(code) for code in grid.codes]
        self.last_close = np.full(len(grid.codes), np.nan)

    def step(self, t):
        self._fill_sells(t)
        self._fill_buys(t)
        closes = self.g.close[:, t]
        self.last_close = np.where(np.isnan(closes), self.last_close, closes)
        equity = self.cash + sum(h.shares * self.last_close[i] for i, h in self.holdings.items())
        self.result.equity.append((self.g.dates[t], equity))
        self._take_signals(t, equity)

    def _take_signals(self, t, equity):
        self.pending_sells.update(i for i in np.flatnonzero(self.g.sell[:, t]) if i in self.holdings)
        self.pending_buys = [i for i in np.flatnonzero(self.g.buy[:, t]) if i not in self.holdings]
        self.budget = equity / self.max_positions

    def _fill_sells(self, t):
        for i in sorted(self.pending_sells):
            price, holding = self.g.open[i, t], self.holdings[i]
            if math.isnan(price) or holding.bought_at >= t:
                continue
            if _at_limit(price, self.g.pre_close[i, t], self.ratios[i], up=False):
                continue
            amount = holding.shares * price
            commission, stamp = self.fees.commission(amount), amount * self.fees.stamp_duty_rate
            self.cash += amount - commission - stamp
            pnl = amount - commission - stamp - holding.cost
            self._record(t, i, "sell", price, holding.shares, amount, commission, stamp, pnl)
            del self.holdings[i]
            self.pending_sells.discard(i)

    def _fill_buys(self, t):
        for i in self.pending_buys:
            if len(self.holdings) >= self.max_positions:
                break
            price = self.g.open[i, t]
            if math.isnan(price) or _at_limit(price, self.g.pre_close[i, t], self.ratios[i], up=True):
                continue
            shares = self._affordable_shares(price, min(self.budget, self.cash))
            if shares == 0:
                continue
            amount = shares * price
            commission = self.fees.commission(amount)
            self.cash -= amount + commission
            self.holdings[i] = Holding(shares=shares, cost=amount + commission, bought_at=t)
            self._record(t, i, "buy", price, shares, amount, commission, 0.0, None)
        self.pending_buys = []

    def _affordable_shares(self, price, money):
        lots = int(money / (price * (1 + self.fees.commission_rate)) // LOT)
        while lots > 0 and lots * LOT * price + self.fees.commission(lots * LOT * price) > money + 1e-9:
            lots -= 1
        return lots * LOT

    def _record(self, t, i, side, price, shares, amount, commission, stamp, pnl):
        self.result.trades.append({
            "date": self.g.dates[t], "code": self.g.codes[i], "side": side, "price": float(price),
            "shares": int(shares), "amount": round(float(amount), 4), "commission": round(commission, 4),
            "stamp_duty": round(stamp, 4), "pnl": None if pnl is None else round(float(pnl), 4),
        })


def simulate(grid, *, capital, max_positions=10, fees=Fees(), on_day=None):
    """Run the rules above over ``grid``; returns Result (equity curve and trades)."""
    sim = Simulation(grid, capital=capital, max_positions=max_positions, fees=fees)
    sim.budget = capital / max_positions
    for t in range(len(grid.dates)):
        sim.step(t)
        if on_day:
            on_day(t + 1, len(grid.dates), grid.dates[t])
    return sim.result


def metrics(result, capital):
    """Total and annualised return, max drawdown, Sharpe (daily, risk-free 0, ×√252), win rate."""
    equity = np.array([e for _, e in result.equity], dtype=float)
    if equity.size == 0:
        return {}
    total = equity[-1] / capital - 1
    curve = np.r_[capital, equity]
    returns = curve[1:] / curve[:-1] - 1
    drawdown = 1 - curve / np.maximum.accumulate(curve)
    sells = [t for t in result.trades if t["side"] == "sell"]
    sd = returns.std(ddof=1) if returns.size > 1 else 0.0
    return {
        "final_equity": float(equity[-1]),
        "total_return": float(total),
        "annual_return": float((1 + total) ** (TRADING_DAYS_PER_YEAR / equity.size) - 1),
        "max_drawdown": float(drawdown.max()),
        "sharpe": float(returns.mean() / sd * math.sqrt(TRADING_DAYS_PER_YEAR)) if sd > 0 else 0.0,
        "win_rate": (sum(1 for t in sells if t["pnl"] > 0) / len(sells)) if sells else None,
        "trade_count": len(result.trades),
        "round_trips": len(sells),
    }
