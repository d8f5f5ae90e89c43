"""Importing a YAML catalogue through the preview, applying it, and exporting it again."""
import pytest
import yaml

from tasks_app.models import TaskDefinition, TaskGroup

from .conftest import log_in, screenshot

pytestmark = pytest.mark.django_db(transaction=True)

CATALOGUE = """
version: "1.0"
tasks:
  - task_id: yaml_sync
    task_name: YAML 同步
    task_type: data_sync
    task_function: noop
    schedule: {schedule_type: cron, cron_expression: "0 17 * * 1-5", enabled: true}
  - task_id: yaml_calc
    task_name: YAML 计算
    task_type: indicator_calc
    task_function: sleep
    params: {seconds: 1}
    dependencies: [yaml_sync]
task_groups:
  - group_id: yaml_group
    group_name: YAML 组
    tasks: [yaml_sync, yaml_calc]
"""


def test_import_with_preview_then_apply_then_export(page, ops_user, tmp_path):
    upload = tmp_path / "catalogue.yaml"
    upload.write_text(CATALOGUE, encoding="utf-8")
    log_in(page)
    page.goto(page.base_url + "/catalogue/import/")
    page.set_input_files("#id_file", str(upload))
    page.click("form[enctype] button[type=submit]")
    page.wait_for_selector("#import-preview")
    assert page.inner_text('[data-preview="created"]') == "2"
    assert "yaml_sync" in page.inner_text("#import-preview")
    assert not TaskDefinition.objects.exists()  # a preview writes nothing
    screenshot(page, "import_preview")

    page.click("#apply-import")
    page.wait_for_url("**/tasks/")
    assert "YAML 同步" in page.inner_text(".tasks-table") and "YAML 计算" in page.inner_text(".tasks-table")
    assert TaskGroup.objects.get(group_id="yaml_group").member_task_ids() == ["yaml_sync", "yaml_calc"]
    screenshot(page, "import_applied")

    page.goto(page.base_url + "/catalogue/import/")
    with page.expect_download() as download_info:
        page.click("#export-link")
    exported = yaml.safe_load(open(download_info.value.path(), encoding="utf-8").read())
    assert sorted(t["task_id"] for t in exported["tasks"]) == ["yaml_calc", "yaml_sync"]
    assert exported["task_groups"][0]["group_id"] == "yaml_group"
