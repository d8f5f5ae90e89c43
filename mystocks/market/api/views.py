"""/api/market/ viewsets: read-only, login required (viewer and up), JSON or CSV where it helps."""
import datetime

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.renderers import BrowsableAPIRenderer, JSONRenderer
from rest_framework.response import Response

from tasks_app.api.base import ApiViewMixin, int_param
from tasks_app.api.pagination import CappedCountPagination

from ..compute import load_bars
from ..models import BacktestRun, IndicatorValue, ReturnBasis, Stock, StrategySignal
from ..reads.backtests import detail
from ..reads.coverage import MAX_WINDOW_DAYS, overview
from ..reads.signals import not_computed, stored_follow_ups
from . import serializers as s
from .filters import IndicatorFilter, SignalFilter, StockFilter
from .renderers import CSVRenderer, FastJSONRenderer

BAR_ADJUSTS = ("none", "qfq", "hfq")


class ReadOnlyMixin(ApiViewMixin):
    permission_model = Stock
    pagination_class = CappedCountPagination


class StockViewSet(ReadOnlyMixin, viewsets.ReadOnlyModelViewSet):
    """Stocks: code, name, exchange, industry, listing dates. Filter with ``q`` (code or name prefix)."""

    queryset = Stock.objects.order_by("code")
    serializer_class = s.StockSerializer
    filterset_class = StockFilter
    lookup_field = "code"
    lookup_value_regex = r"[A-Za-z0-9]{1,8}"


def _date(params, name):
    raw = params.get(name)
    if not raw:
        return None
    try:
        return datetime.date.fromisoformat(raw)
    except ValueError:
        raise ValidationError({name: [f"must be a date YYYY-MM-DD, got {raw[:20]!r}"]}) from None


class BarViewSet(ReadOnlyMixin, viewsets.ViewSet):
    renderer_classes = [FastJSONRenderer, BrowsableAPIRenderer, CSVRenderer]

    @extend_schema(
        summary="Daily bars of one stock",
        description="Bars of ``code`` from ``start`` to ``end`` (default: everything stored), unadjusted or "
                    "adjusted on read (``qfq`` forward from the latest factor, ``hfq`` back). "
                    "``?format=csv`` downloads them.",
        parameters=[
            OpenApiParameter("code", OpenApiTypes.STR, required=True, description="six-digit code"),
            OpenApiParameter("start", OpenApiTypes.DATE), OpenApiParameter("end", OpenApiTypes.DATE),
            OpenApiParameter("adjust", OpenApiTypes.STR, enum=list(BAR_ADJUSTS), default="qfq"),
        ],
        responses=s.BarsSerializer,
    )
    def list(self, request):
        code, adjust = request.query_params.get("code", ""), request.query_params.get("adjust", "qfq")
        if not code or len(code) > 8 or not code.isalnum():
            raise ValidationError({"code": ["required: a stock code of at most 8 letters or digits"]})
        if adjust not in BAR_ADJUSTS:
            raise ValidationError({"adjust": [f"must be one of {', '.join(BAR_ADJUSTS)}"]})
        start, end = _date(request.query_params, "start"), _date(request.query_params, "end")
        if start and end and end < start:
            raise ValidationError({"end": ["must not be before start"]})
        bars = load_bars(adjust=adjust, codes=[code], since=start, until=end)
        rows = _records(bars)
        if request.accepted_renderer.format == "csv":
            return Response(rows)
        return Response({"code": code, "adjust": adjust, "count": len(rows), "results": rows})


def _records(bars):
    """Bars as dicts, built from plain lists: ``DataFrame.to_dict`` costs more than the query here."""
    names = ["code", "date", "open", "high", "low", "close", "volume", "pre_close"]
    columns = [bars["code"].tolist(), [d.isoformat() for d in bars["date"]]]
    columns += [[None if v != v else v for v in bars[k].tolist()] for k in names[2:]]
    return [dict(zip(names, row)) for row in zip(*columns)]


class IndicatorViewSet(ReadOnlyMixin, viewsets.ReadOnlyModelViewSet):
    """Stored technical indicators of one stock (``code`` required), per period and date range."""

    queryset = IndicatorValue.objects.order_by("date")
    serializer_class = s.IndicatorSerializer
    filterset_class = IndicatorFilter


BASIS_PARAMETER = OpenApiParameter(
    "basis", OpenApiTypes.STR, enum=list(ReturnBasis.values), default=ReturnBasis.CLOSE,
    description="entry of the follow-up returns: the signal day's close or the next day's open")


def _basis(params):
    basis = params.get("basis") or ReturnBasis.CLOSE
    if basis not in ReturnBasis.values:
        raise ValidationError({"basis": [f"must be one of {', '.join(ReturnBasis.values)}"]})
    return basis


@extend_schema_view(list=extend_schema(parameters=[BASIS_PARAMETER]),
                    retrieve=extend_schema(parameters=[BASIS_PARAMETER]))
class SignalViewSet(ReadOnlyMixin, viewsets.ReadOnlyModelViewSet):
    """Strategy signals with their follow-up returns after 1…60 trading days, as the compute_signal_returns
    job stored them (``follow_up.computed`` false: not computed yet)."""

    queryset = StrategySignal.objects.order_by("-date", "strategy", "code")
    serializer_class = s.SignalSerializer
    filterset_class = SignalFilter
    renderer_classes = [JSONRenderer, BrowsableAPIRenderer, CSVRenderer]

    def get_serializer(self, *args, **kwargs):
        items = args[0] if args else None
        if items is not None:
            rows = list(items) if kwargs.get("many") else [items]
            basis = _basis(self.request.query_params)
            stored = stored_follow_ups([(r.strategy, r.code, r.date) for r in rows], basis=basis)
            for row in rows:
                row.follow_up = stored.get((row.strategy, row.code, row.date)) or not_computed(basis)
        return super().get_serializer(*args, **kwargs)


class BacktestViewSet(ReadOnlyMixin, viewsets.ReadOnlyModelViewSet):
    """Backtests with their metrics; one backtest with equity curve, benchmark, drawdown and trades."""

    queryset = BacktestRun.objects.order_by("-updated_at", "-id")
    lookup_value_regex = r"[0-9]{1,18}"

    def get_serializer_class(self):
        return s.BacktestDetailSerializer if self.action == "retrieve" else s.BacktestSerializer

    def get_queryset(self):
        if self.action == "list":
            return self.queryset.defer("equity_curve", "metrics")
        return self.queryset

    def retrieve(self, request, pk=None):
        run = get_object_or_404(BacktestRun, pk=pk)
        curves = detail(run)
        run.benchmark, run.drawdown = curves["benchmark"], curves["drawdown"]
        return Response(s.BacktestDetailSerializer(run).data)


class CoverageViewSet(ReadOnlyMixin, viewsets.ViewSet):
    pagination_class = None

    @extend_schema(
        summary="Data coverage per dataset",
        description="Stocks covered, first and last day, and per trading day of the last ``days`` the "
                    "stocks present, from the summary rows the jobs keep.",
        parameters=[OpenApiParameter("days", OpenApiTypes.INT, description=f"1…{MAX_WINDOW_DAYS}", default=60)],
        responses=s.CoverageSerializer(many=True),
    )
    def list(self, request):
        days = int_param(request.query_params, "days", default=60, minimum=1, maximum=MAX_WINDOW_DAYS)
        return Response([_coverage_row(item) for item in overview(days=days)])


def _coverage_row(item):
    task = item.task
    return {
        "dataset": item.key, "label": str(item.spec.label), "job": item.spec.job, "stocks": item.stocks,
        "first_date": item.first, "last_date": item.last, "missing_days": item.missing,
        "days": [{"date": c.date, "stocks": c.stocks, "share": c.share} for c in item.cells],
        "last_execution_id": getattr(task, "last_run_id", None), "last_status": getattr(task, "last_status", None),
        "last_failed_execution_id": getattr(task, "last_failed_id", None),
    }
