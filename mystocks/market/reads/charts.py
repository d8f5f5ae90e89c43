"""The stock page: bars with indicators for the chart, signals to mark, and the stock's other rows."""
import datetime

import numpy as np

from ..indicators import compute_frame
from ..models import CapitalFlow, DragonTigerEntry, FinancialStatement, Stock, StockStatusPeriod, StrategySignal
from .bars import display_bars

CHART_YEARS_MAX = 30
SEARCH_LIMIT = 20
CHART_INDICATORS = ("MA", "BOLL", "MACD", "KDJ", "RSI")


def search_stocks(query, *, limit=SEARCH_LIMIT):
    """Stocks whose code or name starts with ``query`` (codes first), at most ``limit``."""
    query = (query or "").strip()[:32]
    if not query:
        return []
    by_code = list(Stock.objects.filter(code__startswith=query).order_by("code")[:limit])
    if len(by_code) >= limit:
        return by_code
    by_name = Stock.objects.filter(name__startswith=query).exclude(code__in=[s.code for s in by_code])
    return by_code + list(by_name.order_by("code")[:limit - len(by_code)])


def _column(values):
    """A float column as a JSON-ready list: rounded to 4 places, NaN as None (one numpy pass)."""
    return [None if v != v else v for v in np.round(np.asarray(values, dtype=float), 4).tolist()]


def chart_data(*, code, adjust, years=10, today=None):
    """Bars, indicators (computed on the bars shown, so overlays match the adjustment) and signals.

    Indicators are computed here rather than read from IndicatorValue: the stored ones are computed on
    one adjustment, and an overlay on another adjustment's candles would sit beside them.
    """
    if not 1 <= years <= CHART_YEARS_MAX:
        raise ValueError(f"years must be between 1 and {CHART_YEARS_MAX}, got {years}")
    since = (today or datetime.date.today()) - datetime.timedelta(days=int(365.25 * years))
    bars = display_bars(adjust=adjust, codes=[code], since=since)
    data = {"code": code, "adjust": adjust, "bars": [], "indicators": {}, "signals": []}
    if bars.empty:
        return data
    values = compute_frame(bars, CHART_INDICATORS)
    dates = [d.isoformat() for d in bars["date"]]
    prices = [_column(bars[k]) for k in ("open", "high", "low", "close")]
    volume = bars["volume"].fillna(0).astype("int64").tolist()
    data["bars"] = [list(row) for row in zip(dates, *prices, volume, _column(bars["pre_close"]))]
    data["indicators"] = {name: _column(values[name]) for name in values.columns[2:]}
    data["signals"] = [{"date": d.isoformat(), "strategy": s, "side": side} for d, s, side in
                       StrategySignal.objects.filter(code=code, date__gte=since).order_by("date")
                       .values_list("date", "strategy", "side")]
    return data


def stock_profile(code):
    """The stock with its ST history, latest statements, dragon-tiger and capital-flow entries."""
    stock = Stock.objects.filter(code=code).first()
    if stock is None:
        return None
    statements = {}
    for row in FinancialStatement.objects.filter(code=code).order_by("-report_date")[:12]:
        statements.setdefault(row.statement_type, row)
    return {
        "stock": stock,
        "st_periods": list(StockStatusPeriod.objects.filter(code=code).order_by("-start")[:20]),
        "statements": [statements[k] for k in sorted(statements)],
        "dragon_tiger": list(DragonTigerEntry.objects.filter(code=code).order_by("-trade_date")[:20]),
        "capital_flow": list(CapitalFlow.objects.filter(flow_type="stock", code=code).order_by("-trade_date")[:20]),
    }
