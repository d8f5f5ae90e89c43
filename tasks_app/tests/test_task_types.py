"""Task types come from the registry: the engine registers the generic ones, an app its own; every
door refuses an unknown type naming ``task_type`` and the known ones, and a stored type that is no
longer registered still shows (as its raw key) everywhere."""
import re
from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy

from tasks_app import registry
from tasks_app.api.serializers import TaskConfigSerializer
from tasks_app.catalogue_yaml import import_catalogue
from tasks_app.models import Status, TaskDefinition, TaskExecution
from tasks_app.testing import make_definition

pytestmark = pytest.mark.django_db
BOGUS = {"task_id": "typed", "task_name": "typed", "task_type": "bogus", "task_function": "noop"}
ADMIN_FORM = {
    "task_id": "typed", "task_name": "typed", "task_type": "bogus", "job": "noop", "params": "{}",
    "priority": 500, "timeout": 60, "retry_count": 0, "retry_delay": 60, "tags": "[]", "dependencies": "[]",
    "queue": "default", "concurrency_policy": "skip", "misfire_grace": 300, "misfire_policy": "skip",
    "max_lateness": 3600, "schedule_type": "none", "timezone": "UTC", "enabled": "on", "stop_on_error": "on",
}
PAGE_FORM = {
    "task_id": "typed", "task_name": "typed", "task_type": "bogus", "job": "noop", "priority": 500,
    "enabled": "on", "schedule_type": "none", "timezone": "UTC", "timeout": 60, "retry_count": 0,
    "retry_delay": 60, "concurrency_policy": "skip", "misfire_grace": 300, "misfire_policy": "skip",
    "max_lateness": 3600, "queue": "default", "tags": "", "stop_on_error": "on", "params_mode": "form",
    "params_json": "{}",
}


@pytest.fixture
def temporary_type(monkeypatch):
    """A type registered for one test only (the registry is a module-level dict)."""
    monkeypatch.setitem(registry._task_types, "nightly_report", registry.TaskTypeSpec(
        key="nightly_report", label=gettext_lazy("Nightly report"), tab=True, order=45))
    return "nightly_report"


def _unknown_type_message(messages):
    text = " ".join(messages)
    assert "bogus" in text and "cron" in text and "manual" in text, text
    return text


def test_every_type_of_the_shipped_and_old_catalogues_is_registered():
    files = [Path(settings.BASE_DIR) / "fixtures" / "tasks.yaml",
             Path(settings.BASE_DIR) / "mystocks" / "market" / "tests" / "fixtures" / "old_tasks.yaml"]
    used = {task["task_type"] for path in files for task in yaml.safe_load(path.read_text())["tasks"]}
    old_manager = {"cron", "supervisor", "manual", "data_sync", "indicator_calc", "market_fetch",
                   "data_processing", "strategy_backtest", "cache_cleanup", "market_sync", "notification",
                   "health_check", "cache_warmup", "report_generation"}
    assert used <= old_manager
    assert old_manager <= {spec.key for spec in registry.task_types()}


def test_the_engine_registers_only_generic_types():
    source = Path(registry.__file__).read_text()
    engine_types = set(re.findall(r'register_task_type\("(\w+)"', source))
    assert {"cron", "manual", "supervisor"} <= engine_types
    assert not engine_types & {"data_sync", "indicator_calc", "market_fetch", "market_sync", "strategy_backtest"}


def test_registering_a_type_twice_differently_or_too_long_is_refused():
    registry.register_task_type("cron", registry.task_type_label("cron"), tab=True, order=10)  # same: fine
    with pytest.raises(ValueError, match="already registered"):
        registry.register_task_type("cron", gettext_lazy("Manual"), tab=False)
    with pytest.raises(ValueError, match="at most 32"):
        registry.register_task_type("x" * 33, "x")


def test_the_yaml_import_refuses_an_unknown_type_naming_the_key_and_the_known_ones():
    document = yaml.safe_dump({"tasks": [BOGUS]})
    with translation.override("en"):
        report = import_catalogue(document, dry_run=True)
    (error,) = report.errors
    assert error.startswith("tasks[0] (typed).task_type: unknown task type 'bogus'; registered task types: ")
    _unknown_type_message([error])
    with translation.override("zh-hans"):
        report = import_catalogue(document, dry_run=True)
    assert report.errors[0].startswith("tasks[0] (typed).task_type: 未知的任务类型 'bogus'；已注册的任务类型：")


def test_the_api_refuses_an_unknown_type_on_create_and_update(operator):
    response = operator.post("/api/tasks/register", BOGUS, format="json")
    assert response.status_code == 400
    _unknown_type_message(response.json()["errors"]["task_type"])
    make_definition("noop", task_id="typed")
    response = operator.put("/api/tasks/typed", BOGUS, format="json")
    assert response.status_code == 400
    _unknown_type_message(response.json()["errors"]["task_type"])
    response = operator.patch("/api/tasks/typed", {"task_type": "bogus"}, format="json")
    assert response.status_code == 400 and "task_type" in response.json()["errors"]
    assert TaskDefinition.objects.get(task_id="typed").task_type == "manual"


def test_the_page_form_refuses_an_unknown_type_next_to_its_field(operator_client):
    response = operator_client.post(reverse("pages:task_create"), PAGE_FORM)
    assert response.status_code == 400
    _unknown_type_message(response.context["form"].errors["task_type"])
    assert not TaskDefinition.objects.filter(task_id="typed").exists()
    assert operator_client.post(reverse("pages:task_create"), {**PAGE_FORM, "task_type": "cron"}).status_code == 302


def test_the_admin_form_refuses_an_unknown_type_next_to_its_field(admin_client):
    response = admin_client.post(reverse("admin:tasks_app_taskdefinition_add"), ADMIN_FORM)
    assert response.status_code == 200
    _unknown_type_message(response.context["adminform"].form.errors["task_type"])
    assert not TaskDefinition.objects.filter(task_id="typed").exists()
    response = admin_client.post(reverse("admin:tasks_app_taskdefinition_add"),
                                 {**ADMIN_FORM, "task_type": "data_sync"})
    assert response.status_code == 302 and TaskDefinition.objects.get(task_id="typed").task_type == "data_sync"


def test_the_tabs_are_the_registrys_with_the_market_app_installed(viewer_client, temporary_type):
    url = reverse("pages:task_list")
    with translation.override("zh-hans"):
        tabs = viewer_client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").context["tabs"]
        labels = [str(label) for _key, label, _type in tabs]
    assert [key for key, _label, _type in tabs] == [
        "all", "cron", "data_sync", "indicator_calc", "market_fetch", temporary_type, "manual", "history"]
    assert labels[:5] + labels[6:] == ["全部", "定时任务", "数据同步", "指标计算", "行情获取", "手动任务", "执行历史"]
    make_definition("noop", task_id="nightly", task_type=temporary_type)
    make_definition("noop", task_id="other")
    page = viewer_client.get(url, {"tab": temporary_type})
    assert [t.task_id for t in page.context["page"]] == ["nightly"]
    assert f'data-tab="{temporary_type}"' in page.content.decode()


def test_the_type_choices_are_the_registrys_at_request_time(viewer, viewer_client, temporary_type):
    keys = [key for key, _label in registry.task_type_choices()]
    assert temporary_type in keys and keys[:2] == ["cron", "data_sync"]
    assert list(TaskConfigSerializer().fields["task_type"].choices) == keys
    make_definition("noop", task_id="nightly", task_type=temporary_type)
    assert [r["task_id"] for r in viewer.get(f"/api/tasks/?task_type={temporary_type}").json()["results"]] == [
        "nightly"]
    page = viewer_client.get(reverse("pages:task_list"))
    assert [key for key, _label in page.context["task_types"]] == keys
    assert f'<option value="{temporary_type}">Nightly report</option>' in page.content.decode()


def test_the_admin_filters_by_type_with_the_registrys_labels(admin_client):
    synced = make_definition("noop", task_id="synced", task_type="data_sync")
    make_definition("noop", task_id="manual_one")
    TaskExecution.objects.create(task=synced, status=Status.SUCCESS)
    url = reverse("admin:tasks_app_taskdefinition_changelist")
    response = admin_client.get(url, {"task_type": "data_sync"}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert [t.task_id for t in response.context["cl"].result_list] == ["synced"]
    body = response.content.decode()
    assert "以 任务类型" in body and "数据同步" in body and "行情获取" in body
    executions = admin_client.get(reverse("admin:tasks_app_taskexecution_changelist"),
                                  {"task__task_type": "manual"})
    assert executions.status_code == 200 and list(executions.context["cl"].result_list) == []


def test_a_stored_type_no_longer_registered_shows_as_its_raw_key(admin_client, viewer):
    task = make_definition("noop", task_id="retired")
    TaskDefinition.objects.filter(pk=task.pk).update(task_type="retired_kind")  # its app was removed
    TaskExecution.objects.create(task=task, status=Status.SUCCESS)
    pages = [
        reverse("pages:task_list"), reverse("pages:task_list") + "?type=retired_kind",
        reverse("pages:task_detail", args=["retired"]), reverse("pages:task_edit", args=["retired"]),
        reverse("admin:tasks_app_taskdefinition_changelist"),
        reverse("admin:tasks_app_taskdefinition_change", args=[task.pk]),
        reverse("admin:tasks_app_taskexecution_changelist"),
    ]
    for url in pages:
        response = admin_client.get(url)
        assert response.status_code == 200, url
        assert "retired_kind" in response.content.decode() or "execution" in url, url
    edit = admin_client.get(reverse("pages:task_edit", args=["retired"])).content.decode()
    assert '<option value="retired_kind" selected>retired_kind</option>' in edit
    assert viewer.get("/api/tasks/retired").json()["task_type"] == "retired_kind"
    assert viewer.get("/api/tasks/").status_code == 200
