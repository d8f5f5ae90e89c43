"""The Market data pages on the sample market: coverage and gap fill, stock page, signals, backtests."""
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tasks_app.api.testing import make_user
from tasks_app.models import Status, TaskExecution
from tasks_app.testing import make_definition, run_job_inline

from .. import coverage, followup
from ..models import RETURN_HORIZONS, CoverageDay, DailyBar, FinancialStatement, SignalReturn
from .market_data import add_backtest, add_signal_return, add_signals, backfill_tasks, load_market

pytestmark = pytest.mark.django_db


@pytest.fixture
def viewer_client(client):
    client.force_login(make_user("viewer"))
    return client


@pytest.fixture
def operator_client(client):
    client.force_login(make_user("operator"))
    return client


@pytest.fixture
def days():
    return load_market()


def _row(response, key):
    return next(d for d in response.context["datasets"] if d.key == key)


def test_coverage_counts_every_stock_on_every_loaded_day(viewer_client, days):
    response = viewer_client.get(reverse("market:coverage"), {"days": 60})
    assert response.status_code == 200
    bars = _row(response, "bars:none")
    assert (bars.stocks, bars.first, bars.last) == (6, days[0], days[-1])
    assert bars.missing == [] and all(c.share == 1.0 for c in bars.cells)
    assert _row(response, "bars:hfq").stocks == 0


def test_a_stock_missing_on_a_day_shows_as_a_partial_day(viewer_client, days):
    gap = days[-10]
    DailyBar.objects.filter(code="SMP003", date=gap).delete()
    coverage.record(dataset="bars:none", dates=[gap])
    bars = _row(viewer_client.get(reverse("market:coverage")), "bars:none")
    assert bars.missing == [gap]
    cell = next(c for c in bars.cells if c.date == gap)
    assert cell.stocks == 5 and cell.share == pytest.approx(5 / 6)
    assert CoverageDay.objects.get(dataset="bars:none", date=gap).rows == 5


def test_fill_the_gaps_starts_the_bar_job_for_exactly_the_missing_days_and_stocks(operator_client, days):
    tasks = backfill_tasks()
    DailyBar.objects.filter(code="SMP002", date__in=[days[-3], days[-5]]).delete()
    DailyBar.objects.filter(code="SMP004", date=days[-5]).delete()
    coverage.record(dataset="bars:none", dates=[days[-3], days[-5]])
    response = operator_client.post(reverse("market:coverage_fill", args=["bars:none"]), {"days": 60})
    execution = TaskExecution.objects.get(task=tasks["bars"])
    assert response.status_code == 302
    assert response.url == reverse("pages:execution_detail", args=[execution.pk])
    assert execution.params["dates"] == [days[-5].isoformat(), days[-3].isoformat()]
    assert execution.params["symbols"] == ["SMP002", "SMP004"]
    assert execution.params["include_basic"] is False


def test_fill_the_gaps_with_nothing_missing_starts_nothing_and_says_why(operator_client, days):
    backfill_tasks()
    response = operator_client.post(reverse("market:coverage_fill", args=["bars:none"]), follow=True)
    assert not TaskExecution.objects.exists()
    assert "nothing missing" in response.content.decode()


def test_a_viewer_may_read_coverage_but_not_fill_gaps(viewer_client, days):
    backfill_tasks()
    assert viewer_client.post(reverse("market:coverage_fill", args=["bars:none"])).status_code == 403
    assert not TaskExecution.objects.exists()


def test_stock_search_by_code_or_name_prefix(viewer_client, days):
    one = viewer_client.get(reverse("market:stock_search"), {"q": "SMP004"})
    assert one.status_code == 302 and one.url == reverse("market:stock_detail", args=["SMP004"])
    many = viewer_client.get(reverse("market:stock_search"), {"q": "样例股票 00"})
    assert [s.code for s in many.context["stocks"]] == ["SMP001", "SMP002", "SMP003", "SMP004", "SMP005", "SMP006"]


def test_stock_page_and_its_chart_data_with_indicators_and_signals(viewer_client, days):
    add_signals("ma_crossover", days[-20], ["SMP001"])
    page = viewer_client.get(reverse("market:stock_detail", args=["SMP001"]))
    assert page.status_code == 200 and "lightweight-charts" in page.content.decode()
    data = viewer_client.get(reverse("market:stock_chart", args=["SMP001"]), {"adjust": "none"}).json()
    assert len(data["bars"]) == len(days) and data["adjust"] == "none" and "adjust_used" not in data
    last = DailyBar.objects.get(code="SMP001", date=days[-1])
    assert data["bars"][-1][:5] == [days[-1].isoformat(), last.open, last.high, last.low, last.close]
    closes = [b[4] for b in data["bars"]]
    assert data["indicators"]["ma5"][-1] == pytest.approx(sum(closes[-5:]) / 5, abs=1e-3)
    assert data["indicators"]["ma5"][3] is None
    assert {"macd_dif", "kdj_k", "rsi6", "boll_upper"} <= set(data["indicators"])
    assert data["signals"] == [{"date": days[-20].isoformat(), "strategy": "ma_crossover", "side": "buy"}]


def test_chart_refuses_an_unknown_adjustment(viewer_client, days):
    response = viewer_client.get(reverse("market:stock_chart", args=["SMP001"]), {"adjust": "xfq"})
    assert response.status_code == 400 and "adjust" in response.json()["errors"]


def test_qfq_chart_of_a_stock_without_factors_shows_its_unadjusted_prices_as_qfq(viewer_client, days):
    chart = reverse("market:stock_chart", args=["SMP002"])
    qfq, raw = (viewer_client.get(chart, {"adjust": a}).json() for a in ("qfq", "none"))
    assert qfq["adjust"] == "qfq" and qfq["bars"] == raw["bars"]  # factor 1.0: nothing to adjust, no fallback


def _signals_page(client, **params):
    return client.get(reverse("market:signal_list"), {"strategy": "kdj_overbought", **params},
                      HTTP_ACCEPT_LANGUAGE="en")


def test_signals_page_shows_the_stored_returns_exactly(viewer_client, days):
    day = days[-10]
    add_signals("kdj_overbought", day, ["SMP002", "SMP005"])
    add_signal_return("kdj_overbought", "SMP005", day, ret_1=12.3456, ret_3=-0.5, ret_5=3.0)
    response = _signals_page(viewer_client)
    assert response.context["day"] == day
    rows = {r["code"]: r for r in response.context["rows"]}
    stored = rows["SMP005"]["follow_up"]
    assert stored["computed"] and (stored["ret_1"], stored["ret_3"], stored["ret_5"]) == (12.3456, -0.5, 3.0)
    assert stored["ret_10"] is None and stored["ret_60"] is None  # not reached when the job computed them
    cells = rows["SMP005"]["cells"]
    assert cells[:3] == [("up", "+12.35%"), ("down", "-0.50%"), ("up", "+3.00%")]
    assert [text for _, text in cells[3:]] == ["not reached"] * 3
    assert rows["SMP002"]["follow_up"]["computed"] is False and rows["SMP002"]["cells"] is None
    page = response.content.decode()
    assert "+12.35%" in page and "not reached" in page and "not computed yet" in page
    chinese = viewer_client.get(reverse("market:signal_list"), {"strategy": "kdj_overbought"},
                                HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "未到期" in chinese and "尚未计算" in chinese


def test_signals_not_computed_yet_link_the_newest_run_of_the_follow_up_job(viewer_client, days):
    day = days[-5]
    add_signals("kdj_overbought", day, ["SMP001", "SMP003"])
    task = make_definition("compute_signal_returns", task_id="calc_signal_returns")
    response = _signals_page(viewer_client)
    assert response.context["not_computed"] == 2
    assert "calc_signal_returns" in response.content.decode() and "has never run" in response.content.decode()
    TaskExecution.objects.create(task=task, status="failed", trigger="schedule")
    newest = TaskExecution.objects.create(task=task, status="success", trigger="schedule")
    page = _signals_page(viewer_client).content.decode()
    assert 'id="follow-up-pending"' in page and reverse("pages:execution_detail", args=[newest.pk]) in page
    add_signal_return("kdj_overbought", "SMP001", day, ret_1=1.0)
    add_signal_return("kdj_overbought", "SMP003", day, ret_1=-1.0)
    done = _signals_page(viewer_client)
    assert done.context["not_computed"] == 0 and 'id="follow-up-pending"' not in done.content.decode()


def test_the_entry_basis_picks_the_stored_row_of_that_basis(viewer_client, days):
    day = days[-20]
    add_signals("kdj_overbought", day, ["SMP004"])
    add_signal_return("kdj_overbought", "SMP004", day, basis="next_open", ret_1=-7.25)
    at_close = _signals_page(viewer_client)
    assert at_close.context["rows"][0]["follow_up"]["computed"] is False
    at_open = _signals_page(viewer_client, basis="next_open")
    assert at_open.context["rows"][0]["follow_up"]["ret_1"] == -7.25 and "next trading day" in at_open.content.decode()
    bad = _signals_page(viewer_client, basis="tomorrow")
    assert bad.context["rows"] == [] and "basis" in bad.context["form"].errors


def test_signals_page_queries_do_not_grow_with_its_rows(viewer_client, days):
    few, many = days[-30], days[-31]
    add_signals("kdj_overbought", few, ["SMP001"])
    add_signals("kdj_overbought", many, ["SMP001", "SMP002", "SMP003", "SMP004", "SMP005", "SMP006"])
    for code in ("SMP001", "SMP002", "SMP003"):
        add_signal_return("kdj_overbought", code, many, ret_1=2.0)
    counts = []
    for day in (few, many):
        with CaptureQueriesContext(connection) as queries:
            assert _signals_page(viewer_client, date=day.isoformat()).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


@pytest.mark.django_db(transaction=True)
def test_signals_page_and_statistics_show_what_the_follow_up_job_stored(client, days):
    client.force_login(make_user(superuser=True))  # the role groups may be flushed by an earlier transactional test
    day = days[-70]
    add_signals("kdj_overbought", day, ["SMP002", "SMP005"])
    assert run_job_inline("compute_signal_returns", {"bases": ["close", "next_open"]}).status == Status.SUCCESS
    rows = {r["code"]: r for r in _signals_page(client).context["rows"]}
    closes = list(DailyBar.objects.filter(code="SMP005", date__gte=day).order_by("date")
                  .values_list("close", flat=True))
    stored = SignalReturn.objects.get(code="SMP005", basis="close")
    for h in RETURN_HORIZONS:
        assert rows["SMP005"]["follow_up"][f"ret_{h}"] == getattr(stored, f"ret_{h}")
        assert getattr(stored, f"ret_{h}") == pytest.approx((closes[h] / closes[0] - 1) * 100)
    stats = client.get(reverse("market:signal_stats"), {
        "strategy": "kdj_overbought", "start": day.isoformat(), "end": days[-1].isoformat()}).context["stats"]
    summary = {r["horizon"]: r for r in followup.summarize(strategy_names=["kdj_overbought"])}
    assert stats["horizons"][20]["mean"] == summary[20]["mean"] and stats["horizons"][20]["count"] == 2


def _stats(client, **params):
    return client.get(reverse("market:signal_stats"), {"strategy": "turtle_trade", **params})


def test_strategy_statistics_are_the_stored_summaries(viewer_client, days):
    day = days[-30]
    add_signals("turtle_trade", day, ["SMP001", "SMP002", "SMP003"])
    add_signals("turtle_trade", days[-29], ["SMP004"])
    for code, ret in (("SMP001", 4.0), ("SMP002", -2.0), ("SMP003", 1.0)):
        add_signal_return("turtle_trade", code, day, ret_1=ret, ret_3=ret, ret_5=ret * 2, ret_10=ret, ret_20=ret)
    response = _stats(viewer_client, start=days[-40].isoformat(), end=days[-1].isoformat())
    stats = response.context["stats"]
    assert (stats["signals"], stats["not_computed"], stats["stored"], stats["capped"]) == (4, 1, 3, False)
    five = stats["horizons"][5]
    assert five["count"] == 3 and five["mean"] == pytest.approx(2.0) and five["median"] == 2.0
    assert five["hit_rate"] == pytest.approx(200 / 3) and five["not_reached"] == 0
    assert stats["horizons"][60]["count"] == 0 and stats["horizons"][60]["not_reached"] == 3
    assert stats["horizons"][60]["mean"] is None
    page = response.content.decode()
    assert "+2.00%" in page and "66.7%" in page and 'id="follow-up-pending"' in page
    sell = _stats(viewer_client, start=days[-40].isoformat(), end=days[-1].isoformat(), side="sell")
    assert sell.context["stats"]["signals"] == 0 and sell.context["stats"]["horizons"][5]["count"] == 0


def test_a_stored_infinity_does_not_break_the_pages(viewer_client, days):
    day = days[-30]
    add_signals("turtle_trade", day, ["SMP001"])
    add_signal_return("turtle_trade", "SMP001", day, ret_1=float("inf"), ret_3=float("nan"))
    listing = viewer_client.get(reverse("market:signal_list"), {"strategy": "turtle_trade"})
    assert listing.status_code == 200 and listing.context["rows"][0]["follow_up"]["ret_1"] is None
    stats = _stats(viewer_client, start=day.isoformat(), end=day.isoformat())
    assert stats.status_code == 200 and "Infinity" not in stats.content.decode() and "NaN" not in stats.content.decode()
    assert stats.context["stats"]["horizons"][1]["count"] == 0  # no number, so no return to average


def test_statistics_are_capped(viewer_client, days, monkeypatch):
    monkeypatch.setattr("mystocks.market.reads.signals.MAX_STATS_SIGNALS", 2)
    day = days[-30]
    add_signals("turtle_trade", day, ["SMP001", "SMP002", "SMP003"])
    for code, ret in (("SMP001", 4.0), ("SMP002", -2.0), ("SMP003", 100.0)):
        add_signal_return("turtle_trade", code, day, ret_1=ret)
    stats = _stats(viewer_client, start=day.isoformat(), end=day.isoformat()).context["stats"]
    assert stats["capped"] and stats["horizons"][1]["count"] == 2 and stats["horizons"][1]["mean"] == 1.0


def test_statistics_refuse_a_period_longer_than_a_year(viewer_client, days):
    response = viewer_client.get(reverse("market:signal_stats"), {
        "strategy": "turtle_trade", "start": "2020-01-01", "end": "2022-01-01"})
    assert response.context["stats"] is None and "end" in response.context["form"].errors


def test_backtest_list_and_detail_with_benchmark_drawdown_and_months(viewer_client, days):
    run = add_backtest(days[-60:])
    listing = viewer_client.get(reverse("market:backtest_list"))
    assert run in list(listing.context["page"])
    detail = viewer_client.get(reverse("market:backtest_detail", args=[run.pk]))
    curves = detail.context["curves"]
    assert len(curves["equity"]) == 60 and len(curves["benchmark"]) == 60
    assert all(d == 0 for _, d in curves["drawdown"])
    months = dict(detail.context["monthly"])
    assert sum(len(v) for v in months.values()) >= 3


def test_backtest_form_starts_run_backtest_with_its_params(operator_client, days):
    tasks = backfill_tasks()
    response = operator_client.post(reverse("market:backtest_new"), {
        "strategy_id": "ma_crossover", "start_date": days[-60].isoformat(), "end_date": days[-1].isoformat(),
        "initial_capital": "500000", "adjust": "none", "max_positions": "5"})
    execution = TaskExecution.objects.get(task=tasks["backtest"])
    assert response.url == reverse("pages:execution_detail", args=[execution.pk])
    assert execution.params["strategy_id"] == "ma_crossover" and execution.params["initial_capital"] == 500000
    assert execution.params["max_positions"] == 5


def test_backtest_form_names_the_bad_field(operator_client, days):
    backfill_tasks()
    response = operator_client.post(reverse("market:backtest_new"), {
        "strategy_id": "ma_crossover", "start_date": "2024-05-01", "end_date": "2024-01-01",
        "initial_capital": "500000", "adjust": "none", "max_positions": "5"})
    assert response.status_code == 400 and "end_date" in response.context["form"].errors
    assert not TaskExecution.objects.exists()


def test_prices_are_red_up_by_default_and_the_setting_flips_them(viewer_client, days, settings):
    page = viewer_client.get(reverse("market:coverage")).content.decode()
    assert "css/market-colors-red-up.css" in page and "<style" not in page  # no inline style (CSP)
    assert "--up: #d62728" in Path(finders.find("css/market-colors-red-up.css")).read_text()
    settings.MYSTOCKS_PRICE_COLORS = "green_up"
    assert "css/market-colors-green-up.css" in viewer_client.get(reverse("market:coverage")).content.decode()
    assert "--up: #1a9850" in Path(finders.find("css/market-colors-green-up.css")).read_text()


def test_coverage_links_the_newest_run_and_the_newest_failure_of_the_job(viewer_client, days):
    task = backfill_tasks()["bars"]
    failed = TaskExecution.objects.create(task=task, status="failed", trigger="schedule")
    newest = TaskExecution.objects.create(task=task, status="success", trigger="schedule")
    TaskExecution.objects.filter(pk=failed.pk).update(finished_at=failed.created_at)
    response = viewer_client.get(reverse("market:coverage"))
    bars = _row(response, "bars:none")
    assert (bars.task.last_run_id, bars.task.last_failed_id) == (newest.pk, failed.pk)
    assert reverse("pages:execution_detail", args=[failed.pk]) in response.content.decode()


def test_fill_the_gaps_of_a_strategy_runs_the_signal_job_once_per_missing_day(operator_client, days):
    task = make_definition("calculate_strategy_signals", task_id="calc_strategy_signals")
    for day in days[-10:-2]:
        coverage.record(dataset="signals:turtle_trade", dates=[day])
    operator_client.post(reverse("market:coverage_fill", args=["signals:turtle_trade"]), {"days": 10})
    runs = TaskExecution.objects.filter(task=task).order_by("pk")
    assert [r.params["trade_date"] for r in runs] == [days[-2].isoformat(), days[-1].isoformat()]
    assert all(r.params["strategies"] == ["turtle_trade"] for r in runs)


def test_fill_the_gaps_of_statements_asks_for_the_stocks_without_any(operator_client, days):
    task = make_definition("sync_financial_statements", task_id="sync_financial_data")
    FinancialStatement.objects.create(code="SMP001", report_date=days[0], statement_type="income_statement")
    coverage.record(dataset="statements:income_statement", codes=["SMP001"])
    operator_client.post(reverse("market:coverage_fill", args=["statements:income_statement"]))
    params = TaskExecution.objects.get(task=task).params
    assert params["symbols"] == ["SMP002", "SMP003", "SMP004", "SMP005", "SMP006"]
    assert params["report_types"] == ["income_statement"]


def test_datasets_no_job_can_backfill_offer_no_fill(operator_client, days):
    make_definition("fetch_realtime_market_data", task_id="hourly_realtime_data")
    page = operator_client.get(reverse("market:coverage")).content.decode()
    assert reverse("market:coverage_fill", args=["quotes:stock"]) not in page
    response = operator_client.post(reverse("market:coverage_fill", args=["quotes:stock"]), follow=True)
    assert not TaskExecution.objects.exists() and "nothing missing that a job can bring" in response.content.decode()


def test_running_a_backtest_follows_the_run_rule_staff_alone_grants_nothing(client, days):
    backfill_tasks()
    form = {"strategy_id": "ma_crossover", "start_date": days[-60].isoformat(), "end_date": days[-1].isoformat(),
            "initial_capital": "500000", "adjust": "none", "max_positions": "5"}
    for user in (make_user("viewer"), make_user(is_staff=True)):
        client.force_login(user)
        assert client.get(reverse("market:backtest_new")).status_code == 200
        assert client.post(reverse("market:backtest_new"), form).status_code == 403
    assert not TaskExecution.objects.exists()
    client.logout()
    for name in ("market:coverage", "market:backtest_list", "market:signal_list", "market:stock_search"):
        assert client.get(reverse(name)).status_code == 302  # reading needs a login
