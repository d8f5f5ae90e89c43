"""The stock-data jobs of the default catalogue, and the task types they are filed under,
registered with the task engine.

Names and params match fixtures/tasks.yaml (the old task manager's catalogue). Each job parses its
params and calls one function of the module named for its concern.
Every job returns a summary: rows fetched / inserted / updated / skipped and the symbols that failed.
"""
from django.utils.translation import gettext_lazy as _

from tasks_app.registry import Param, job, register_task_type

from . import adjust as adjusting
from . import indicators, strategies
from .analysis import calculate_signals
from .analysis import run_backtest as backtest
from .cleanup import cleanup, path_problem
from .compute import calculate
from .factors import sync_factors
from .fetch import fetch_capital_flow, fetch_dragon_tiger, fetch_realtime, sync_calendar, sync_statements
from .followup import compute_and_store
from .models import Adjust, FlowType, Period, ReturnBasis, StatementType
from .pattern_names import PATTERNS
from .patterns import detect_and_store
from .signal_history import backfill_signals
from .sources import baostock
from .statements import sync_statements_by_period
from .sync import sync_daily_bars, sync_stock_list

# The old task manager's stock task types; the first three have a tab on the task list, between
# the engine's "Scheduled" (order 10) and "Manual" (50).
register_task_type("data_sync", _("Data sync"), tab=True, order=20)
register_task_type("indicator_calc", _("Indicators"), tab=True, order=30)
register_task_type("market_fetch", _("Market fetch"), tab=True, order=40)
register_task_type("market_sync", _("Market sync"), order=41)
register_task_type("strategy_backtest", _("Strategy backtest"), order=42)

SOURCES = ("akshare", "baostock")
REPORT_TYPES = tuple(StatementType.values)
PERIODS = tuple(Period.values)
FLOW_TYPES = tuple(FlowType.values)
ADJUSTS = tuple(Adjust.values)
# How analytics see prices: derived on read from the unadjusted bars and the adjustment factors.
PRICE_ADJUSTS = adjusting.MODES
PRICE_ADJUST_HELP = _("qfq = forward-adjusted (default), hfq = back-adjusted, none = unadjusted")
INDICATORS = tuple(indicators.INDICATOR_COLUMNS)
STRATEGIES = tuple(strategies.STRATEGIES)
SCREEN_HELP = _("indicator screens, e.g. kdj_cross:20, macd_zero_cross, boll_touch, rsi_cross:30, cci_cross:100, "
                "wr_extreme:80, macd_cross, dmi_cross, sar_flip, supertrend_flip, ma_cross:5:20")


def _finish_baostock():
    baostock.logout()


@job("sync_basic_stock_info", queue="fetch", params=[
    Param("data_source", "str", "baostock", choices=SOURCES),
    Param("include_delisted", "bool", False),
    Param("fallback", "bool", True, help=_("try the other source when the first fails")),
])
def sync_basic_stock_info(ctx, **params):
    """All A-shares with industry and listing date."""
    try:
        return sync_stock_list(ctx, data_source=params["data_source"], fallback=params["fallback"],
                               include_delisted=params["include_delisted"])
    finally:
        _finish_baostock()


@job("sync_daily_stock_data", queue="fetch", params=[
    Param("data_source", "str", "akshare", choices=SOURCES),
    Param("fallback", "bool", True, help=_("try the other source when the first fails")),
    Param("include_basic", "bool", True),
    Param("include_kline", "bool", True),
    Param("symbols", "list", [], help=_("only these codes (default: all)")),
    Param("dates", "list", [], help=_("none = latest trading day, one = that day, two = a range, more = those days")),
    Param("adjust", "str", "none", choices=ADJUSTS, help=_("none = unadjusted, hfq = back-adjusted")),
    Param("history_days", "int", 400, help=_("calendar days fetched for a stock with no bars yet")),
])
def sync_daily_stock_data(ctx, **params):
    """Daily bars for all stocks, incremental from each stock's last stored date."""
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


@job("sync_adjust_factors", queue="fetch", params=[
    Param("data_source", "str", "baostock", choices=SOURCES,
          help=_("baostock: factor rows per day (whole market); akshare: factors derived from dividend plans")),
    Param("fallback", "bool", True, help=_("try the other source when the first fails")),
    Param("days", "int", 5, help=_("trading days back to check for new ex-rights dates (each fetched once)")),
    Param("symbols", "list", [], help=_("backfill these stocks' whole factor history, one call each")),
    Param("with_events", "bool", True, help=_("also store the dividend / bonus events (akshare, per report period)")),
    Param("event_periods", "list", [], help=_("events of these report periods (one, or first and last of a range) "
                                            "instead of the two recent ones")),
])
def sync_adjust_factors(ctx, **params):
    """Adjustment factors and ex-rights events, stored so qfq/hfq prices are derived on read."""
    if not 1 <= params["days"] <= 250:
        raise ValueError("days: between 1 and 250 trading days")
    try:
        return sync_factors(ctx, data_source=params["data_source"], fallback=params["fallback"],
                            days=params["days"], symbols=params["symbols"], with_events=params["with_events"],
                            event_periods=params["event_periods"])
    finally:
        _finish_baostock()


@job("sync_financial_statements", queue="fetch", params=[
    Param("data_source", "str", "akshare", choices=SOURCES),
    Param("report_types", "list", list(REPORT_TYPES), choices=REPORT_TYPES),
    Param("symbols", "list", [], help=_("only these stocks, one request set each (default: whole market by period)")),
    Param("periods", "list", [], help=_("none = recent periods not yet complete; one = that period; two = a range")),
    Param("refresh_hours", "int", 20, help=_("an incomplete period is fetched again only after this many hours")),
    Param("fallback", "bool", True, help=_("try the other source when the first fails")),
])
def sync_financial_statements(ctx, **params):
    """Balance sheets, income statements and cash-flow statements.

    By default one whole-market table per statement type and report period (see ``statements``);
    with ``symbols``, each stock's whole history. baostock publishes ratios, not statements: with
    data_source baostock the rows come from akshare when ``fallback`` is on, and the run fails saying
    so when it is off."""
    if not 1 <= params["refresh_hours"] <= 24 * 31:
        raise ValueError("refresh_hours: between 1 and 744")
    if params["symbols"] or (params["data_source"] == "baostock" and not params["fallback"]):
        return sync_statements(ctx, data_source=params["data_source"], fallback=params["fallback"],
                               report_types=params["report_types"], symbols=params["symbols"])
    return sync_statements_by_period(ctx, report_types=params["report_types"], periods=params["periods"],
                                     refresh_hours=params["refresh_hours"])


@job("fetch_realtime_market_data", queue="fetch", params=[
    Param("fetch_stocks", "bool", True),
    Param("fetch_etfs", "bool", True),
])
def fetch_realtime_market_data(ctx, **params):
    """Spot quotes for all stocks and ETFs, stored as snapshots (akshare: baostock has no quotes)."""
    return fetch_realtime(ctx, fetch_stocks=params["fetch_stocks"], fetch_etfs=params["fetch_etfs"])


@job("fetch_longhubang_data", queue="fetch", params=[
    Param("data_source", "str", "akshare", choices=("akshare",)),
    Param("start_date", "date"),
    Param("end_date", "date"),
])
def fetch_longhubang_data(ctx, **params):
    """The dragon-tiger list (龙虎榜) for a date or range (default: the latest trading day)."""
    return fetch_dragon_tiger(ctx, start_date=params["start_date"], end_date=params["end_date"])


@job("fetch_capital_flow_data", queue="fetch", params=[
    Param("data_source", "str", "akshare", choices=("akshare",)),
    Param("flow_types", "list", list(FLOW_TYPES), choices=FLOW_TYPES),
])
def fetch_capital_flow_data(ctx, **params):
    """Capital flow for stocks, sectors and concepts."""
    return fetch_capital_flow(ctx, flow_types=params["flow_types"])


@job("sync_trade_calendar", queue="fetch", params=[
    Param("data_source", "str", "baostock", choices=SOURCES),
    Param("fallback", "bool", True, help=_("try the other source when the first fails")),
    Param("start_date", "date"),
    Param("end_date", "date"),
])
def sync_trade_calendar(ctx, **params):
    """Refresh the A-share trading days from a provider (default range: last year … end of this year)."""
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
    Param("adjust", "str", "qfq", choices=PRICE_ADJUSTS, help=PRICE_ADJUST_HELP),
])
def calculate_technical_indicators(ctx, **params):
    """Technical indicators (TongDaXin conventions) for all stocks, vectorised."""
    return calculate(ctx, indicators_wanted=params["indicators"], periods=params["periods"],
                     symbols=params["symbols"], full_recompute=params["full_recompute"], adjust=params["adjust"])


@job("calculate_strategy_signals", queue="compute", params=[
    Param("strategies", "list", ["ma_crossover", "macd_divergence", "kdj_overbought"], choices=STRATEGIES),
    Param("screens", "list", [], help=SCREEN_HELP),
    Param("trade_date", "date"),
    Param("adjust", "str", "qfq", choices=PRICE_ADJUSTS, help=PRICE_ADJUST_HELP),
])
def calculate_strategy_signals(ctx, **params):
    """Strategy and indicator-screen signals for the latest (or a given) trading day."""
    return calculate_signals(ctx, strategy_names=params["strategies"] + params["screens"],
                             trade_date=params["trade_date"], adjust=params["adjust"])


@job("backfill_strategy_signals", queue="compute", params=[
    Param("strategies", "list", ["ma_crossover", "macd_divergence", "kdj_overbought"], choices=STRATEGIES),
    Param("screens", "list", [], help=SCREEN_HELP),
    Param("start_date", "date", help=_("first day (required)")),
    Param("end_date", "date", help=_("last day (default: the latest trading day)")),
    Param("adjust", "str", "qfq", choices=PRICE_ADJUSTS, help=PRICE_ADJUST_HELP),
])
def backfill_strategy_signals(ctx, **params):
    """Strategy and screen signals on every trading day of a range (history for follow-up returns)."""
    return backfill_signals(ctx, strategy_names=params["strategies"] + params["screens"],
                            start_date=params["start_date"], end_date=params["end_date"], adjust=params["adjust"])


@job("run_backtest", queue="compute", params=[
    Param("strategy_id", "str", "", help=_("one of the strategies; required to run")),
    Param("start_date", "date"),
    Param("end_date", "date"),
    Param("initial_capital", "float", 1_000_000.0),
    Param("symbols", "list", []),
    Param("max_positions", "int", 10),
    Param("adjust", "str", "qfq", choices=PRICE_ADJUSTS,
          help=_("prices the strategy sees; fills are always at real prices, "
                 "with dividends, bonus and rights shares credited")),
])
def run_backtest(ctx, **params):
    """Backtest a strategy over a date range with A-share trading rules (see ``backtest``)."""
    return backtest(ctx, strategy_id=params["strategy_id"], start_date=params["start_date"],
                    end_date=params["end_date"], initial_capital=params["initial_capital"],
                    symbols=params["symbols"], max_positions=params["max_positions"], adjust=params["adjust"])


@job("detect_patterns", queue="compute", params=[
    Param("patterns", "list", list(PATTERNS), choices=tuple(PATTERNS),
          help=_("TA-Lib CDL functions (default: all 61)")),
    Param("periods", "list", ["daily"], choices=PERIODS),
    Param("symbols", "list", [], help=_("only these codes (default: all)")),
    Param("start_date", "date", help=_("first day to detect (default: the last day detected, redone)")),
    Param("adjust", "str", "qfq", choices=PRICE_ADJUSTS, help=PRICE_ADJUST_HELP),
])
def detect_patterns(ctx, **params):
    """Candlestick patterns (TA-Lib) for all stocks, stored as (code, date, pattern, ±100/±200)."""
    return detect_and_store(ctx, names=params["patterns"], periods=params["periods"], symbols=params["symbols"],
                            start_date=params["start_date"], adjust=params["adjust"])


@job("compute_signal_returns", queue="compute", params=[
    Param("strategies", "list", [], help=_("only these strategies or screens (default: every stored signal)")),
    Param("bases", "list", ["close"], choices=tuple(ReturnBasis.values),
          help=_("entry at the signal day's close and/or the next day's open")),
    Param("adjust", "str", "qfq", choices=PRICE_ADJUSTS, help=PRICE_ADJUST_HELP),
])
def compute_signal_returns(ctx, **params):
    """Returns 1, 3, 5, 10, 20 and 60 trading days after every stored signal, as new bars arrive."""
    return compute_and_store(ctx, strategy_names=params["strategies"], bases=params["bases"], adjust=params["adjust"])


@job("cleanup_cache_data", queue="default", params=[
    Param("retention_days", "int", 30),
    Param("cleanup_paths", "list", [], check=path_problem,
          help=_("folders under the cache roots (MYSTOCKS_CACHE_ROOT, MYSTOCKS_CACHE_ROOTS)")),
])
def cleanup_cache_data(ctx, **params):
    """Delete cache files older than retention_days under the configured cache root (executions: retention)."""
    return cleanup(ctx, retention_days=params["retention_days"], cleanup_paths=params["cleanup_paths"])
