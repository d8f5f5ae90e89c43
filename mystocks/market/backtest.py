"""Backtests under A-share rules, on a date-aligned grid of bars and strategy signals.

Rules (``simulate``):
- A signal on day t's close becomes an order filled at day t+1's open (no look-ahead). Signals may
  come from adjusted prices; fills, limits, lots, fees and equity use the real (unadjusted) prices.
- Buys: at most ``max_positions`` holdings; each new one gets equity/max_positions of the previous
  close (capped by cash), in the board's order sizes (``rules.buy_quantity``: lots of 100; STAR at
  least 200 then steps of 1; BSE at least 100 then steps of 1) after fees. An order that cannot
  fill (no bar that day = suspended, or opening at the limit-up price) is dropped.
- Sells close the whole holding. T+1: shares bought today cannot be sold today. A sell that cannot
  fill (suspended, or opening at the limit-down price) stays pending until it can.
- Fees: commission ``commission_rate`` of the amount (at least ``min_commission`` yuan) on both
  sides; stamp duty and transfer fee at the rates of the fill's date (``rules``).
- Price limits by board, ST status, listing day and date, rounded half up to the cent (``rules``).
- Corporate actions, applied before the open of the ex-date to the shares held the evening before:
  the cash dividend (before tax; the dividend tax is not modelled) is credited to cash, bonus shares
  (送股 + 转增, whole shares; fractions dropped) are added, and rights (配股) are subscribed at the
  rights price as far as cash allows (unsubscribed rights lapse, as A-share rights cannot be sold).
  Holding through an ex-date at the exchange's ex-rights reference price leaves equity unchanged.
  An ex-date known only by its factor step k (no event row) is applied as bonus ratio k − 1: what it
  paid is reinvested at the reference price, as the adjusted prices assume (``analysis``).
  Dividends count in the holding's realised pnl; the rights paid count in its cost.
- Equity is marked to the close every day (the last close for a suspended holding).
"""
import math
from dataclasses import dataclass, field, fields

import numpy as np

from . import rules

TRADING_DAYS_PER_YEAR = 252


@dataclass(frozen=True)
class Fees:
    """The broker's commission; stamp duty and transfer fee follow ``rules`` by date."""

    commission_rate: float = 0.00025
    min_commission: float = 5.0

    def of(self, *, code, day, side, amount):
        return rules.trade_fees(code=code, day=day, side=side, amount=amount,
                                commission_rate=self.commission_rate, min_commission=self.min_commission)


@dataclass(frozen=True)
class Action:
    """A corporate action per share held before it (see ``models.CorporateAction``)."""

    cash_dividend: float = 0.0
    bonus_ratio: float = 0.0
    rights_ratio: float = 0.0
    rights_price: float | None = None


def reference_price(prev_close, action):
    """``rules.ex_rights_reference`` of ``action`` after ``prev_close``, as a float."""
    return float(rules.ex_rights_reference(
        prev_close=prev_close, cash_dividend=action.cash_dividend, bonus_ratio=action.bonus_ratio,
        rights_ratio=action.rights_ratio, rights_price=action.rights_price))


@dataclass
class Grid:
    """codes × dates arrays (NaN where a stock has no bar), the signals on them and the market facts.

    ``st``: the stock traded under ST / *ST that day; ``listing_day``: 1-based trading day since its
    listing (0 = unknown or long listed); ``list_dates``: per code, or None; ``actions``:
    {(code index, date index): Action}."""

    dates: list
    codes: list
    open: np.ndarray
    close: np.ndarray
    pre_close: np.ndarray
    buy: np.ndarray
    sell: np.ndarray
    st: np.ndarray | None = None
    listing_day: np.ndarray | None = None
    list_dates: list | None = None
    actions: dict = field(default_factory=dict)

    def clipped(self, first):
        """The grid from date index ``first`` on (actions before it dropped)."""
        arrays = {f.name: getattr(self, f.name)[:, first:] for f in fields(self)
                  if isinstance(getattr(self, f.name), np.ndarray)}
        actions = {(i, t - first): a for (i, t), a in self.actions.items() if t >= first}
        return Grid(**{**self.__dict__, **arrays, "dates": self.dates[first:], "actions": actions})


@dataclass
class Holding:
    shares: int
    cost: float  # what was paid, fees and subscribed rights included
    bought_at: int  # date index
    income: float = 0.0  # cash dividends received


@dataclass
class Result:
    equity: list = field(default_factory=list)
    trades: list = field(default_factory=list)
    actions: list = field(default_factory=list)


class Simulation:
    def __init__(self, grid, *, capital, max_positions, fees):
        self.g, self.fees, self.max_positions = grid, fees, max_positions
        self.cash = float(capital)
        self.holdings = {}
        self.pending_buys, self.pending_sells = [], set()
        self.result = Result()
        self.last_close = np.full(len(grid.codes), np.nan)

    def step(self, t):
        self._apply_actions(t)
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

    def _apply_actions(self, t):
        for i, holding in self.holdings.items():
            action = self.g.actions.get((i, t))
            if action is not None:
                self._credit(t, i, holding, action)

    def _credit(self, t, i, holding, action):
        if not math.isnan(self.last_close[i]):  # marks a holding suspended on its ex-date at the reference price
            self.last_close[i] = reference_price(self.last_close[i], action)
        dividend = holding.shares * action.cash_dividend
        bonus = int(holding.shares * action.bonus_ratio + 1e-6)
        self.cash += dividend
        holding.income += dividend
        entitled = int(holding.shares * action.rights_ratio + 1e-6)
        subscribed = paid = 0
        if entitled and action.rights_price:
            subscribed = min(entitled, int(self.cash / action.rights_price + 1e-9))
            paid = subscribed * action.rights_price
            self.cash -= paid
            holding.cost += paid
        holding.shares += bonus + subscribed
        self.result.actions.append({
            "date": self.g.dates[t], "code": self.g.codes[i], "dividend": round(dividend, 4),
            "bonus_shares": bonus, "rights_shares": subscribed, "rights_paid": round(paid, 4),
            "rights_lapsed": entitled - subscribed})

    def _limits(self, i, t):
        listing_day = int(self.g.listing_day[i, t]) if self.g.listing_day is not None else 0
        pre_close = self.g.pre_close[i, t]
        if math.isnan(pre_close):
            return None
        return rules.limit_prices(
            code=self.g.codes[i], day=self.g.dates[t], pre_close=pre_close,
            st=bool(self.g.st[i, t]) if self.g.st is not None else False,
            listing_day=listing_day or None, list_date=self.g.list_dates[i] if self.g.list_dates else None)

    def _at_limit(self, i, t, price, up):
        band = self._limits(i, t)
        if band is None:
            return False
        return price >= float(band[0]) - 1e-9 if up else price <= float(band[1]) + 1e-9

    def _fill_sells(self, t):
        for i in sorted(self.pending_sells):
            price, holding = self.g.open[i, t], self.holdings[i]
            if math.isnan(price) or holding.bought_at >= t or self._at_limit(i, t, price, up=False):
                continue
            amount = holding.shares * price
            fees = self.fees.of(code=self.g.codes[i], day=self.g.dates[t], side="sell", amount=amount)
            proceeds = amount - sum(fees.values())
            self.cash += proceeds
            self._record(t, i, "sell", price, holding.shares, amount, fees, proceeds + holding.income - holding.cost)
            del self.holdings[i]
            self.pending_sells.discard(i)

    def _fill_buys(self, t):
        for i in self.pending_buys:
            if len(self.holdings) >= self.max_positions:
                break
            price = self.g.open[i, t]
            if math.isnan(price) or self._at_limit(i, t, price, up=True):
                continue
            shares = self._affordable_shares(i, t, price, min(self.budget, self.cash))
            if shares == 0:
                continue
            amount = shares * price
            fees = self.fees.of(code=self.g.codes[i], day=self.g.dates[t], side="buy", amount=amount)
            self.cash -= amount + sum(fees.values())
            self.holdings[i] = Holding(shares=shares, cost=amount + sum(fees.values()), bought_at=t)
            self._record(t, i, "buy", price, shares, amount, fees, None)
        self.pending_buys = []

    def _affordable_shares(self, i, t, price, money):
        """The largest valid order whose amount and fees fit in ``money`` (the commission's minimum
        may make the first estimate a step or two too large)."""
        code, day = self.g.codes[i], self.g.dates[t]
        per_share = price * (1 + self.fees.commission_rate + float(rules.transfer_fee_rate(day=day, code=code)))
        shares = rules.buy_quantity(code=code, day=day, shares=money / per_share)
        _, step = rules.lot_rule(code=code, day=day)
        while shares and self._buy_cost(code, day, shares * price) > money + 1e-9:
            shares = rules.buy_quantity(code=code, day=day, shares=shares - step)
        return shares

    def _buy_cost(self, code, day, amount):
        return amount + sum(self.fees.of(code=code, day=day, side="buy", amount=amount).values())

    def _record(self, t, i, side, price, shares, amount, fees, pnl):
        self.result.trades.append({
            "date": self.g.dates[t], "code": self.g.codes[i], "side": side, "price": float(price),
            "shares": int(shares), "amount": round(float(amount), 4), "commission": round(fees["commission"], 4),
            "stamp_duty": round(fees["stamp_duty"], 4), "transfer_fee": round(fees["transfer_fee"], 4),
            "pnl": None if pnl is None else round(float(pnl), 4),
        })


def simulate(grid, *, capital, max_positions=10, fees=Fees(), on_day=None):
    """Run the rules above over ``grid``; returns Result (equity curve, trades, corporate actions)."""
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
        "dividends": round(sum(a["dividend"] for a in result.actions), 4),
        "bonus_shares": sum(a["bonus_shares"] for a in result.actions),
        "rights_shares": sum(a["rights_shares"] for a in result.actions),
        "rights_paid": round(sum(a["rights_paid"] for a in result.actions), 4),
    }
