from django.urls import path

from . import backtests, coverage, signals, stocks

app_name = "market"

urlpatterns = [
    path("", coverage.coverage_page, name="coverage"),
    path("coverage/<str:dataset>/fill/", coverage.coverage_fill, name="coverage_fill"),
    path("stocks/", stocks.stock_search, name="stock_search"),
    path("stocks/<str:code>/", stocks.stock_detail, name="stock_detail"),
    path("stocks/<str:code>/chart.json", stocks.stock_chart, name="stock_chart"),
    path("signals/", signals.signal_list, name="signal_list"),
    path("signals/stats/", signals.signal_stats, name="signal_stats"),
    path("backtests/", backtests.backtest_list, name="backtest_list"),
    path("backtests/new/", backtests.backtest_new, name="backtest_new"),
    path("backtests/<int:pk>/", backtests.backtest_detail, name="backtest_detail"),
]
