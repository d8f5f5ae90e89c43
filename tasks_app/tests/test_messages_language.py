"""Messages in the user's language: the admin's names, engine messages and alert texts, pinned
with an explicit language in zh-hans and English."""
import datetime

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation

from tasks_app.alerts import messages as alert_messages
from tasks_app.alerts.missed import _detail
from tasks_app.catalogue_yaml import import_catalogue
from tasks_app.context import JobCancelled, JobContext
from tasks_app.dispatch import dispatch_task
from tasks_app.models import TaskDefinition, Trigger
from tasks_app.pages.templatetags import ACTIONS
from tasks_app.registry import ParamsInvalid, get_job
from tasks_app.testing import make_definition

pytestmark = pytest.mark.django_db


def _admin(client, path, language):
    return client.get(path, HTTP_ACCEPT_LANGUAGE=language).content.decode()


def test_the_admin_names_apps_models_fields_and_filters_in_chinese(admin_client):
    make_definition("noop", task_id="zh_task")
    index = _admin(admin_client, reverse("admin:index"), "zh-hans")
    assert "任务中心" in index and "行情数据" in index and "任务定义" in index and "告警发送记录" in index
    assert "Market data" not in index and "Task definitions" not in index
    changelist = _admin(admin_client, reverse("admin:tasks_app_taskdefinition_changelist"), "zh-hans")
    assert "任务 ID" in changelist and "以 任务类型" in changelist and "定时任务" in changelist
    assert "task type" not in changelist and "Task id" not in changelist


def test_english_plurals_are_right_in_the_admin(admin_client):
    index = _admin(admin_client, reverse("admin:index"), "en")
    assert "Alert deliveries" in index and "Dragon-tiger list entries" in index
    assert "deliverys" not in index.lower() and "entrys" not in index.lower()


def _late_slot_task():
    task = make_definition("noop", schedule_type="cron", cron_expression="*/5 * * * *", misfire_grace=60)
    slot = task.next_run_times(n=1, after=timezone.now() - datetime.timedelta(minutes=20))[0]
    return task, slot


@pytest.mark.parametrize("language, expected", [
    ("en", "misfire: slot {slot} dispatched"), ("zh-hans", "错过：时间点 {slot} 延迟"),
])
def test_a_skip_reason_is_written_in_the_active_language(language, expected):
    task, slot = _late_slot_task()
    with translation.override(language):
        run = dispatch_task(task=task, trigger=Trigger.SCHEDULE, scheduled_for=slot)
    local = slot.astimezone(task.tz).strftime("%Y-%m-%d %H:%M:%S")
    assert run.skip_reason.startswith(expected.format(slot=local))


def test_param_validation_speaks_chinese_and_english():
    spec = get_job("sleep")
    for language, words in (("zh-hans", "应为数字，实际为 'soon'"), ("en", "must be a number, got 'soon'")):
        with translation.override(language), pytest.raises(ParamsInvalid) as exc:
            spec.validate_params({"seconds": "soon"})
        assert exc.value.by_param == {"seconds": words}


def test_import_errors_and_warnings_follow_the_language():
    document = "tasks:\n  - {task_id: t, task_name: t, task_type: manual, task_function: noop, colour: red}\n"
    with translation.override("zh-hans"):
        report = import_catalogue(document, dry_run=True)
    assert report.errors[0].startswith("tasks[0] (t).colour: 未知字段（允许：")
    with translation.override("en"):
        report = import_catalogue(document, dry_run=True)
    assert report.errors[0].startswith("tasks[0] (t).colour: unknown key (allowed: ")


def test_english_counts_use_the_right_plural():
    task = TaskDefinition(task_id="x", schedule_type="interval", interval_seconds=60)
    slot = timezone.now()
    with translation.override("en"):
        assert _detail(task, [slot]).startswith("1 slot without a run, last ")
        assert _detail(task, [slot, slot]).startswith("2 slots without a run, last ")
    with translation.override("zh-hans"):
        assert _detail(task, [slot, slot]).startswith("2 个时间点没有运行")


def test_alert_texts_come_from_the_catalogue_in_the_alert_language(settings):
    settings.MYSTOCKS_ALERT_LANGUAGE = "zh-hans"
    assert alert_messages.texts()["failure"] == "任务失败"
    settings.MYSTOCKS_ALERT_LANGUAGE = "en"
    with translation.override("zh-hans"):  # the request's language does not matter
        assert alert_messages.texts()["failure"] == "Task failed"


def test_job_param_help_is_translated(admin):
    body = admin.get("/api/jobs/", HTTP_ACCEPT_LANGUAGE="zh-hans").json()
    sleep = next(job for job in body if job["name"] == "sleep")
    assert sleep["params"][0]["help"] == "休眠多久（秒）"


def test_a_stopped_jobs_error_is_written_in_the_workers_language():
    execution = dispatch_task(task=make_definition("noop", task_id="zh_stop"), trigger=Trigger.MANUAL)
    context = JobContext(execution=execution, params={}, logger_name="test")
    context.request_cancel()
    for language, text in (("zh-hans", "已被用户停止"), ("en", "stopped by user")):
        with translation.override(language), pytest.raises(JobCancelled, match=text):
            context.check_cancelled()


def test_the_chinese_catalogue_has_no_fuzzy_entry_and_the_audit_actions_are_translated():
    # A fuzzy entry is left out of the compiled catalogue: its message then shows in English.
    po = (settings.BASE_DIR / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8")
    assert "#, fuzzy" not in po
    with translation.override("zh-hans"):
        words = [str(ACTIONS[action]) for action in ("create", "update", "import", "cleanup")]
    assert words == ["已创建", "已修改", "已导入", "已清理"]
