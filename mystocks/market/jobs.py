"""The stock-data jobs of the default catalogue, registered with the task engine.

Names and params match fixtures/tasks.yaml (the old task manager's catalogue).
"""
from tasks_app.registry import Param, job

SOURCES = ("akshare", "baostock")
REPORT_TYPES = ("balance_sheet", "income_statement", "cash_flow")
INDICATORS = ("MA", "EMA", "MACD", "KDJ", "RSI", "BOLL", "ATR", "CCI", "WR", "OBV")
PERIODS = ("daily", "weekly")
STRATEGIES = (
    "ma_crossover", "macd_divergence", "kdj_overbought",
    "turtle_trade", "volume_breakout", "platform_breakout",
)
FLOW_TYPES = ("stock", "sector", "concept")


def _not_implemented(name):
    raise NotImplementedError(f"job {name!r} is registered but its body is not implemented yet")


@job("sync_basic_stock_info", queue="fetch", implemented=False, params=[
    Param("data_source", "str", "baostock", choices=SOURCES),
    Param("include_delisted", "bool", False),
])
def sync_basic_stock_info(ctx, **params):
    """All A-shares with industry and listing date."""
    _not_implemented("sync_basic_stock_info")


@job("sync_daily_stock_data", queue="fetch", implemented=False, params=[
    Param("data_source", "str", "akshare", choices=SOURCES),
    Param("fallback", "bool", True, help="try the other source when the first fails"),
    Param("include_basic", "bool", True),
    Param("include_kline", "bool", True),
    Param("symbols", "list", [], help="only these codes (default: all)"),
    Param("dates", "list", [], help="none = latest trading day, one = that day, two = a range"),
])
def sync_daily_stock_data(ctx, **params):
    """Daily bars for all stocks, incremental from each stock's last stored date."""
    _not_implemented("sync_daily_stock_data")


@job("sync_financial_statements", queue="fetch", implemented=False, params=[
    Param("data_source", "str", "akshare", choices=SOURCES),
    Param("report_types", "list", list(REPORT_TYPES), choices=REPORT_TYPES),
    Param("symbols", "list", []),
])
def sync_financial_statements(ctx, **params):
    """Balance sheets, income statements and cash-flow statements."""
    _not_implemented("sync_financial_statements")


@job("fetch_realtime_market_data", queue="fetch", implemented=False, params=[
    Param("fetch_stocks", "bool", True),
    Param("fetch_etfs", "bool", True),
])
def fetch_realtime_market_data(ctx, **params):
    """Spot quotes for all stocks and ETFs, stored as snapshots."""
    _not_implemented("fetch_realtime_market_data")


@job("fetch_longhubang_data", queue="fetch", implemented=False, params=[
    Param("data_source", "str", "akshare", choices=("akshare",)),
    Param("start_date", "date"),
    Param("end_date", "date"),
])
def fetch_longhubang_data(ctx, **params):
    """The dragon-tiger list (龙虎榜) for a date or range."""
    _not_implemented("fetch_longhubang_data")


@job("fetch_capital_flow_data", queue="fetch", implemented=False, params=[
    Param("data_source", "str", "akshare", choices=("akshare",)),
    Param("flow_types", "list", list(FLOW_TYPES), choices=FLOW_TYPES),
])
def fetch_capital_flow_data(ctx, **params):
    """Capital flow for stocks, sectors and concepts."""
    _not_implemented("fetch_capital_flow_data")


@job("sync_trade_calendar", queue="fetch", implemented=False, params=[
    Param("data_source", "str", "baostock", choices=SOURCES),
])
def sync_trade_calendar(ctx, **params):
    """Refresh the A-share trading days from a provider."""
    _not_implemented("sync_trade_calendar")


@job("calculate_technical_indicators", queue="compute", implemented=False, params=[
    Param("indicators", "list", ["MA", "MACD", "KDJ", "RSI", "BOLL"], choices=INDICATORS),
    Param("periods", "list", ["daily"], choices=PERIODS),
    Param("symbols", "list", []),
    Param("full_recompute", "bool", False),
])
def calculate_technical_indicators(ctx, **params):
    """Technical indicators (TongDaXin conventions) for all stocks, vectorised."""
    _not_implemented("calculate_technical_indicators")


@job("calculate_strategy_signals", queue="compute", implemented=False, params=[
    Param("strategies", "list", ["ma_crossover", "macd_divergence", "kdj_overbought"], choices=STRATEGIES),
    Param("trade_date", "date"),
])
def calculate_strategy_signals(ctx, **params):
    """Strategy signals for the latest (or a given) trading day."""
    _not_implemented("calculate_strategy_signals")


@job("run_backtest", queue="compute", implemented=False, params=[
    Param("strategy_id", "str", "", help="one of the strategies; required to run"),
    Param("start_date", "date"),
    Param("end_date", "date"),
    Param("initial_capital", "float", 1_000_000.0),
    Param("symbols", "list", []),
])
def run_backtest(ctx, **params):
    """Backtest a strategy over a date range with A-share trading rules."""
    _not_implemented("run_backtest")


@job("cleanup_cache_data", queue="default", implemented=False, params=[
    Param("retention_days", "int", 30),
    Param("cleanup_paths", "list", []),
])
def cleanup_cache_data(ctx, **params):
    """Delete cache files older than retention_days under the configured cache root."""
    _not_implemented("cleanup_cache_data")
