"""Running a group from its page and watching the group run's timeline fill in."""
import pytest

from tasks_app import catalogue
from tasks_app.models import GroupRun, Status, TaskGroup
from tasks_app.testing import make_definition

from .conftest import log_in, screenshot

pytestmark = pytest.mark.django_db(transaction=True)


def test_run_a_sequential_group_and_see_its_timeline(page, ops_user, start_worker):
    make_definition("sleep", task_id="grp_first", params={"seconds": 1.5})
    make_definition("sleep", task_id="grp_second", params={"seconds": 1.5})
    catalogue.save_group(TaskGroup(group_id="browser_group", group_name="收盘流水线"), ["grp_first", "grp_second"])
    start_worker()
    log_in(page)
    page.goto(page.base_url + "/groups/")
    page.click("text=收盘流水线")
    assert page.inner_text("ol.members").index("grp_first") < page.inner_text("ol.members").index("grp_second")
    page.click(".page-head form[action$='/run/'] button")
    page.wait_for_url("**/group-runs/*/")
    page.wait_for_selector("#group-run-live .gantt-bar.status-success >> nth=1", timeout=30_000)
    page.wait_for_selector("#group-run-live:not([hx-get])", timeout=10_000)  # finished: polling stopped
    bars = page.locator("#group-run-live .gantt-bar")
    assert bars.count() == 2
    lefts = [float(bars.nth(i).evaluate("el => parseFloat(el.style.marginLeft)")) for i in range(2)]
    widths = [float(bars.nth(i).evaluate("el => parseFloat(el.style.width)")) for i in range(2)]
    # Sequential: the second bar starts where the first ends (a worker's pickup delay may shift both).
    assert lefts[1] >= lefts[0] + widths[0] - 1 and widths[0] > 20
    assert GroupRun.objects.get(group__group_id="browser_group").status == Status.SUCCESS
    screenshot(page, "group_run_timeline")
