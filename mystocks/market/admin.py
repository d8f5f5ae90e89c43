"""Read-mostly admin for the market tables: rows come from jobs, so search and filters matter most."""
from django.contrib import admin

from .models import (
    BacktestRun,
    BacktestTrade,
    CapitalFlow,
    DailyBar,
    DragonTigerEntry,
    FinancialStatement,
    IndicatorBasis,
    IndicatorValue,
    PatternHit,
    RealtimeSnapshot,
    SignalReturn,
    Stock,
    StrategySignal,
)


@admin.register(Stock)
class StockAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "exchange", "industry", "list_date", "status", "source", "updated_at")
    list_filter = ("exchange", "status", "source")
    search_fields = ("code", "name", "industry")


@admin.register(DailyBar)
class DailyBarAdmin(admin.ModelAdmin):
    list_display = ("code", "date", "adjust", "open", "high", "low", "close", "volume", "amount", "turnover", "source")
    list_filter = ("adjust", "source")
    search_fields = ("code",)
    date_hierarchy = "date"
    show_full_result_count = False  # COUNT(*) over millions of bars on every changelist page is slow


@admin.register(FinancialStatement)
class FinancialStatementAdmin(admin.ModelAdmin):
    list_display = ("code", "report_date", "statement_type", "report_name", "headline", "notice_date", "source")
    list_filter = ("statement_type", "source")
    search_fields = ("code",)
    date_hierarchy = "report_date"


@admin.register(RealtimeSnapshot)
class RealtimeSnapshotAdmin(admin.ModelAdmin):
    list_display = ("security_type", "code", "name", "snapshot_at", "price", "pct_change", "volume", "amount")
    list_filter = ("security_type",)
    search_fields = ("code", "name")
    date_hierarchy = "snapshot_at"
    show_full_result_count = False


@admin.register(DragonTigerEntry)
class DragonTigerEntryAdmin(admin.ModelAdmin):
    list_display = ("trade_date", "code", "name", "reason", "close", "pct_change", "net_buy", "deal_amount")
    search_fields = ("code", "name", "reason")
    date_hierarchy = "trade_date"


@admin.register(CapitalFlow)
class CapitalFlowAdmin(admin.ModelAdmin):
    list_display = ("trade_date", "flow_type", "code", "name", "main_net", "main_ratio", "pct_change")
    list_filter = ("flow_type",)
    search_fields = ("code", "name")
    date_hierarchy = "trade_date"


@admin.register(IndicatorValue)
class IndicatorValueAdmin(admin.ModelAdmin):
    list_display = ("code", "date", "period", "ma5", "ma20", "macd_dif", "macd_dea", "macd_bar", "kdj_k",
                    "kdj_d", "kdj_j", "rsi6", "boll_mid")
    list_filter = ("period",)
    search_fields = ("code",)
    date_hierarchy = "date"
    show_full_result_count = False


@admin.register(StrategySignal)
class StrategySignalAdmin(admin.ModelAdmin):
    list_display = ("date", "strategy", "code", "side", "close")
    list_filter = ("strategy", "side")
    search_fields = ("code",)
    date_hierarchy = "date"


@admin.register(SignalReturn)
class SignalReturnAdmin(admin.ModelAdmin):
    list_display = ("date", "strategy", "code", "side", "basis", "entry_price", "ret_1", "ret_5", "ret_20", "ret_60",
                    "complete")
    list_filter = ("basis", "side", "complete", "strategy")
    search_fields = ("code", "strategy")
    date_hierarchy = "date"
    show_full_result_count = False


@admin.register(PatternHit)
class PatternHitAdmin(admin.ModelAdmin):
    list_display = ("date", "code", "period", "pattern", "value")
    list_filter = ("period", "pattern")
    search_fields = ("code", "pattern")
    date_hierarchy = "date"
    show_full_result_count = False


class BacktestTradeInline(admin.TabularInline):
    model = BacktestTrade
    extra = 0
    can_delete = False
    readonly_fields = ("seq", "date", "code", "side", "price", "shares", "amount", "commission", "stamp_duty",
                       "transfer_fee", "pnl")


@admin.register(BacktestRun)
class BacktestRunAdmin(admin.ModelAdmin):
    list_display = ("strategy_id", "start_date", "end_date", "initial_capital", "total_return", "annual_return",
                    "max_drawdown", "sharpe", "win_rate", "trade_count", "updated_at")
    list_filter = ("strategy_id",)
    inlines = [BacktestTradeInline]
    readonly_fields = ("run_key", "execution_id", "equity_curve", "metrics")


@admin.register(IndicatorBasis)
class IndicatorBasisAdmin(admin.ModelAdmin):
    list_display = ("code", "period", "adjust", "factor_digest", "updated_at")
    list_filter = ("period", "adjust")
    search_fields = ("code",)
