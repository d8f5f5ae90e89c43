"""Pages rendered with the Django test client: content, forms, errors, downloads and query counts."""
import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tasks_app import catalogue
from tasks_app.models import (
    AuditLog,
    CalendarCoverage,
    GroupRun,
    Status,
    TaskDefinition,
    TaskExecution,
    TaskGroup,
    TradingDay,
)
from tasks_app.testing import make_definition

pytestmark = pytest.mark.django_db


def _finished(task, status, *, duration=1.0, ago=0, **fields):
    created = timezone.now() - datetime.timedelta(minutes=ago)
    return TaskExecution.objects.create(
        task=task, status=status, created_at=created, started_at=created, duration=duration,
        finished_at=created + datetime.timedelta(seconds=duration), **fields,
    )


def _form_data(**overrides):
    data = {
        "task_id": "close_sync", "task_name": "收盘同步", "task_type": "cron", "job": "sleep",
        "priority": 300, "enabled": "on", "schedule_type": "cron", "cron_expression": "0 16 * * 1-5",
        "timezone": "Asia/Shanghai", "timeout": 600, "retry_count": 1, "retry_delay": 30,
        "concurrency_policy": "skip", "misfire_grace": 300, "misfire_policy": "run_once", "max_lateness": 3600,
        "queue": "default", "tags": "daily, close",
        "stop_on_error": "on", "params_mode": "form", "param__seconds": "2.5", "params_json": "{}",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_the_dashboard_shows_the_real_figures(viewer_client):
    task = make_definition("noop", task_id="dash_task")
    _finished(task, Status.SUCCESS)
    _finished(task, Status.SUCCESS)
    _finished(task, Status.FAILED, error="disk full")
    html = viewer_client.get(reverse("pages:dashboard")).content.decode()
    assert '<div class="stat-value">3</div>' in html  # executions today
    assert "66.7%" in html  # success rate today
    assert "disk full" in html  # recent failures, with a link
    failed = TaskExecution.objects.get(status=Status.FAILED)
    assert reverse("pages:execution_detail", args=[failed.pk]) in html
    assert 'id="daily-chart-data"' in html


def test_the_chart_has_14_days_and_a_live_today_bar(viewer_client):
    task = make_definition("noop", task_id="chart_task")
    _finished(task, Status.SUCCESS, ago=60 * 24 * 3)
    _finished(task, Status.FAILED)
    chart = viewer_client.get(reverse("pages:dashboard")).context["chart"]
    assert len(chart["labels"]) == 14
    assert chart["series"]["success"][-4] == 1 and chart["series"]["failed"][-1] == 1
    _finished(task, Status.SUCCESS)  # past days come from the cache, today is counted again
    chart = viewer_client.get(reverse("pages:dashboard")).context["chart"]
    assert chart["series"]["success"][-1] == 1 and chart["series"]["success"][-4] == 1


def test_upcoming_runs_mark_non_trading_days(viewer_client):
    today = timezone.localdate()
    CalendarCoverage.objects.create(source="test", start=today - datetime.timedelta(days=30),
                                    end=today + datetime.timedelta(days=30))
    # Every day is closed except none: a daily task restricted to trading days skips all its slots.
    make_definition("noop", task_id="daily_closed", schedule_type="cron", cron_expression="30 9 * * *",
                    trading_days_only=True)
    make_definition("noop", task_id="daily_open", schedule_type="cron", cron_expression="45 9 * * *")
    response = viewer_client.get(reverse("pages:dashboard_summary"))
    upcoming = response.context["upcoming"]
    assert len(upcoming) == 10
    assert [r["at"] for r in upcoming] == sorted(r["at"] for r in upcoming)
    assert {r["task"].task_id for r in upcoming if r["skipped"]} == {"daily_closed"}
    assert not any(r["skipped"] for r in upcoming if r["task"].task_id == "daily_open")
    TradingDay.objects.create(date=upcoming[0]["at"].astimezone(upcoming[0]["task"].tz).date())
    again = viewer_client.get(reverse("pages:dashboard_summary")).context["upcoming"]
    assert not again[0]["skipped"]


def test_the_task_list_filters_by_tab_search_tag_and_last_status(viewer_client):
    a = make_definition("noop", task_id="sync_a", task_name="同步A", task_type="data_sync", tags=["daily"])
    make_definition("noop", task_id="calc_b", task_name="计算B", task_type="indicator_calc", tags=["weekly"])
    _finished(a, Status.FAILED)
    url = reverse("pages:task_list")

    def ids(**params):
        return [t.task_id for t in viewer_client.get(url, params).context["page"]]

    assert sorted(ids()) == ["calc_b", "sync_a"]
    assert ids(tab="data_sync") == ["sync_a"]
    assert ids(tab="indicator_calc") == ["calc_b"]
    assert ids(q="计算") == ["calc_b"]
    assert ids(tag="daily") == ["sync_a"]
    assert ids(status="failed") == ["sync_a"]
    assert ids(enabled="no") == []


def test_the_task_list_shows_schedule_in_words_in_the_active_language(viewer_client):
    make_definition("noop", task_id="weekday_task", schedule_type="cron", cron_expression="0 16 * * 1-5")
    assert "每个工作日 16:00" in viewer_client.get(reverse("pages:task_list")).content.decode()
    viewer_client.post(reverse("set_language"), {"language": "en", "next": "/tasks/"})
    assert "every weekday at 16:00" in viewer_client.get(reverse("pages:task_list")).content.decode()


def test_the_task_list_and_history_use_a_fixed_number_of_queries(viewer_client, django_assert_max_num_queries):
    for i in range(30):
        task = make_definition("noop", task_id=f"many_{i:02d}")
        _finished(task, Status.SUCCESS)
    with django_assert_max_num_queries(8):
        page = viewer_client.get(reverse("pages:task_list")).context["page"]
    assert len(page) == 25 and page.has_next
    with django_assert_max_num_queries(6):
        history = viewer_client.get(reverse("pages:task_list"), {"tab": "history"}).context["page"]
    assert len(history) == 25 and history.has_next


def test_the_history_pages_without_counting(viewer_client):
    task = make_definition("noop", task_id="paged")
    for i in range(30):
        _finished(task, Status.SUCCESS, ago=i)
    with CaptureQueriesContext(connection) as queries:
        response = viewer_client.get(reverse("pages:task_list"), {"tab": "history", "page": 2})
    assert not [q["sql"] for q in queries if "COUNT(" in q["sql"].upper() and "tasks_app_taskexecution" in q["sql"]]
    page = response.context["page"]
    assert len(page) == 5 and not page.has_next and page.has_previous
    assert "page=1" in response.content.decode()


def test_the_task_detail_shows_statistics_next_runs_relations_and_audit(operator_client):
    up = make_definition("noop", task_id="upstream_t")
    task = make_definition("sleep", task_id="detail_t", task_name="详情", schedule_type="cron",
                           cron_expression="0 16 * * 1-5", dependencies=["upstream_t"])
    group = TaskGroup(group_id="g_detail", group_name="组")
    catalogue.save_group(group, ["upstream_t", "detail_t"])
    for duration in (1, 2, 3, 4, 10):
        _finished(task, Status.SUCCESS, duration=duration)
    _finished(task, Status.FAILED, duration=1)
    response = operator_client.get(reverse("pages:task_detail", args=[task.task_id]))
    ctx, html = response.context, response.content.decode()
    assert ctx["statistics"]["success_rate"] == pytest.approx(5 / 6, abs=1e-3)
    assert ctx["statistics"]["p50_duration"] == pytest.approx(2.5)
    assert len(ctx["upcoming"]) == 5
    assert [t.task_id for t in ctx["upstreams"]] == ["upstream_t"]
    assert [m.group.group_id for m in ctx["memberships"]] == ["g_detail"]
    assert len(ctx["trend"]) == 6
    assert "每个工作日 16:00" in html and 'name="run-param__seconds"' in html
    assert AuditLog.objects.filter(target_id="detail_t").exists() and "已创建" in html
    down = operator_client.get(reverse("pages:task_detail", args=[up.task_id])).context
    assert [t.task_id for t in down["downstreams"]] == ["detail_t"]


def test_creating_a_cron_task_through_the_form(operator_client, operator_user):
    response = operator_client.post(reverse("pages:task_create"), _form_data())
    assert response.status_code == 302
    task = TaskDefinition.objects.get(task_id="close_sync")
    assert response["Location"] == reverse("pages:task_detail", args=["close_sync"])
    assert (task.job, task.params, task.tags, task.cron_expression) == (
        "sleep", {"seconds": 2.5}, ["daily", "close"], "0 16 * * 1-5")
    assert (task.misfire_policy, task.max_lateness) == ("run_once", 3600)
    assert task.created_by == operator_user
    assert AuditLog.objects.get(target_id="close_sync", action="create").interface == "ui"


def test_an_invalid_cron_is_shown_next_to_its_field(operator_client):
    response = operator_client.post(reverse("pages:task_create"), _form_data(cron_expression="61 * * *"))
    assert response.status_code == 400
    form = response.context["form"]
    assert "应有 5 个字段" in " ".join(form.errors["cron_expression"])  # pages default to zh-hans
    html = response.content.decode()
    assert 'data-field="cron_expression"' in html and "field-error" in html
    assert not TaskDefinition.objects.filter(task_id="close_sync").exists()


def test_bad_params_are_shown_next_to_the_generated_field(operator_client):
    response = operator_client.post(reverse("pages:task_create"), _form_data(**{"param__seconds": "abc"}))
    assert response.status_code == 400
    assert "param__seconds" in response.context["form"].errors


def test_raw_json_params_are_validated_by_the_job(operator_client):
    data = _form_data(params_mode="raw", params_json='{"seconds": 4, "bogus": 1}')
    response = operator_client.post(reverse("pages:task_create"), data)
    assert response.status_code == 400
    assert "bogus" in " ".join(response.context["form"].errors["params_json"])
    data["params_json"] = '{"seconds": 4}'
    assert operator_client.post(reverse("pages:task_create"), data).status_code == 302
    assert TaskDefinition.objects.get(task_id="close_sync").params == {"seconds": 4.0}


def test_a_dependency_cycle_from_the_service_is_shown_by_its_field(operator_client):
    make_definition("noop", task_id="a_dep", dependencies=[])
    operator_client.post(reverse("pages:task_create"), _form_data(task_id="b_dep", dependencies=["a_dep"]))
    a = TaskDefinition.objects.get(task_id="a_dep")
    data = _form_data(task_id="a_dep", task_name="a", job="noop", dependencies=["b_dep"])
    data.pop("param__seconds")
    response = operator_client.post(reverse("pages:task_edit", args=["a_dep"]), data)
    assert response.status_code == 400
    assert "依赖成环" in " ".join(response.context["form"].errors["dependencies"])
    a.refresh_from_db()
    assert a.dependencies == []


def test_once_times_are_read_in_the_tasks_time_zone(operator_client):
    data = _form_data(schedule_type="once", cron_expression="", start_time="2030-01-02T09:30",
                      timezone="America/New_York")
    assert operator_client.post(reverse("pages:task_create"), data).status_code == 302
    task = TaskDefinition.objects.get(task_id="close_sync")
    assert task.start_time == datetime.datetime(2030, 1, 2, 14, 30, tzinfo=datetime.timezone.utc)


def test_editing_updates_the_task_in_place_and_keeps_its_history(operator_client):
    task = make_definition("sleep", task_id="keep_me", params={"seconds": 1})
    execution = _finished(task, Status.SUCCESS)
    form = operator_client.get(reverse("pages:task_edit", args=["keep_me"])).context["form"]
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    data.update({"task_name": "改名了", "param__seconds": "7", "params_mode": "form",
                 "enabled": "on", "stop_on_error": "on", "tags": ""})
    data = {k: v for k, v in data.items() if v is not False}
    response = operator_client.post(reverse("pages:task_edit", args=["keep_me"]), data)
    assert response.status_code == 302, response.context["form"].errors
    task_after = TaskDefinition.objects.get(task_id="keep_me")
    assert task_after.pk == task.pk and task_after.task_name == "改名了" and task_after.params == {"seconds": 7.0}
    assert TaskExecution.objects.filter(pk=execution.pk, task=task_after).exists()
    update = AuditLog.objects.get(target_id="keep_me", action="update")
    assert update.changes["task_name"][1] == "改名了" and update.interface == "ui"


def test_the_cron_preview_describes_and_lists_the_next_times(viewer_client):
    url = reverse("pages:cron_preview")
    html = viewer_client.get(url, {"cron_expression": "0 16 * * 1-5", "timezone": "Asia/Shanghai"}).content.decode()
    assert "每个工作日 16:00" in html and html.count("<li>") == 5 and "16:00" in html
    bad = viewer_client.get(url, {"cron_expression": "0 25 * * *"}).content.decode()
    assert "data-cron-error" in bad and "不是有效的 cron 表达式" in bad


def test_the_job_params_fragment_lists_the_declared_params(viewer_client):
    html = viewer_client.get(reverse("pages:job_params"), {"job": "sleep"}).content.decode()
    assert 'name="param__seconds"' in html and 'value="10.0"' in html
    unknown = viewer_client.get(reverse("pages:job_params"), {"job": "nope"}).content.decode()
    assert "param__" not in unknown and "data-no-job" in unknown


def test_run_with_params_overlays_the_task_params(operator_client):
    task = make_definition("sleep", task_id="run_p", params={"seconds": 1})
    response = operator_client.post(reverse("pages:task_run", args=["run_p"]),
                                    {"with_params": "1", "run-param__seconds": "3"})
    execution = TaskExecution.objects.get(task=task)
    assert response["Location"] == reverse("pages:execution_detail", args=[execution.pk])
    assert execution.params == {"seconds": 3.0} and execution.trigger == "manual"
    assert AuditLog.objects.get(target_id="run_p", action="start").interface == "ui"


def test_run_with_bad_params_shows_the_form_error_and_runs_nothing(operator_client):
    make_definition("sleep", task_id="run_bad")
    response = operator_client.post(reverse("pages:task_run", args=["run_bad"]),
                                    {"with_params": "1", "run-param__seconds": "x"})
    assert response.status_code == 400 and "param__seconds" in response.context["run_form"].errors
    assert not TaskExecution.objects.exists()


def test_running_a_disabled_task_says_why(operator_client):
    make_definition("noop", task_id="off_task", enabled=False)
    response = operator_client.post(reverse("pages:task_run", args=["off_task"]), follow=True)
    assert "已禁用" in response.content.decode()
    assert not TaskExecution.objects.exists()


def test_deleting_a_task_someone_depends_on_is_refused_with_the_reason(admin_client):  # deleting is an admin's right
    make_definition("noop", task_id="base_t")
    make_definition("noop", task_id="child_t", dependencies=["base_t"])
    response = admin_client.post(reverse("pages:task_delete", args=["base_t"]), follow=True)
    assert "child_t 依赖 base_t" in response.content.decode()
    admin_client.post(reverse("pages:task_delete", args=["child_t"]))
    assert list(TaskDefinition.objects.values_list("task_id", flat=True)) == ["base_t"]


def test_the_execution_page_polls_while_running_and_stops_when_finished(viewer_client):
    task = make_definition("sleep", task_id="live_t")
    running = TaskExecution.objects.create(task=task, status=Status.RUNNING, started_at=timezone.now(),
                                           progress_done=3, progress_total=10, progress_message="3 of 10",
                                           log="line 1\nline 2\n")
    live = viewer_client.get(reverse("pages:execution_live", args=[running.pk])).content.decode()
    assert 'hx-trigger="every 1s"' in live and 'data-width="30"' in live and "line 2" in live
    running.status, running.finished_at, running.result = Status.SUCCESS, timezone.now(), {"rows": 5}
    running.save()
    done = viewer_client.get(reverse("pages:execution_live", args=[running.pk])).content.decode()
    assert "hx-trigger" not in done and "&quot;rows&quot;: 5" in done


def test_the_execution_page_shows_the_attempt_chain(viewer_client):
    task = make_definition("fail", task_id="chain_t")
    first = _finished(task, Status.FAILED, error="boom", traceback="Traceback: boom")
    second = _finished(task, Status.SUCCESS, attempt=2, retry_of=first)
    response = viewer_client.get(reverse("pages:execution_detail", args=[first.pk]))
    assert [a.pk for a in response.context["attempts"]] == [first.pk, second.pk]
    html = response.content.decode()
    assert "Traceback: boom" in html and reverse("pages:execution_detail", args=[second.pk]) in html


def test_the_log_downloads_as_a_text_attachment(viewer_client):
    task = make_definition("noop", task_id="log_t")
    execution = _finished(task, Status.SUCCESS, log="hello\n世界\n")
    response = viewer_client.get(reverse("pages:execution_log", args=[execution.pk]))
    assert response["Content-Type"].startswith("text/plain")
    assert f'filename="log_t-{execution.pk}.log"' in response["Content-Disposition"]
    assert response.content.decode() == "hello\n世界\n"


def test_a_long_log_shows_only_its_tail(viewer_client):
    task = make_definition("noop", task_id="long_log")
    execution = _finished(task, Status.SUCCESS, log="START\n" + "x" * 50_000 + "\nEND\n")
    response = viewer_client.get(reverse("pages:execution_detail", args=[execution.pk]))
    html = response.content.decode()
    assert "END" in html and "START" not in html and response.context["log_cut"]


def test_stopping_a_pending_execution_cancels_it(operator_client):
    task = make_definition("sleep", task_id="stop_t")
    execution = TaskExecution.objects.create(task=task, status=Status.PENDING)
    operator_client.post(reverse("pages:execution_stop", args=[execution.pk]))
    execution.refresh_from_db()
    assert execution.status == Status.CANCELLED
    assert AuditLog.objects.get(action="stop", target_id=str(execution.pk)).interface == "ui"


def test_import_preview_then_apply(operator_client):
    yaml_text = ("tasks:\n  - task_id: imported_one\n    task_name: 导入一\n    task_type: manual\n"
                 "    task_function: noop\n").encode()
    response = operator_client.post(reverse("pages:import_page"),
                                    {"file": SimpleUploadedFile("cat.yaml", yaml_text)})
    assert response.context["report"].created == ["imported_one"]
    assert not TaskDefinition.objects.filter(task_id="imported_one").exists()
    response = operator_client.post(reverse("pages:import_apply"))
    assert response.status_code == 302
    assert TaskDefinition.objects.filter(task_id="imported_one").exists()
    assert AuditLog.objects.get(action="import").interface == "ui"
    again = operator_client.post(reverse("pages:import_apply"), follow=True)
    assert "upload a file first" in again.content.decode() or "上传" in again.content.decode()


def test_an_invalid_import_lists_the_errors_and_offers_no_apply(operator_client):
    bad = b"tasks:\n  - task_id: x\n    task_name: x\n    task_type: manual\n    task_function: no_such_job\n"
    response = operator_client.post(reverse("pages:import_page"), {"file": SimpleUploadedFile("bad.yaml", bad)})
    html = response.content.decode()
    assert "no_such_job" in html and reverse("pages:import_apply") not in html


def test_export_downloads_the_yaml(viewer_client):
    make_definition("noop", task_id="exported_t")
    response = viewer_client.get(reverse("pages:export_catalogue"))
    assert "attachment" in response["Content-Disposition"] and ".yaml" in response["Content-Disposition"]
    assert "task_id: exported_t" in response.content.decode()


def test_cleanup_counts_then_deletes_old_executions(admin_client):  # deleting is an admin's right
    task = make_definition("noop", task_id="old_t")
    old = [_finished(task, Status.SUCCESS, ago=60 * 24 * 40) for _ in range(3)]
    recent = _finished(task, Status.SUCCESS)
    response = admin_client.get(reverse("pages:cleanup_page"), {"days": 30})
    assert response.context["count"] == 3 and 'data-count="3"' in response.content.decode()
    admin_client.post(reverse("pages:cleanup_apply"), {"days": 30})
    assert list(TaskExecution.objects.values_list("pk", flat=True)) == [recent.pk]
    assert not TaskExecution.objects.filter(pk__in=[e.pk for e in old]).exists()


def test_groups_list_detail_and_run_timeline(operator_client):
    a = make_definition("noop", task_id="ga")
    b = make_definition("noop", task_id="gb")
    group = catalogue.save_group(TaskGroup(group_id="grp", group_name="组一"), ["ga", "gb"])
    assert "ga" in operator_client.get(reverse("pages:group_list")).content.decode()
    members = operator_client.get(reverse("pages:group_detail", args=["grp"])).context["members"]
    assert [m.task.task_id for m in members] == ["ga", "gb"]
    start = timezone.now() - datetime.timedelta(seconds=10)
    run = GroupRun.objects.create(group=group, status=Status.SUCCESS, started_at=start,
                                  finished_at=start + datetime.timedelta(seconds=10), duration=10)
    for task, offset in ((a, 0), (b, 5)):
        TaskExecution.objects.create(task=task, group_run=run, status=Status.SUCCESS,
                                     started_at=start + datetime.timedelta(seconds=offset),
                                     finished_at=start + datetime.timedelta(seconds=offset + 5), duration=5)
    bars = operator_client.get(reverse("pages:group_run_detail", args=[run.pk])).context["bars"]
    assert [(b["left"], b["width"]) for b in bars] == [(0.0, 50.0), (50.0, 50.0)]


def test_toggling_a_task_says_what_it_did(operator_client):
    make_definition("noop", task_id="toggle_t", enabled=False)
    response = operator_client.post(reverse("pages:task_toggle_enabled", args=["toggle_t"]), follow=True)
    assert TaskDefinition.objects.get(task_id="toggle_t").enabled
    assert "已启用 toggle_t" in response.content.decode()
    response = operator_client.post(reverse("pages:task_toggle_enabled", args=["toggle_t"]), follow=True)
    assert not TaskDefinition.objects.get(task_id="toggle_t").enabled
    assert "已停用 toggle_t" in response.content.decode()
