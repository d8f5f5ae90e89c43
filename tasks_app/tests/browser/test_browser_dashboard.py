"""A new user logs in, reads the dashboard's real figures, sees it refresh itself and switches language."""
import pytest
from django.utils import timezone

from tasks_app.models import Status, TaskExecution
from tasks_app.testing import make_definition

from .conftest import log_in, screenshot

pytestmark = pytest.mark.django_db(transaction=True)


def _card(page, name):
    return page.inner_text(f'[data-stat="{name}"] .stat-value').strip()


def test_login_dashboard_figures_live_refresh_and_language_switch(page, ops_user):
    task = make_definition("noop", task_id="browser_dash", task_name="看板任务", schedule_type="cron",
                           cron_expression="0 16 * * 1-5")
    now = timezone.now()
    for status in (Status.SUCCESS, Status.SUCCESS, Status.SUCCESS, Status.FAILED):
        TaskExecution.objects.create(task=task, status=status, started_at=now, finished_at=now, duration=1,
                                     error="网络超时" if status == Status.FAILED else "")

    page.goto(page.base_url + "/tasks/")
    assert "/accounts/login/" in page.url  # not logged in: sent to the login form
    screenshot(page, "login")
    log_in(page)
    assert _card(page, "tasks") == "1"
    assert _card(page, "today") == "4"
    assert _card(page, "rate-today") == "75.0%"
    assert "网络超时" in page.inner_text("#dashboard-summary")
    assert "看板任务" in page.inner_text("#dashboard-summary")  # upcoming runs
    page.wait_for_function("() => window.Chart && Chart.getChart('daily-chart') !== undefined")
    page.wait_for_selector("#health .health-ok, #health .health-degraded, #health .health-down")
    screenshot(page, "dashboard_zh")

    # A new execution appears without reloading the page (htmx polls the summary).
    page.evaluate("window.__marker = 1")
    TaskExecution.objects.create(task=task, status=Status.SUCCESS, started_at=now, finished_at=now, duration=1)
    page.wait_for_function(
        "() => document.querySelector('[data-stat=\"today\"] .stat-value').textContent.trim() === '5'",
        timeout=12_000)
    assert page.evaluate("window.__marker") == 1

    page.click('button[data-lang="en"]')
    page.wait_for_selector("html[lang=en]")
    assert "Dashboard" in page.inner_text("nav.mainnav")
    assert "Executions today" in page.inner_text("#dashboard-summary")
    screenshot(page, "dashboard_en")
    page.click('button[data-lang="zh-hans"]')
    page.wait_for_selector("html[lang=zh-hans]")
    assert "仪表盘" in page.inner_text("nav.mainnav")
