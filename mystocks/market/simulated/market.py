"""A deterministic simulated A-share market: the same seed gives the same stocks, bars, events and
statements on every machine, with no network.

It exists so the jobs can be proven at market scale (5,000+ stocks, ten years) through the
providers' real client code (``eastmoney`` serves it over HTTP, ``baostock_server`` over TCP) and
so demos and other tests can load a small market straight into the database (``load``).

What it contains, by design (every kind of awkward case a real day brings):
- boards SSE main (60xxxx), STAR (688xxx), SZSE main (00xxxx), ChiNext (30xxxx), BSE (920xxx);
- new listings (some on the last day), delistings, suspensions (a run of missing days, and a few
  stocks suspended on the last day), limit-up and limit-down runs, ST / *ST periods (5 % limits);
- ex-rights events: cash dividends, bonus issues and rights issues.

How the events map to prices and factors (the contract the adjusted-price readers rely on):
the exchange's ex-rights reference price on an ex-date is
``pre_close = round((prev_close - cash + rights_price × rights_ratio) / (1 + bonus + rights_ratio), 2)``
and that day's bar carries it as ``pre_close``. ``back_factor`` (hfq, cumulative) is 1.0 before the
first event and is multiplied at every ex-date by ``prev_close / pre_close``, so
``raw × back_factor`` is continuous across the event (the day's move is the only change).
Prices are generated in that continuous (hfq) space and divided by the factor in force, then
rounded to the cent and clipped to the day's limit band (rounded half up, from the rounded
previous close), so raw bars, events and factors agree with each other exactly.
"""
import datetime
import functools
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..statements import disclosure_deadline
from ..statements import quarter_ends as report_periods  # noqa: F401  (the simulator's name)

BOARDS = (  # board, exchange, share of the market, code prefix numbers
    ("sse_main", "SH", 0.32, (600000, 601000, 603000, 605000)),
    ("star", "SH", 0.10, (688000,)),
    ("szse_main", "SZ", 0.28, (0, 1000, 2000)),
    ("chinext", "SZ", 0.25, (300000, 301000)),
    ("bse", "BJ", 0.05, (920000,)),
)
INDUSTRIES = ("C39计算机、通信和其他电子设备制造业", "C27医药制造业", "J66货币金融服务", "C36汽车制造业",
              "C15酒、饮料和精制茶制造业", "K70房地产业", "I65软件和信息技术服务业", "D44电力、热力生产和供应业",
              "C26化学原料和化学制品制造业", "F51批发业")
CHINEXT_REFORM = datetime.date(2020, 8, 24)


def round_half_up(values, digits=2):
    """Round like the exchanges (half up), not like Python/NumPy (half to even)."""
    scale = 10 ** digits
    return np.floor(np.asarray(values, dtype=float) * scale + 0.5 + 1e-9) / scale


@dataclass
class SimStock:
    index: int
    code: str
    base_name: str
    board: str
    exchange: str
    industry: str
    list_date: datetime.date
    delist_date: datetime.date | None
    st_periods: list = field(default_factory=list)  # (status, start, end or None)

    def st_on(self, day):
        for status, start, end in self.st_periods:
            if start <= day and (end is None or day <= end):
                return status
        return None

    def name_on(self, day):
        status = self.st_on(day)
        return f"{status}{self.base_name}" if status else self.base_name


@dataclass
class Event:
    ex_date: datetime.date
    cash: float = 0.0
    bonus: float = 0.0
    rights_ratio: float = 0.0
    rights_price: float | None = None
    back_factor: float = 1.0  # cumulative, from this ex-date on
    report_date: datetime.date | None = None  # the report period the plan belongs to


class SimulatedMarket:
    """``days``: the market's open days, ascending (the last one is "today", after the close)."""

    def __init__(self, days, *, stocks=5000, seed=11, cache_stocks=700):
        if stocks < 10:
            raise ValueError("stocks: at least 10 (every board and special case needs a few)")
        self.days = list(days)
        if len(self.days) < 30:
            raise ValueError("days: at least 30 open days")
        self.seed = seed
        self.day_index = {d: i for i, d in enumerate(self.days)}
        self.ordinals = np.array([d.toordinal() for d in self.days])
        self.years = np.array([d.year for d in self.days])
        self.months = np.array([d.month for d in self.days])
        self.stocks = self._make_stocks(stocks)
        self.by_code = {s.code: s for s in self.stocks}
        self.series = functools.lru_cache(maxsize=cache_stocks)(self._series)
        self._day_frames = {}
        self._event_index = None

    @property
    def today(self):
        return self.days[-1]

    # --- stocks -----------------------------------------------------------------------------------

    def _rng(self, *parts):
        return np.random.default_rng([self.seed, *parts])

    def _make_stocks(self, n):
        rng = self._rng(0)
        counts = [max(2, round(n * share)) for _, _, share, _ in BOARDS]
        counts[0] += n - sum(counts)
        stocks, index = [], 0
        first, last = self.days[0], self.days[-1]
        for (board, exchange, _, prefixes), count in zip(BOARDS, counts):
            for k in range(count):
                base = prefixes[k % len(prefixes)] + k // len(prefixes) + 1
                code = f"{base:06d}"
                stocks.append(self._make_stock(rng, index, code, board, exchange, first, last))
                index += 1
        return stocks

    def _make_stock(self, rng, index, code, board, exchange, first, last):
        roll = rng.random()
        span = len(self.days)
        if index % 97 == 5:  # a listing on the last day: today's new stock
            list_date = last
        elif roll < 0.08:  # listed inside the window
            list_date = self.days[int(rng.integers(1, span - 1))]
        else:
            list_date = first - datetime.timedelta(days=int(rng.integers(30, 8000)))
        delist_date = None
        if index % 61 == 7 and list_date < self.days[span // 3]:
            delist_date = self.days[int(rng.integers(span // 2, span - 5))]
        stock = SimStock(index, code, f"模拟{code[-4:]}", board, exchange, INDUSTRIES[index % len(INDUSTRIES)],
                         list_date, delist_date)
        if index % 19 == 3:
            start = self.days[int(rng.integers(span // 4, span - 20))]
            ongoing = rng.random() < 0.5
            end = None if ongoing else min(start + datetime.timedelta(days=int(rng.integers(60, 500))), last)
            stock.st_periods.append(("*ST" if rng.random() < 0.4 else "ST", start, end))
        return stock

    # --- one stock's bars ---------------------------------------------------------------------------

    def trading_day_indices(self, stock):
        """Indices into ``days`` of the days this stock traded (listed, not delisted, not suspended)."""
        rng = self._rng(1, stock.index)
        start = int(np.searchsorted(self.ordinals, stock.list_date.toordinal()))
        stop = self.day_index.get(stock.delist_date, len(self.days)) if stock.delist_date else len(self.days)
        open_ = np.zeros(len(self.days), dtype=bool)
        open_[start:stop] = True
        if rng.random() < 0.04 and stop - start > 80:  # one long suspension
            s = int(rng.integers(start + 10, stop - 60))
            open_[s:s + int(rng.integers(5, 40))] = False
        if stock.index % 53 == 11:  # suspended today
            open_[-1] = False
        return np.flatnonzero(open_)

    def _events(self, stock, idx):
        """Ex-rights events on this stock's own trading days: a plan most years, paid in May–August.

        ``cash`` holds a dividend yield here; ``_raw_closes`` turns it into yuan per share from the
        close before the ex-date, so a dividend is always a sane fraction of the price."""
        rng = self._rng(2, stock.index)
        years, months = self.years[idx], self.months[idx]
        season = (months >= 5) & (months <= 8)
        season[0] = False
        events = []
        for year in np.unique(years[season]):
            candidates = np.flatnonzero(season & (years == year))
            kind = rng.random()
            event = Event(ex_date=self.days[idx[int(rng.choice(candidates))]],
                          report_date=datetime.date(int(year) - 1, 12, 31))
            if kind < 0.6 or stock.index % 41 == 2:
                event.cash = float(rng.uniform(0.005, 0.04))
            if kind > 0.85 or stock.index % 41 == 2:
                event.bonus = float(rng.choice([0.2, 0.3, 0.5, 1.0]))
            if 0.80 < kind <= 0.83 or stock.index % 83 == 4:
                event.rights_ratio = float(rng.choice([0.1, 0.2, 0.3]))
            if event.cash or event.bonus or event.rights_ratio:
                events.append(event)
        return events

    def _limits(self, stock, idx):
        """(ST flags, limit fractions) per trading day of this stock, vectorised."""
        ordinals = self.ordinals[idx]
        st = np.zeros(len(idx), dtype=bool)
        for _, start, end in stock.st_periods:
            st |= (ordinals >= start.toordinal()) & (ordinals <= (end or self.today).toordinal())
        if stock.board == "bse":
            return st, np.full(len(idx), 0.30)
        if stock.board == "star":
            return st, np.full(len(idx), 0.20)
        limits = np.where(st, 0.05, 0.10)
        if stock.board == "chinext":
            limits = np.where(ordinals >= CHINEXT_REFORM.toordinal(), 0.20, limits)
        return st, limits

    def _series(self, code):
        """This stock's bars as arrays over its trading days, plus its events (with factors)."""
        stock = self.by_code[code]
        idx = self.trading_day_indices(stock)
        n = len(idx)
        rng = self._rng(3, stock.index)
        st, limits = self._limits(stock, idx)
        returns = np.clip(rng.normal(0.0002, 0.018, n), -limits + 0.002, limits - 0.002)
        if n > 40 and stock.index % 23 == 1:  # a run of limit-up days, or limit-down ones
            run = int(rng.integers(10, n - 10))
            returns[run:run + int(rng.integers(3, 7))] = limits[run] * (1 if stock.index % 2 else -1)
        hfq = rng.uniform(4, 80) * np.exp(np.cumsum(np.log1p(returns)))
        events = self._events(stock, idx) if n > 1 else []
        close, pre_close = self._raw_closes(hfq, idx, events, limits)
        opens = self._clip(round_half_up(pre_close * (1 + rng.normal(0, 0.006, n))), pre_close, limits)
        high = self._clip(round_half_up(np.maximum(opens, close) * (1 + rng.uniform(0, 0.02, n))), pre_close, limits)
        low = self._clip(round_half_up(np.minimum(opens, close) * (1 - rng.uniform(0, 0.02, n))), pre_close, limits)
        volume = (rng.lognormal(11.5, 0.6, n) * (1 + 6 * np.abs(returns))).astype(np.int64) * 100
        amount = np.round(volume * (opens + high + low + close) / 4, 2)
        shares = rng.uniform(0.5e8, 3e9)
        return {
            "idx": idx, "open": opens, "high": high, "low": low, "close": close, "pre_close": pre_close,
            "volume": volume, "amount": amount, "turnover": np.round(volume / shares * 100, 4),
            "pct_change": np.round((close / pre_close - 1) * 100, 4), "st": st, "events": events,
        }

    @staticmethod
    def _clip(values, pre_close, limits):
        up, down = round_half_up(pre_close * (1 + limits)), round_half_up(pre_close * (1 - limits))
        return np.minimum(np.maximum(values, down), up)

    def _raw_closes(self, hfq, idx, events, limits):
        """Raw closes from the continuous path, segment by segment between ex-dates (see module doc).

        Within a segment the previous close is the reference; clipping is repeated until no close
        moves, so every close lies inside the band of the (rounded) previous close."""
        n = len(hfq)
        close, pre_close = np.empty(n), np.empty(n)
        if n == 0:
            return close, pre_close
        factor, start = 1.0, 0
        boundaries = [int(np.searchsorted(idx, self.day_index[e.ex_date])) for e in events] + [n]
        for k, stop in enumerate(boundaries):
            seg = round_half_up(hfq[start:stop] / factor)
            first_ref = seg[0] if start == 0 else pre_close[start]
            for _ in range(100):  # until stable: moving one close moves the next day's band
                ref = np.concatenate([[first_ref], seg[:-1]])
                clipped = self._clip(seg, ref, limits[start:stop])
                if np.array_equal(clipped, seg):
                    break
                seg = clipped
            close[start:stop], pre_close[start:stop] = seg, np.concatenate([[first_ref], seg[:-1]])
            if stop == n:
                break
            event, prev = events[k], close[stop - 1]
            event.cash = float(round_half_up(prev * event.cash, 3))
            if event.rights_ratio:
                event.rights_price = float(round_half_up(prev * 0.75))
            ref = float(round_half_up((prev - event.cash + (event.rights_price or 0) * event.rights_ratio)
                                      / (1 + event.bonus + event.rights_ratio)))
            ref = max(ref, 0.01)
            factor *= prev / ref
            event.back_factor = factor
            pre_close[stop] = ref
            start = stop
        return close, pre_close

    def bars(self, code, start=None, end=None):
        """One stock's unadjusted bars (volume in shares) between two dates, as a DataFrame."""
        s = self.series(code)
        days = np.array(self.days, dtype=object)[s["idx"]]
        frame = pd.DataFrame({"code": code, "date": days, **{k: s[k] for k in (
            "open", "high", "low", "close", "pre_close", "volume", "amount", "turnover", "pct_change")},
            "st": s["st"]})
        if start is not None:
            frame = frame[frame["date"] >= start]
        if end is not None:
            frame = frame[frame["date"] <= end]
        return frame.reset_index(drop=True)

    def back_factors(self, code):
        """[(date, back_factor)] from listing: 1.0 first, then one row per ex-date."""
        s = self.series(code)
        first = self.days[s["idx"][0]] if len(s["idx"]) else self.stocks[0].list_date
        return [(first, 1.0)] + [(e.ex_date, e.back_factor) for e in s["events"]]

    def events(self, code):
        return list(self.series(code)["events"])

    def day_frame(self, day):
        """Every stock's bar on ``day`` (stocks that did not trade are absent); cached per day."""
        if day not in self._day_frames:
            i = self.day_index[day]
            rows = []
            for stock in self.stocks:
                s = self.series(stock.code)
                k = np.searchsorted(s["idx"], i)
                if k < len(s["idx"]) and s["idx"][k] == i:
                    rows.append((stock.code, stock.name_on(day), *(s[c][k] for c in (
                        "open", "high", "low", "close", "pre_close", "volume", "amount", "turnover", "pct_change")),
                        bool(s["st"][k])))
            self._day_frames[day] = pd.DataFrame(rows, columns=[
                "code", "name", "open", "high", "low", "close", "pre_close", "volume", "amount", "turnover",
                "pct_change", "st"])
        return self._day_frames[day]

    def listed_on(self, day):
        """Stocks listed on ``day`` (suspended ones included), for the exchanges' lists."""
        return [s for s in self.stocks if s.list_date <= day and (s.delist_date is None or day < s.delist_date)]

    # --- events and factors by day -------------------------------------------------------------------

    def _events_indexed(self):
        """{("day", ex_date) | ("report", period): [(code, Event)]}, built once over every stock."""
        if self._event_index is None:
            index = {}
            for stock in self.stocks:
                for event in self.series(stock.code)["events"]:
                    index.setdefault(("day", event.ex_date), []).append((stock.code, event))
                    index.setdefault(("report", event.report_date), []).append((stock.code, event))
            self._event_index = index
        return self._event_index

    def events_on(self, day):
        """[(code, Event)] with an ex-date on ``day``."""
        return list(self._events_indexed().get(("day", day), []))

    def events_for_report(self, period):
        """[(code, Event)] of the plans for report period ``period``."""
        return list(self._events_indexed().get(("report", period), []))

    # --- statements ---------------------------------------------------------------------------------

    def notice_date(self, stock, period):
        rng = self._rng(4, stock.index, period.toordinal())
        deadline = disclosure_deadline(period)
        earliest = period + datetime.timedelta(days=15 if period.month != 12 else 25)
        return earliest + datetime.timedelta(days=int(rng.integers(0, (deadline - earliest).days + 1)))

    def statements(self, period, *, as_of=None):
        """[(stock, notice_date, values)] published for ``period`` by ``as_of`` (default today)."""
        rows = []
        for stock in self.stocks:
            found = self.statement_of(stock, period, as_of=as_of)
            if found:
                rows.append((stock, *found))
        return rows

    def statement_of(self, stock, period, *, as_of=None):
        """(notice_date, values) of one stock's report for ``period``, or None if not out by ``as_of``."""
        as_of = as_of or self.today
        if stock.list_date > period or (stock.delist_date and stock.delist_date <= period):
            return None
        notice = self.notice_date(stock, period)
        if notice > as_of:
            return None
        rng = self._rng(5, stock.index)
        size = rng.uniform(5e8, 5e10)
        growth = 1 + 0.02 * (period.year - 2015) + 0.005 * period.month
        assets = size * growth
        liabilities = assets * rng.uniform(0.2, 0.8)
        revenue = size * 0.6 * growth * period.month / 12
        profit = revenue * rng.uniform(-0.05, 0.2)
        return notice, {
            "total_assets": round(assets, 2), "total_liabilities": round(liabilities, 2),
            "equity": round(assets - liabilities, 2), "cash": round(assets * 0.15, 2),
            "revenue": round(revenue, 2), "net_profit": round(profit, 2),
            "operate_cash": round(profit * rng.uniform(0.6, 1.4), 2),
            "invest_cash": round(-revenue * 0.1, 2), "finance_cash": round(revenue * 0.02, 2),
        }
