"""A backtest's curves: equity against the equal-weight market, drawdown, monthly returns."""
import datetime

import numpy as np
from django.core.cache import cache
from django.db import connection

from ..models import DailyBar

BENCHMARK_CACHE_SECONDS = 600


def equal_weight_market(start, end):
    """[(date, index)] of the equal-weight market from the stored unadjusted bars, 1.0 the day before ``start``.

    Each day's return is the mean of close / pre_close − 1 over the stocks that traded: pre_close is
    the provider's ex-rights reference, so no adjustment is needed. One GROUP BY on the date index;
    cached a few minutes because it reads every bar of the period.
    """
    key = f"market:ew:{start}:{end}"
    cached = cache.get(key)
    if cached is not None:
        return cached
    table = DailyBar._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT date, AVG(close / pre_close - 1) FROM {table} WHERE adjust = 'none' AND date >= %s "
            "AND date <= %s AND pre_close > 0 GROUP BY date ORDER BY date", [start, end])
        rows = cursor.fetchall()
    level, curve = 1.0, []
    for day, mean in rows:
        level *= 1 + float(mean or 0)
        day = day if isinstance(day, datetime.date) else datetime.date.fromisoformat(str(day))
        curve.append((day.isoformat(), round(level, 6)))
    cache.set(key, curve, BENCHMARK_CACHE_SECONDS)
    return curve


def drawdown(curve):
    """[(date, drawdown ≤ 0)] of an equity curve [(date, equity)]."""
    if not curve:
        return []
    equity = np.array([e for _, e in curve], dtype=float)
    peak = np.maximum.accumulate(equity)
    return [(d, round(float(x), 6)) for (d, _), x in zip(curve, equity / peak - 1)]


def monthly_returns(curve, capital):
    """{year: {month: return}} from the month-end equity (the first month from ``capital``)."""
    table, previous, last_of_month = {}, float(capital), {}
    for day, equity in curve:
        last_of_month[day[:7]] = float(equity)
    for month, equity in sorted(last_of_month.items()):
        year, mon = int(month[:4]), int(month[5:])
        table.setdefault(year, {})[mon] = equity / previous - 1 if previous else None
        previous = equity
    return table


def detail(run):
    """Everything the detail page and the API draw for one BacktestRun."""
    curve = [(d, float(e)) for d, e in run.equity_curve]
    market = equal_weight_market(run.start_date, run.end_date) if curve else []
    return {
        "equity": [(d, round(e / run.initial_capital, 6)) for d, e in curve],
        "benchmark": market,
        "drawdown": drawdown(curve),
        "monthly": monthly_returns(curve, run.initial_capital),
    }
