"""Running and stopping a task from the pages, watched live while a real worker runs it."""
import pytest

from tasks_app.models import Status, TaskExecution
from tasks_app.testing import make_definition

from .conftest import log_in, screenshot

pytestmark = pytest.mark.django_db(transaction=True)


def _progress_text(page):
    return page.inner_text("#execution-live .progress-text") if page.is_visible("#execution-live .progress") else ""


def test_run_a_sleep_task_and_watch_progress_and_log_until_it_succeeds(page, ops_user, start_worker):
    make_definition("sleep", task_id="browser_sleep", task_name="睡一会", params={"seconds": 5})
    start_worker()
    log_in(page)
    page.goto(page.base_url + "/tasks/browser_sleep/")
    page.click(".page-head form[action$='/run/'] button")
    page.wait_for_url("**/executions/*/")
    page.wait_for_selector('#execution-live[data-status="running"]')
    seen_progress, seen_logs = set(), set()
    # The same page, never reloaded, shows the progress message and the log growing second by second.
    page.evaluate("window.__marker = 1")
    for _ in range(60):
        seen_progress.add(_progress_text(page))
        seen_logs.add(page.inner_text("#log-tail").count("slept"))
        if page.get_attribute("#execution-live", "data-status") != "running":
            break
        if len(seen_progress) == 3:
            screenshot(page, "execution_running")
        page.wait_for_timeout(500)
    page.wait_for_selector('#execution-live[data-status="success"]', timeout=20_000)
    assert page.evaluate("window.__marker") == 1
    assert len({p for p in seen_progress if "slept" in p}) >= 2, seen_progress
    assert len({n for n in seen_logs if n}) >= 2, seen_logs
    assert "成功" in page.inner_text("#execution-live h2")
    assert "100%" in page.inner_text("#execution-live .progress-text")
    assert '"slept": 5.0' in page.inner_text("#execution-live pre.json")
    screenshot(page, "execution_success")
    assert TaskExecution.objects.get(task__task_id="browser_sleep").status == Status.SUCCESS
    page.goto(page.base_url + "/tasks/?tab=history")
    assert "睡一会" in page.inner_text("table") and "成功" in page.inner_text("table")
    screenshot(page, "task_list_history")


def test_stop_a_running_task_and_see_it_cancelled(page, ops_user, start_worker):
    make_definition("sleep", task_id="browser_stop", task_name="会被停止", params={"seconds": 60})
    start_worker()
    log_in(page)
    page.goto(page.base_url + "/tasks/browser_stop/")
    page.click(".page-head form[action$='/run/'] button")
    page.wait_for_selector('#execution-live[data-status="running"]')
    page.wait_for_function("() => document.querySelector('#log-tail').textContent.includes('slept')")
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#execution-live form[action$='/stop/'] button")
    page.wait_for_selector('#execution-live[data-status="cancelled"]', timeout=20_000)
    assert "已取消" in page.inner_text("#execution-live h2")
    screenshot(page, "execution_cancelled")
    execution = TaskExecution.objects.get(task__task_id="browser_stop")
    assert execution.status == Status.CANCELLED and execution.duration < 30
