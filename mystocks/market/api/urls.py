from django.urls import re_path

from tasks_app.api.exceptions import not_found
from tasks_app.api.urls import OptionalSlashRouter

from .views import BacktestViewSet, BarViewSet, CoverageViewSet, IndicatorViewSet, SignalViewSet, StockViewSet

router = OptionalSlashRouter()
router.register("stocks", StockViewSet, basename="market-stock")
router.register("bars", BarViewSet, basename="market-bar")
router.register("indicators", IndicatorViewSet, basename="market-indicator")
router.register("signals", SignalViewSet, basename="market-signal")
router.register("backtests", BacktestViewSet, basename="market-backtest")
router.register("coverage", CoverageViewSet, basename="market-coverage")

urlpatterns = [*router.urls, re_path(r"^[\s\S]*$", not_found)]
