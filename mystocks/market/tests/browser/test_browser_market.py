"""The Market data pages in a real browser: stock chart and its qfq toggle, gap fill, backtest form,
signals with their stored follow-up returns and the statistics chart."""
import pytest

from tasks_app.models import Status, TaskExecution
from tasks_app.testing import make_definition
from tasks_app.tests.browser.conftest import log_in, screenshot

from ...models import BacktestRun, IndicatorValue
from ..market_data import add_signal_return, add_signals, load_market, store_factor

pytestmark = pytest.mark.django_db(transaction=True)


def _chart_loaded(page, adjust):
    page.wait_for_selector(f'#stock-chart[data-loaded="{adjust}"]')
    return page.get_attribute("#stock-chart", "data-bars"), page.get_attribute("#stock-chart", "data-last-close")


def _first_close(page):
    return float(page.get_attribute("#stock-chart", "data-first-close"))


def test_open_a_stock_by_name_and_see_its_k_line_with_panes(page, ops_user):
    days = load_market(stocks=4, days=300)
    log_in(page)
    page.goto(page.base_url + "/market/")
    page.fill("#stock-find", "SMP002")
    page.press("#stock-find", "Enter")
    page.wait_for_url("**/market/stocks/SMP002/")
    bars, _ = _chart_loaded(page, "qfq")
    assert int(bars) == len(days)
    assert page.locator("#stock-chart canvas").count() > 0 and page.locator("#pane-macd canvas").count() > 0
    page.click('#adjust-toggle [data-adjust="none"]')
    bars_none, last_close = _chart_loaded(page, "none")
    assert int(bars_none) == len(days) and float(last_close) > 0
    screenshot(page, "market_stock_chart")


def test_toggle_qfq_and_see_the_chart_change(page, ops_user):
    days = load_market(stocks=2, days=200)
    store_factor("SMP001", days[0], 1.0)
    store_factor("SMP001", days[100], 1.5)
    log_in(page)
    page.goto(page.base_url + "/market/stocks/SMP001/")
    _, qfq_last = _chart_loaded(page, "qfq")
    qfq_first = _first_close(page)
    page.click('#adjust-toggle [data-adjust="none"]')
    _, raw_last = _chart_loaded(page, "none")
    raw_first = _first_close(page)
    # Before the ex-date qfq prices are raw / 1.5; after it both are the raw price.
    assert qfq_first == pytest.approx(raw_first / 1.5, abs=0.01) and float(qfq_last) == pytest.approx(float(raw_last))
    page.click('#adjust-toggle [data-adjust="qfq"]')
    _chart_loaded(page, "qfq")
    assert _first_close(page) == pytest.approx(qfq_first) and page.inner_text("#chart-status") == ""
    screenshot(page, "market_stock_chart_qfq")


def test_open_coverage_start_a_gap_fill_and_watch_it_finish(page, ops_user, start_worker):
    load_market(stocks=3, days=120)
    make_definition("calculate_technical_indicators", task_id="calc_technical_indicators")
    start_worker()
    log_in(page)
    page.goto(page.base_url + "/market/?days=20")
    row = page.locator('tr[data-dataset="indicators:daily"]')
    assert row.locator(".missing-count").inner_text().strip() == "20"
    screenshot(page, "market_coverage_before")
    row.locator("button.fill-gaps").click()
    page.wait_for_url("**/executions/*/")
    page.wait_for_selector('#execution-live[data-status="success"]', timeout=60_000)
    assert IndicatorValue.objects.filter(period="daily").count() == 3 * 120
    page.goto(page.base_url + "/market/?days=20")
    assert page.locator('tr[data-dataset="indicators:daily"] .missing-count').inner_text().strip() == "0"
    screenshot(page, "market_coverage_after")


def test_run_a_backtest_from_its_form_and_see_its_equity_curve(page, ops_user, start_worker):
    days = load_market(stocks=6, days=300)
    make_definition("run_backtest", task_id="run_strategy_backtest")
    start_worker()
    log_in(page)
    page.goto(page.base_url + "/market/backtests/new/")
    page.select_option("#id_strategy_id", "ma_crossover")
    page.fill("#id_start_date", days[-200].isoformat())
    page.fill("#id_end_date", days[-1].isoformat())
    page.click("#backtest-form button[type=submit]")
    page.wait_for_url("**/executions/*/")
    page.wait_for_selector('#execution-live[data-status="success"]', timeout=60_000)
    execution = TaskExecution.objects.get(task__task_id="run_strategy_backtest")
    assert execution.status == Status.SUCCESS
    run = BacktestRun.objects.get(pk=execution.result["backtest_id"])
    page.goto(page.base_url + f"/market/backtests/{run.pk}/")
    page.wait_for_selector('#equity-chart[data-points="200"]')
    assert page.locator("#equity-chart canvas").count() > 0 and page.locator("#drawdown-chart canvas").count() > 0
    screenshot(page, "market_backtest_detail")


def test_signals_show_the_stored_follow_up_and_the_statistics_chart_draws_it(page, ops_user):
    days = load_market(stocks=3, days=120)
    day = days[-30]
    add_signals("turtle_trade", day, ["SMP001", "SMP002"])
    add_signal_return("turtle_trade", "SMP001", day, ret_1=4.5, ret_3=-1.25, ret_5=2.0, ret_10=3.0, ret_20=6.0)
    make_definition("compute_signal_returns", task_id="calc_signal_returns")
    log_in(page)
    page.goto(page.base_url + "/market/signals/?strategy=turtle_trade")
    computed = page.locator('#signal-table tr[data-code="SMP001"] td')
    assert [computed.nth(i).inner_text() for i in range(4, 9)] == ["+4.50%", "-1.25%", "+2.00%", "+3.00%", "+6.00%"]
    assert "not-reached" in computed.nth(9).get_attribute("class")
    assert page.locator('#signal-table tr[data-code="SMP002"] .not-computed').count() == 1
    assert "calc_signal_returns" in page.inner_text("#follow-up-pending")
    screenshot(page, "market_signals_follow_up")
    page.goto(page.base_url + f"/market/signals/stats/?strategy=turtle_trade&start={days[-40]}&end={days[-1]}")
    page.wait_for_function("window.Chart && window.Chart.getChart(document.getElementById('stats-chart'))")
    drawn = page.evaluate("Chart.getChart(document.getElementById('stats-chart')).data.datasets.map(d => d.data)")
    assert drawn[0][:2] == [100, 0] and drawn[1][:2] == [4.5, -1.25]  # hit rate and mean, in percent as stored
    screenshot(page, "market_signal_stats")
