"""The engine's choice labels (status, trigger, schedule type, policies, alert kinds …) are English
msgids with their Chinese in locale/: an English user sees English, a Chinese user the same Chinese
words as before."""
import re

import pytest
from django.apps import apps
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation

from tasks_app.admin import _status_badge
from tasks_app.models import Priority, Status, TaskExecution, Trigger
from tasks_app.pages.templatetags import status_label, trigger_label
from tasks_app.testing import make_definition

pytestmark = pytest.mark.django_db

CJK = re.compile(r"[\u4e00-\u9fff]")
# A gettext call whose message (or context) is Chinese, as in _("成功") or pgettext_lazy("x", "成功").
CHINESE_MSGID = re.compile(r'\b(?:_|p?gettext|p?gettext_lazy)\((?:"[^"]*",\s*)?"[^"]*[\u4e00-\u9fff]')
# Labels that are the same word in both languages.
SAME_IN_BOTH = {"API", "Webhook (JSON)"}


def _labels(app_label):
    for model in apps.get_app_config(app_label).get_models():
        for field in model._meta.get_fields():
            for value, label in getattr(field, "flatchoices", None) or ():
                if label != value:  # the queues are named by their keys
                    yield f"{model.__name__}.{field.name}={value}", label


def test_no_source_string_is_chinese():
    """English msgids in the code: the catalogues translate them, not the other way round."""
    offenders = [
        f"{path.relative_to(settings.BASE_DIR)}:{number}"
        for root in ("tasks_app", "mystocks") for path in sorted((settings.BASE_DIR / root).rglob("*.py"))
        if "tests" not in path.parts
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if CHINESE_MSGID.search(line)
    ]
    assert offenders == []


def test_every_engine_choice_label_is_english_with_a_chinese_translation():
    labels = [*_labels("tasks_app"), *((f"Priority={p.value}", p.label) for p in Priority)]
    assert len(labels) > 40
    with translation.override("en"):
        chinese_in_english = [name for name, label in labels if CJK.search(str(label))]
    with translation.override("zh-hans"):
        untranslated = [name for name, label in labels if str(label) not in SAME_IN_BOTH and not CJK.search(str(label))]
    assert chinese_in_english == [] and untranslated == []


@pytest.mark.parametrize("language, words", [
    ("en", {Status.SUCCESS: "Success", Status.PENDING: "Pending", Trigger.MANUAL: "Manual",
            Trigger.CATCH_UP: "Catch-up"}),
    ("zh-hans", {Status.SUCCESS: "成功", Status.PENDING: "等待中", Trigger.MANUAL: "手动", Trigger.CATCH_UP: "补跑"}),
])
def test_the_enums_speak_the_active_language(language, words):
    with translation.override(language):
        assert {member: str(member.label) for member in words} == words


def _history(client, language):
    task = make_definition("noop", task_id="label_task", task_name="label task")
    now = timezone.now()
    TaskExecution.objects.create(task=task, status=Status.SUCCESS, trigger=Trigger.MANUAL, created_at=now,
                                 started_at=now, finished_at=now, duration=0.1)
    response = client.get(reverse("pages:task_list"), {"tab": "history"}, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    return response.content.decode()


def test_the_execution_list_shows_statuses_and_triggers_in_english(viewer_client):
    html = _history(viewer_client, "en")
    assert 'status-success">Success</span>' in html and "<td>Manual" in html
    assert "成功" not in html and "手动" not in html


def test_the_execution_list_shows_statuses_and_triggers_in_chinese(viewer_client):
    html = _history(viewer_client, "zh-hans")
    assert 'status-success">成功</span>' in html and "<td>手动" in html
    assert ">Success<" not in html and "<td>Manual" not in html


@pytest.mark.parametrize("language, success, manual, schedule_none", [
    ("en", "Success", "Manual", "Manual"), ("zh-hans", "成功", "手动", "手动"),
])
def test_the_admin_lists_and_filters_use_the_language(admin_client, language, success, manual, schedule_none):
    task = make_definition("noop", task_id="admin_label_task")
    TaskExecution.objects.create(task=task, status=Status.SUCCESS, trigger=Trigger.MANUAL)
    executions = admin_client.get(reverse("admin:tasks_app_taskexecution_changelist"),
                                  HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert f'status__exact=success">{success}</a>' in executions  # the status filter
    assert f'<td class="field-trigger">{manual}</td>' in executions
    tasks = admin_client.get(reverse("admin:tasks_app_taskdefinition_changelist"),
                             HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert f'schedule_type__exact=none">{schedule_none}</a>' in tasks


def test_a_stored_value_no_longer_a_choice_shows_as_it_is_on_every_door():
    with translation.override("zh-hans"):
        assert (status_label("success"), trigger_label("manual")) == ("成功", "手动")
        assert (status_label("retired"), status_label(""), trigger_label("old")) == ("retired", "—", "old")
        assert _status_badge("success") == '<span class="ms-status ms-status-success">成功</span>'
        assert _status_badge("retired") == '<span class="ms-status ms-status-retired">retired</span>'
