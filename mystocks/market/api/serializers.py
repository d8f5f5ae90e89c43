"""Shapes of /api/market/ responses (read-only)."""
from rest_framework import serializers

from ..models import BacktestRun, BacktestTrade, IndicatorValue, ReturnBasis, Stock, StrategySignal

NOT_REACHED = "% after N trading days; null: not reached when computed, or not computed"


class StockSerializer(serializers.ModelSerializer):
    class Meta:
        model = Stock
        fields = ["code", "name", "exchange", "industry", "list_date", "delist_date", "status", "source", "updated_at"]


class BarSerializer(serializers.Serializer):
    code = serializers.CharField()
    date = serializers.DateField()
    open = serializers.FloatField(allow_null=True)
    high = serializers.FloatField(allow_null=True)
    low = serializers.FloatField(allow_null=True)
    close = serializers.FloatField(allow_null=True)
    volume = serializers.FloatField(allow_null=True, help_text="shares")
    pre_close = serializers.FloatField(allow_null=True)


class BarsSerializer(serializers.Serializer):
    code = serializers.CharField()
    adjust = serializers.CharField(help_text="adjustment asked for")
    count = serializers.IntegerField()
    results = BarSerializer(many=True)


class IndicatorSerializer(serializers.ModelSerializer):
    class Meta:
        model = IndicatorValue
        exclude = ["id"]


class FollowUpSerializer(serializers.Serializer):
    """A signal's follow-up returns as the compute_signal_returns job stored them (one row per basis),
    in percent: (close N trading days later / entry − 1) × 100 on the prices the job adjusted (qfq by default)."""

    basis = serializers.ChoiceField(choices=ReturnBasis.values,
                                    help_text="entry: the signal day's close or the next day's open")
    computed = serializers.BooleanField(help_text="false: not computed yet for this basis (every return null)")
    complete = serializers.BooleanField(help_text="every horizon reached")
    entry_date = serializers.DateField(allow_null=True)
    entry_price = serializers.FloatField(allow_null=True, help_text="adjusted, as computed")
    computed_at = serializers.DateTimeField(allow_null=True, help_text="when the row was last written")
    ret_1 = serializers.FloatField(allow_null=True, help_text=NOT_REACHED)
    ret_3 = serializers.FloatField(allow_null=True, help_text=NOT_REACHED)
    ret_5 = serializers.FloatField(allow_null=True, help_text=NOT_REACHED)
    ret_10 = serializers.FloatField(allow_null=True, help_text=NOT_REACHED)
    ret_20 = serializers.FloatField(allow_null=True, help_text=NOT_REACHED)
    ret_60 = serializers.FloatField(allow_null=True, help_text=NOT_REACHED)


class SignalSerializer(serializers.ModelSerializer):
    follow_up = FollowUpSerializer(help_text="stored returns after 1, 3, 5, 10, 20 and 60 trading days", read_only=True)

    class Meta:
        model = StrategySignal
        fields = ["strategy", "code", "date", "side", "close", "detail", "follow_up"]


class BacktestSerializer(serializers.ModelSerializer):
    execution_id = serializers.IntegerField(allow_null=True)

    class Meta:
        model = BacktestRun
        fields = ["id", "strategy_id", "start_date", "end_date", "initial_capital", "symbols", "final_equity",
                  "total_return", "annual_return", "max_drawdown", "sharpe", "win_rate", "trade_count",
                  "execution_id", "created_at", "updated_at"]


class TradeSerializer(serializers.ModelSerializer):
    class Meta:
        model = BacktestTrade
        fields = ["seq", "date", "code", "side", "price", "shares", "amount", "commission", "stamp_duty", "pnl"]


class BacktestDetailSerializer(BacktestSerializer):
    metrics = serializers.DictField()
    equity_curve = serializers.ListField(child=serializers.ListField(), help_text="[[date, equity], …]")
    benchmark = serializers.ListField(child=serializers.ListField(), help_text="equal-weight market, [[date, index]]")
    drawdown = serializers.ListField(child=serializers.ListField(), help_text="[[date, drawdown ≤ 0]]")
    trades = TradeSerializer(many=True)

    class Meta(BacktestSerializer.Meta):
        fields = BacktestSerializer.Meta.fields + ["metrics", "equity_curve", "benchmark", "drawdown", "trades"]


class CoverageDaySerializer(serializers.Serializer):
    date = serializers.DateField()
    stocks = serializers.IntegerField()
    share = serializers.FloatField(allow_null=True, help_text="stocks present / listed; null = nothing recorded")


class CoverageSerializer(serializers.Serializer):
    dataset = serializers.CharField()
    label = serializers.CharField()
    job = serializers.CharField()
    stocks = serializers.IntegerField()
    first_date = serializers.DateField(allow_null=True)
    last_date = serializers.DateField(allow_null=True)
    missing_days = serializers.ListField(child=serializers.DateField())
    days = CoverageDaySerializer(many=True)
    last_execution_id = serializers.IntegerField(allow_null=True)
    last_status = serializers.CharField(allow_null=True)
    last_failed_execution_id = serializers.IntegerField(allow_null=True, help_text="newest failed or timed-out run")
