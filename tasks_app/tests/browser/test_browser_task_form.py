"""Creating a cron task through the form: the live cron preview, a rejected cron shown by its field."""
import pytest

from tasks_app.models import TaskDefinition

from .conftest import log_in, screenshot

pytestmark = pytest.mark.django_db(transaction=True)


def test_create_a_cron_task_with_the_schedule_builder(page, ops_user):
    log_in(page)
    page.goto(page.base_url + "/tasks/new/")
    page.fill("#id_task_id", "close_sync_browser")
    page.fill("#id_task_name", "收盘后同步")
    page.select_option("#id_task_type", "cron")
    page.select_option("#id_job", "sleep")
    page.wait_for_selector("#id_param__seconds")  # the job's params, generated from its declaration
    page.fill("#id_param__seconds", "3")
    page.select_option("#id_schedule_type", "cron")
    assert page.is_visible("#id_cron_expression") and not page.is_visible("#id_interval_seconds")

    page.fill("#id_cron_expression", "61 * * * *")
    page.wait_for_function("() => document.querySelector('#cron-preview [data-cron-error]')"
                           " && document.querySelector('#cron-preview').textContent.includes('61 * * * *')")
    assert "不是有效的 cron 表达式" in page.inner_text("#cron-preview")  # the pages default to zh-hans
    page.click(".form-actions button[type=submit]")
    error = page.wait_for_selector('[data-field="cron_expression"] .field-error')
    assert "61 * * * *" in error.inner_text()
    assert not TaskDefinition.objects.filter(task_id="close_sync_browser").exists()
    screenshot(page, "task_form_invalid_cron")

    page.fill("#id_cron_expression", "0 16 * * 1-5")
    page.wait_for_selector("#cron-preview [data-cron-words]")
    assert "每个工作日 16:00" in page.inner_text("#cron-preview")
    assert page.locator("#cron-preview li").count() == 5
    screenshot(page, "task_form_valid_cron")
    page.click(".form-actions button[type=submit]")
    page.wait_for_url("**/tasks/close_sync_browser/")
    assert "每个工作日 16:00" in page.inner_text(".schedule-words")
    task = TaskDefinition.objects.get(task_id="close_sync_browser")
    assert (task.cron_expression, task.params, task.job) == ("0 16 * * 1-5", {"seconds": 3.0}, "sleep")
    screenshot(page, "task_detail_created")
