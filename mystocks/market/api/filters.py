"""Filters of /api/market/ lists (django-filter): each param typed and bounded."""
import django_filters as filters

from ..jobs import STRATEGIES
from ..models import IndicatorValue, Period, Stock, StrategySignal


class StockFilter(filters.FilterSet):
    q = filters.CharFilter(method="prefix", max_length=32, help_text="code or name prefix")
    industry = filters.CharFilter(max_length=128)
    exchange = filters.ChoiceFilter(choices=Stock._meta.get_field("exchange").choices)
    status = filters.ChoiceFilter(choices=Stock._meta.get_field("status").choices)

    class Meta:
        model = Stock
        fields = ["q", "industry", "exchange", "status"]

    def prefix(self, queryset, name, value):
        return queryset.filter(code__startswith=value) | queryset.filter(name__startswith=value)


class IndicatorFilter(filters.FilterSet):
    code = filters.CharFilter(max_length=8, required=True)
    period = filters.ChoiceFilter(choices=Period.choices)
    start = filters.DateFilter(field_name="date", lookup_expr="gte")
    end = filters.DateFilter(field_name="date", lookup_expr="lte")

    class Meta:
        model = IndicatorValue
        fields = ["code", "period", "start", "end"]


class SignalFilter(filters.FilterSet):
    strategy = filters.ChoiceFilter(choices=[(s, s) for s in STRATEGIES])
    code = filters.CharFilter(max_length=8)
    side = filters.ChoiceFilter(choices=[("buy", "buy"), ("sell", "sell")])
    date = filters.DateFilter()
    start = filters.DateFilter(field_name="date", lookup_expr="gte")
    end = filters.DateFilter(field_name="date", lookup_expr="lte")

    class Meta:
        model = StrategySignal
        fields = ["strategy", "code", "side", "date", "start", "end"]
