"""The stock-data jobs of the default catalogue, registered with the task engine.

Names and params match fixtures/tasks.yaml (the old task manager's catalogue). Each job parses its
params and calls one function of the module named for its concern; providers are imported lazily.
Every job returns a summary: rows fetched / inserted / updated / skipped and the symbols that failed.
"""
from tasks_app.registry import Param, job

from .models import Adjust, FlowType, Period, StatementType

SOURCES = ("akshare", "baostock")
REPORT_TYPES = tuple(StatementType.values)
PERIODS = tuple(Period.values)
FLOW_TYPES = tuple(FlowType.values)
ADJUSTS = tuple(Adjust.values)
# Spelled out rather than imported: the indicator and strategy modules load pandas, and this
# module is imported by every web process at start-up. A test keeps the two in step.
INDICATORS = ("MA", "EMA", "MACD", "KDJ", "RSI", "BOLL", "ATR", "CCI", "WR", "OBV")
STRATEGIES = (
    "ma_crossover", "macd_divergence", "kdj_overbought",
    "turtle_trade", "volume_breakout", "platform_breakout",
)


def _finish_baostock():
    from .sources import baostock

    baostock.logout()


@job("sync_basic_stock_info", queue="fetch", params=[
    Param("data_source", "str", "baostock", choices=SOURCES),
    Param("include_delisted", "bool", False),
    Param("fallback", "bool", True, help="try the other source when the first fails"),
])
def sync_basic_stock_info(ctx, **params):
    """All A-shares with industry and listing date."""
    from .sync import sync_stock_list

    try:
        return sync_stock_list(ctx, data_source=params["data_source"], fallback=params["fallback"],
                               include_delisted=params["include_delisted"])
    finally:
        _finish_baostock()


@job("sync_daily_stock_data", queue="fetch", params=[
    Param("data_source", "str", "akshare", choices=SOURCES),
    Param("fallback", "bool", True, help="try the other source when the first fails"),
    Param("include_basic", "bool", True),
    Param("include_kline", "bool", True),
    Param("symbols", "list", [], help="only these codes (default: all)"),
    Param("dates", "list", [], help="none = latest trading day, one = that day, two = a range, more = those days"),
    Param("adjust", "str", "none", choices=ADJUSTS, help="none = unadjusted, hfq = back-adjusted"),
    Param("history_days", "int", 400, help="calendar days fetched for a stock with no bars yet"),
])
def sync_daily_stock_data(ctx, **params):
    """Daily bars for all stocks, incremental from each stock's last stored date."""
    from .sync import sync_daily_bars, sync_stock_list

    result = {}
    try:
        if params["include_basic"]:
            result["basic"] = sync_stock_list(ctx, data_source=params["data_source"], fallback=params["fallback"])
        if params["include_kline"]:
            result.update(sync_daily_bars(
                ctx, data_source=params["data_source"], fallback=params["fallback"], symbols=params["symbols"],
                dates=params["dates"], adjust=params["adjust"], history_days=params["history_days"]))
    finally:
        _finish_baostock()
    return result


@job("sync_financial_statements", queue="fetch", params=[
    Param("data_source", "str", "akshare", choices=SOURCES),
    Param("report_types", "list", list(REPORT_TYPES), choices=REPORT_TYPES),
    Param("symbols", "list", []),
    Param("fallback", "bool", True, help="try the other source when the first fails"),
])
def sync_financial_statements(ctx, **params):
    """Balance sheets, income statements and cash-flow statements.

    baostock publishes ratios, not statements: with data_source baostock the rows come from akshare
    when ``fallback`` is on, and the run fails saying so when it is off."""
    from .fetch import sync_statements

    return sync_statements(ctx, data_source=params["data_source"], fallback=params["fallback"],
                           report_types=params["report_types"], symbols=params["symbols"])


@job("fetch_realtime_market_data", queue="fetch", params=[
    Param("fetch_stocks", "bool", True),
    Param("fetch_etfs", "bool", True),
])
def fetch_realtime_market_data(ctx, **params):
    """Spot quotes for all stocks and ETFs, stored as snapshots (akshare: baostock has no quotes)."""
    from .fetch import fetch_realtime

    return fetch_realtime(ctx, fetch_stocks=params["fetch_stocks"], fetch_etfs=params["fetch_etfs"])


@job("fetch_longhubang_data", queue="fetch", params=[
    Param("data_source", "str", "akshare", choices=("akshare",)),
    Param("start_date", "date"),
    Param("end_date", "date"),
])
def fetch_longhubang_data(ctx, **params):
    """The dragon-tiger list (龙虎榜) for a date or range (default: the latest trading day)."""
    from .fetch import fetch_dragon_tiger

    return fetch_dragon_tiger(ctx, start_date=params["start_date"], end_date=params["end_date"])


@job("fetch_capital_flow_data", queue="fetch", params=[
    Param("data_source", "str", "akshare", choices=("akshare",)),
    Param("flow_types", "list", list(FLOW_TYPES), choices=FLOW_TYPES),
])
def fetch_capital_flow_data(ctx, **params):
    """Capital flow for stocks, sectors and concepts."""
    from .fetch import fetch_capital_flow

    return fetch_capital_flow(ctx, flow_types=params["flow_types"])


@job("sync_trade_calendar", queue="fetch", params=[
    Param("data_source", "str", "baostock", choices=SOURCES),
    Param("fallback", "bool", True, help="try the other source when the first fails"),
    Param("start_date", "date"),
    Param("end_date", "date"),
])
def sync_trade_calendar(ctx, **params):
    """Refresh the A-share trading days from a provider (default range: last year … end of this year)."""
    from .fetch import sync_calendar

    try:
        return sync_calendar(ctx, data_source=params["data_source"], fallback=params["fallback"],
                             start_date=params["start_date"], end_date=params["end_date"])
    finally:
        _finish_baostock()


@job("calculate_technical_indicators", queue="compute", params=[
    Param("indicators", "list", ["MA", "MACD", "KDJ", "RSI", "BOLL"], choices=INDICATORS),
    Param("periods", "list", ["daily"], choices=PERIODS),
    Param("symbols", "list", []),
    Param("full_recompute", "bool", False),
    Param("adjust", "str", "none", choices=ADJUSTS, help="which stored bars to compute on"),
])
def calculate_technical_indicators(ctx, **params):
    """Technical indicators (TongDaXin conventions) for all stocks, vectorised."""
    from .compute import calculate

    return calculate(ctx, indicators_wanted=params["indicators"], periods=params["periods"],
                     symbols=params["symbols"], full_recompute=params["full_recompute"], adjust=params["adjust"])


@job("calculate_strategy_signals", queue="compute", params=[
    Param("strategies", "list", ["ma_crossover", "macd_divergence", "kdj_overbought"], choices=STRATEGIES),
    Param("trade_date", "date"),
])
def calculate_strategy_signals(ctx, **params):
    """Strategy signals for the latest (or a given) trading day."""
    from .analysis import calculate_signals

    return calculate_signals(ctx, strategy_names=params["strategies"], trade_date=params["trade_date"])


@job("run_backtest", queue="compute", params=[
    Param("strategy_id", "str", "", help="one of the strategies; required to run"),
    Param("start_date", "date"),
    Param("end_date", "date"),
    Param("initial_capital", "float", 1_000_000.0),
    Param("symbols", "list", []),
    Param("max_positions", "int", 10),
])
def run_backtest(ctx, **params):
    """Backtest a strategy over a date range with A-share trading rules (see ``backtest``)."""
    from .analysis import run_backtest as backtest

    return backtest(ctx, strategy_id=params["strategy_id"], start_date=params["start_date"],
                    end_date=params["end_date"], initial_capital=params["initial_capital"],
                    symbols=params["symbols"], max_positions=params["max_positions"])


@job("cleanup_cache_data", queue="default", params=[
    Param("retention_days", "int", 30),
    Param("cleanup_paths", "list", []),
])
def cleanup_cache_data(ctx, **params):
    """Delete cache files older than retention_days under the configured cache root (executions: retention)."""
    from .cleanup import cleanup

    return cleanup(ctx, retention_days=params["retention_days"], cleanup_paths=params["cleanup_paths"])
