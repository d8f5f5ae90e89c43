"""Write a simulated market straight into the database (demos, other tests, the benchmark's history).

Everything the sync jobs would have stored: stocks, raw bars, factors (``AdjustFactor``, 1.0 from
listing, then one row per ex-date), ex-rights events (``CorporateAction``), ST periods and the
statements of every report period published by the last day. Source "simulated" on every row.
"""
import datetime

import pandas as pd

from tasks_app.calendar import trading_days

from .. import storage
from ..models import (
    Adjust,
    AdjustFactor,
    CorporateAction,
    DailyBar,
    FinancialStatement,
    Stock,
    StockStatusPeriod,
)
from ..pipeline import latest_complete_trading_day
from .market import SimulatedMarket, report_periods

SOURCE = "simulated"
BAR_COLUMNS = ["code", "date", "open", "high", "low", "close", "pre_close", "volume", "amount", "turnover",
               "pct_change"]
CHUNK = 200


def build(*, stocks, years, end=None, seed=11, cache_stocks=700):
    """A SimulatedMarket of ``stocks`` over ``years`` of the engine's trading days up to ``end``."""
    end = end or latest_complete_trading_day()
    days = trading_days(end - datetime.timedelta(days=int(365.25 * years)), end)
    return SimulatedMarket(days, stocks=stocks, seed=seed, cache_stocks=cache_stocks)


def load(market, *, bars_until=None, bars_from=None, statements=True, progress=None):
    """Store ``market`` (bars between ``bars_from`` and ``bars_until``, default all); returns counts."""
    counts = {"stocks": storage.upsert(Stock, _stock_rows(market), keys=["code"]).inserted}
    counts["st_periods"] = storage.upsert(StockStatusPeriod, _st_rows(market), keys=["code", "start"]).inserted
    totals = {"bars": 0, "factors": 0, "events": 0}
    for start in range(0, len(market.stocks), CHUNK):
        chunk = market.stocks[start:start + CHUNK]
        bars = pd.concat([market.bars(s.code, bars_from, bars_until) for s in chunk], ignore_index=True)
        bars = bars[BAR_COLUMNS].assign(adjust=Adjust.NONE, source=SOURCE)
        totals["bars"] += storage.upsert(DailyBar, bars, keys=["code", "date", "adjust"]).inserted
        totals["factors"] += storage.upsert(AdjustFactor, _factor_rows(market, chunk, bars_until),
                                            keys=["code", "date"]).inserted
        totals["events"] += storage.upsert(CorporateAction, _event_rows(market, chunk, bars_until),
                                           keys=["code", "ex_date"]).inserted
        if progress:
            progress(start + len(chunk), len(market.stocks))
    counts.update(totals)
    if statements:
        counts["statements"] = load_statements(market, as_of=bars_until or market.today)
    return counts


def _stock_rows(market):
    today = market.today
    return pd.DataFrame([{
        "code": s.code, "name": s.name_on(today), "exchange": s.exchange, "industry": s.industry,
        "list_date": s.list_date, "delist_date": s.delist_date,
        "status": "delisted" if s.delist_date and s.delist_date <= today else "listed", "source": SOURCE,
    } for s in market.stocks])


def _st_rows(market):
    return pd.DataFrame([{"code": s.code, "status": status, "start": start, "end": end, "source": SOURCE}
                         for s in market.stocks for status, start, end in s.st_periods],
                        columns=["code", "status", "start", "end", "source"])


def _factor_rows(market, stocks, until):
    rows = []
    for s in stocks:
        factors = [(d, f) for d, f in market.back_factors(s.code) if until is None or d <= until]
        latest = factors[-1][1] if factors else 1.0
        rows.extend({"code": s.code, "date": d, "back_factor": f, "fore_factor": f / latest, "source": SOURCE}
                    for d, f in factors)
    return pd.DataFrame(rows, columns=["code", "date", "back_factor", "fore_factor", "source"])


def _event_rows(market, stocks, until):
    rows = [{"code": s.code, "ex_date": e.ex_date, "cash_dividend": e.cash, "bonus_ratio": e.bonus,
             "rights_ratio": e.rights_ratio, "rights_price": e.rights_price, "source": SOURCE}
            for s in stocks for e in market.events(s.code) if until is None or e.ex_date <= until]
    return pd.DataFrame(rows, columns=["code", "ex_date", "cash_dividend", "bonus_ratio", "rights_ratio",
                                       "rights_price", "source"])


STATEMENT_ITEMS = {
    "balance_sheet": ("total_assets", ("total_assets", "total_liabilities", "equity", "cash")),
    "income_statement": ("net_profit", ("revenue", "net_profit")),
    "cash_flow": ("operate_cash", ("operate_cash", "invest_cash", "finance_cash")),
}


def load_statements(market, *, as_of):
    """Every statement published by ``as_of`` for the market's report periods; returns rows inserted."""
    inserted = 0
    for period in report_periods(market.days[0], as_of):
        rows = []
        for stock, notice, values in market.statements(period, as_of=as_of):
            for kind, (headline, items) in STATEMENT_ITEMS.items():
                rows.append({"code": stock.code, "report_date": period, "statement_type": kind,
                             "notice_date": notice, "headline": values[headline],
                             "items": {k: values[k] for k in items}, "source": SOURCE})
        if rows:
            inserted += storage.upsert(FinancialStatement, rows,
                                       keys=["code", "report_date", "statement_type"]).inserted
    return inserted
