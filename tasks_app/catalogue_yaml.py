"""The old task manager's YAML catalogue format, in and out.

Import validates the whole document before writing anything and reports every problem with
its task or group id and field; then it writes in one transaction through the catalogue service
(``catalogue.save_catalogue``), so an imported task is saved, synced to beat and audited exactly
like one saved in the admin. Export writes the same format, so export → import into an empty
database → export gives an identical file. ``build_task_definition`` is the same builder for
one task in this format (the API's request body).
"""
import datetime
import zoneinfo
from dataclasses import dataclass, field

import yaml
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from . import audit, catalogue, limits
from .catalogue import find_cycle
from .models import TaskDefinition, TaskGroup, parse_priority

FORMAT_VERSION = "1.0"
TOP_KEYS = ("version", "description", "tasks", "task_groups")
SCHEDULE_KEYS = ("schedule_type", "cron_expression", "interval_seconds", "start_time", "end_time", "enabled")
# YAML key → (model field, expected type). "job" is the old task manager's task_function.
TASK_FIELDS = {
    "task_id": ("task_id", str), "task_name": ("task_name", str), "task_type": ("task_type", str),
    "task_module": ("task_module", str), "task_function": ("job", str), "description": ("description", str),
    "priority": ("priority", int), "params": ("params", dict), "timeout": ("timeout", int),
    "retry_count": ("retry_count", int), "retry_delay": ("retry_delay", int), "tags": ("tags", list),
    "dependencies": ("dependencies", list), "auto_restart": ("auto_restart", bool),
    "stop_on_error": ("stop_on_error", bool), "enabled": ("enabled", bool), "paused": ("paused", bool),
    "timezone": ("timezone", str), "trading_days_only": ("trading_days_only", bool),
    "misfire_grace": ("misfire_grace", int), "misfire_policy": ("misfire_policy", str),
    "max_lateness": ("max_lateness", int), "concurrency_policy": ("concurrency_policy", str),
    "queue": ("queue", str),
}
TASK_KEYS = (*TASK_FIELDS, "schedule")
REQUIRED_TASK_KEYS = ("task_id", "task_name", "task_type", "task_function")
# Keys whose old-format spellings are read into the model's value first (priority "HIGH" → 200).
CONVERTERS = {"priority": parse_priority}
GROUP_FIELDS = {
    "group_id": ("group_id", str), "group_name": ("group_name", str), "description": ("description", str),
    "execution_mode": ("execution_mode", str), "enabled": ("enabled", bool),
    "stop_on_error": ("stop_on_error", bool), "timezone": ("timezone", str),
}
GROUP_KEYS = (*GROUP_FIELDS, "tasks", "schedule")
REQUIRED_GROUP_KEYS = ("group_id", "group_name", "tasks")
MODEL_TO_YAML = {"job": "task_function", **{k: f"schedule.{k}" for k in SCHEDULE_KEYS[:-1]}}


@dataclass
class ImportReport:
    """What an import found and did (or, on a dry run, would do)."""

    errors: list = field(default_factory=list)
    warnings: list = field(default_factory=list)
    notes: list = field(default_factory=list)
    created: list = field(default_factory=list)
    updated: list = field(default_factory=list)
    unchanged: list = field(default_factory=list)
    deleted: list = field(default_factory=list)
    groups_created: list = field(default_factory=list)
    groups_updated: list = field(default_factory=list)
    groups_deleted: list = field(default_factory=list)
    applied: bool = False

    @property
    def ok(self):
        return not self.errors

    def error(self, where, key, message):
        self.errors.append(f"{where}.{key}: {message}" if key else f"{where}: {message}")

    def warn(self, where, key, message):
        """Imported all the same, but will not work as written (e.g. refused when the job runs)."""
        self.warnings.append(f"{where}.{key}: {message}" if key else f"{where}: {message}")

    def note(self, where, key, message):
        """How a key of the old format was mapped, so nothing in the file is dropped unseen."""
        self.notes.append(f"{where}.{key}: {message}" if key else f"{where}: {message}")

    def as_dict(self):
        return {k: getattr(self, k) for k in (
            "errors", "warnings", "notes", "created", "updated", "unchanged", "deleted",
            "groups_created", "groups_updated", "groups_deleted", "applied",
        )}


def import_catalogue(text, *, replace=False, dry_run=False, actor=None, interface="system"):
    """Validate and (unless ``dry_run`` or invalid) apply a YAML/JSON catalogue; returns an ImportReport.

    Without ``replace`` tasks and groups are created or updated by id; with it, those missing
    from the document are deleted too. Nothing is written when any error is found.
    """
    report = ImportReport()
    document = _parse(text, report)
    if document is None:
        return report
    tasks = _build_tasks(document.get("tasks") or [], report)
    _check_task_graph(tasks, replace, report)
    groups = _build_groups(document.get("task_groups") or [], tasks, replace, report)
    if report.errors:
        return report
    _plan(tasks, groups, replace, report)
    if not dry_run:
        _apply(tasks, groups, report, actor=actor, interface=interface)
        audit.record(action="import", target_type="catalogue", actor=actor, interface=interface,
                     changes={k: v for k, v in report.as_dict().items()
                              if v and k not in ("errors", "warnings", "notes", "applied")})
    return report


def _parse(text, report):
    try:
        document = limits.load_yaml(text)
    except limits.InputTooLarge as exc:
        report.errors.append(_("document: refused, %(reason)s") % {"reason": exc})
        return None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        report.errors.append(f"YAML syntax error{where}: {getattr(exc, 'problem', None) or exc}")
        return None
    if not isinstance(document, dict):
        report.errors.append("document: must be a mapping with 'tasks' and 'task_groups'")
        return None
    where = limits.find_control_char(document)
    if where:
        report.errors.append(_("%(where)s: must not contain NUL or other control characters") % {"where": where})
        return None
    for key in document:
        if key not in TOP_KEYS:
            report.error("document", key, f"unknown key (expected one of: {', '.join(TOP_KEYS)})")
    _report_document_keys(document, report)
    for key in ("tasks", "task_groups"):
        if document.get(key) is not None and not isinstance(document[key], list):
            report.error("document", key, "must be a list")
            return None
    return document


def _report_document_keys(document, report):
    version = document.get("version")
    if version is not None and str(version) != FORMAT_VERSION:
        report.warn("document", "version", _("format version %(got)r read as %(expected)r")
                    % {"got": version, "expected": FORMAT_VERSION})
    if document.get("description"):
        report.note("document", "description", _("not stored (an export writes its own description)"))


def _check_keys(item, where, allowed, required, report):
    for key in item:
        if key not in allowed:
            report.error(where, key, _("unknown key (allowed: %(keys)s)") % {"keys": ", ".join(allowed)})
    for key in required:
        if item.get(key) in (None, ""):
            report.error(where, key, _("is required"))


def _type_ok(value, expected):
    if expected is int:
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, expected)


def _copy_fields(item, instance, fields, where, report):
    for key, (model_field, expected) in fields.items():
        if key not in item or item[key] is None:
            continue
        value = item[key]
        if key in CONVERTERS:
            try:
                value = CONVERTERS[key](value)
            except ValueError as exc:
                report.error(where, key, str(exc))
                continue
        if not _type_ok(value, expected):
            report.error(where, key, _("must be %(expected)s, got %(type)s") % {
                "expected": expected.__name__, "type": type(value).__name__})
            continue
        setattr(instance, model_field, value)


def _entries(items, *, kind, id_key, allowed, required, report):
    """Yield (where, item, id) for each mapping in ``items``, reporting bad shapes, keys and duplicates."""
    seen = set()
    for index, item in enumerate(items):
        ident = item.get(id_key) if isinstance(item, dict) else None
        where = f"{kind}[{index}]" + (f" ({ident})" if ident else "")
        if not isinstance(item, dict):
            report.error(where, None, _("must be a mapping"))
            continue
        _check_keys(item, where, allowed, required, report)
        if ident in seen:
            report.error(where, id_key, _("duplicate %(key)s %(id)r") % {"key": id_key, "id": ident})
            continue
        if isinstance(ident, str):
            seen.add(ident)
        yield where, item, ident


def _fresh(model, existing):
    """A new instance with defaults (a file is declarative: an omitted key means its default)
    that keeps the identity of ``existing``, so saving updates it in place with its history."""
    instance = model()
    if existing is not None:
        instance.pk, instance.created_at = existing.pk, existing.created_at
        instance._state.adding = False
        if hasattr(existing, "created_by_id"):
            instance.created_by_id = existing.created_by_id
    return instance


def _build_tasks(items, report):
    existing = {t.task_id: t for t in TaskDefinition.objects.all()}
    tasks = {}
    for where, item, task_id in _entries(items, kind="tasks", id_key="task_id", allowed=TASK_KEYS,
                                         required=REQUIRED_TASK_KEYS, report=report):
        instance = _fresh(TaskDefinition, existing.get(task_id))
        _copy_fields(item, instance, TASK_FIELDS, where, report)
        _copy_schedule(item, instance, where, report)
        valid = _validate_instance(instance, where, report)
        _report_task_mapping(item, instance, where, report, params_valid=valid)
        if isinstance(task_id, str):
            tasks[task_id] = instance
    return tasks


def _copy_schedule(item, instance, where, report):
    schedule = item.get("schedule")
    for name in ("cron_expression", "interval_seconds", "start_time", "end_time"):
        setattr(instance, name, "" if name == "cron_expression" else None)
    if schedule is None:
        instance.schedule_type = "none"
        return
    if not isinstance(schedule, dict):
        report.error(where, "schedule", _("must be a mapping"))
        return
    for key in schedule:
        if key not in SCHEDULE_KEYS:
            report.error(where, f"schedule.{key}", _("unknown key (allowed: %(keys)s)") % {
                "keys": ", ".join(SCHEDULE_KEYS)})
    instance.schedule_type = schedule.get("schedule_type") or "none"
    instance.cron_expression = str(schedule.get("cron_expression") or "")
    interval = schedule.get("interval_seconds")
    if interval is not None and not _type_ok(interval, int):
        report.error(where, "schedule.interval_seconds", _("must be %(expected)s, got %(type)s") % {
            "expected": "int", "type": type(interval).__name__})
    elif interval is not None and interval <= 0:
        report.error(where, "schedule.interval_seconds", _("must be greater than 0"))
    else:
        instance.interval_seconds = interval
    for key in ("start_time", "end_time"):
        setattr(instance, key, _parse_time(schedule.get(key), instance.timezone, where, key, report))
    if "enabled" in schedule and "enabled" in item and schedule["enabled"] != item["enabled"]:
        report.error(where, "schedule.enabled", _("contradicts the task's enabled"))
    elif "enabled" in schedule and "enabled" not in item:
        instance.enabled = bool(schedule["enabled"])


def _parse_time(value, tz_name, where, key, report):
    if value in (None, ""):
        return None
    moment = value if isinstance(value, datetime.datetime) else parse_datetime(str(value))
    if moment is None:
        report.error(where, f"schedule.{key}",
                     _("not a date-time: %(value)r (use 2026-01-31 09:30:00)") % {"value": value})
        return None
    if moment.tzinfo is None:
        try:
            moment = moment.replace(tzinfo=zoneinfo.ZoneInfo(tz_name))
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            return None  # the timezone field reports its own error
    return moment


def _validate_instance(instance, where, report):
    """Report the model's validation errors; True when there were none."""
    try:
        instance.full_clean(validate_unique=False)
    except ValidationError as exc:
        for model_field, messages in exc.message_dict.items():
            for message in messages:
                report.error(where, MODEL_TO_YAML.get(model_field, model_field), message)
        return False
    return True


def _report_task_mapping(item, instance, where, report, *, params_valid):
    """Notes on how old-format keys landed, and warnings for params the job will refuse at run time."""
    if item.get("task_module"):
        report.note(where, "task_module", _("%(module)r kept for reference only; the registered job %(job)r runs")
                    % {"module": item["task_module"], "job": instance.job})
    if params_valid and instance.schedule_type == "once" and instance.start_time <= timezone.now():
        report.warn(where, "schedule.start_time", _(
            "%(when)s is in the past: this one-off run is due at once and follows misfire_policy "
            "(%(policy)s) as a missed slot") % {"when": _local_iso(instance.start_time, instance.timezone),
                                                "policy": instance.misfire_policy})
    params = item.get("params")
    if not isinstance(params, dict):
        return
    for name in sorted(k for k, v in params.items() if v == ""):
        report.note(where, f"params.{name}", _("empty string read as not set"))
    if not params_valid:
        return  # the job and params errors are already reported
    for name, message in instance.job_spec.param_warnings(instance.params).items():
        report.warn(where, f"params.{name}", message)


def _check_task_graph(tasks, replace, report):
    graph = {} if replace else dict(TaskDefinition.objects.values_list("task_id", "dependencies"))
    graph.update({tid: t.dependencies for tid, t in tasks.items() if isinstance(t.dependencies, list)})
    for tid, task in tasks.items():
        missing = [d for d in (task.dependencies or []) if isinstance(d, str) and d not in graph]
        if missing:
            report.error(f"tasks ({tid})", "dependencies",
                         _("unknown task_id(s): %(ids)s") % {"ids": ", ".join(missing)})
    cycle = find_cycle({k: [d for d in v if d in graph] for k, v in graph.items()})
    if cycle:
        report.error("tasks", "dependencies", _("dependency cycle: %(cycle)s") % {"cycle": " -> ".join(cycle)})


def _build_groups(items, tasks, replace, report):
    known = set(tasks) | (set() if replace else set(TaskDefinition.objects.values_list("task_id", flat=True)))
    existing = {g.group_id: g for g in TaskGroup.objects.all()}
    groups = {}
    for where, item, group_id in _entries(items, kind="task_groups", id_key="group_id", allowed=GROUP_KEYS,
                                          required=REQUIRED_GROUP_KEYS, report=report):
        group = _fresh(TaskGroup, existing.get(group_id))
        _copy_fields(item, group, GROUP_FIELDS, where, report)
        _copy_group_schedule(item, group, where, report)
        members = _group_members(item.get("tasks"), known, where, report)
        _validate_instance(group, where, report)
        if isinstance(group_id, str):
            groups[group_id] = (group, members)
    return groups


def _copy_group_schedule(item, group, where, report):
    schedule = item.get("schedule")
    group.schedule_type, group.cron_expression, group.interval_seconds = "none", "", None
    if schedule is None:
        return
    if not isinstance(schedule, dict):
        report.error(where, "schedule", _("must be a mapping"))
        return
    for key in schedule:
        if key not in ("schedule_type", "cron_expression", "interval_seconds"):
            report.error(where, f"schedule.{key}", _("unknown key (allowed: %(keys)s)") % {
                "keys": "schedule_type, cron_expression, interval_seconds"})
    group.schedule_type = schedule.get("schedule_type") or "none"
    group.cron_expression = str(schedule.get("cron_expression") or "")
    group.interval_seconds = schedule.get("interval_seconds")


def _group_members(members, known, where, report):
    if not isinstance(members, list) or not all(isinstance(m, str) for m in members):
        if members is not None:
            report.error(where, "tasks", _("must be a list of task_ids"))
        return []
    missing = [m for m in members if m not in known]
    if missing:
        report.error(where, "tasks", _("unknown task_id(s): %(ids)s") % {"ids": ", ".join(missing)})
    if len(set(members)) != len(members):
        report.error(where, "tasks", _("a task appears twice"))
    return members


def _plan(tasks, groups, replace, report):
    existing = {t.task_id: t for t in TaskDefinition.objects.all()}
    for tid, task in tasks.items():
        if task.pk is None:
            report.created.append(tid)
        elif task_to_dict(existing[tid]) != task_to_dict(task):
            report.updated.append(tid)
        else:
            report.unchanged.append(tid)
    existing_groups = {g.group_id: g for g in TaskGroup.objects.prefetch_related("members__task")}
    for gid, (group, members) in groups.items():
        if group.pk is None:
            report.groups_created.append(gid)
        elif _group_changed(existing_groups[gid], group, members):
            report.groups_updated.append(gid)
    if replace:
        report.deleted = sorted(set(existing) - set(tasks))
        report.groups_deleted = sorted(set(TaskGroup.objects.values_list("group_id", flat=True)) - set(groups))


def _group_changed(old, new, members):
    fields = ("group_name", "description", "execution_mode", "enabled", "stop_on_error", "schedule_type",
              "cron_expression", "interval_seconds", "timezone")
    old_members = [m.task.task_id for m in sorted(old.members.all(), key=lambda m: m.position)]
    return old_members != members or any(getattr(old, f) != getattr(new, f) for f in fields)


@transaction.atomic
def _apply(tasks, groups, report, *, actor=None, interface="system"):
    changed_groups = set(report.groups_created + report.groups_updated)
    catalogue.save_catalogue(
        definitions=[task for tid, task in tasks.items() if tid not in report.unchanged],
        groups=[(group, members) for gid, (group, members) in groups.items() if gid in changed_groups],
        delete_task_ids=report.deleted, delete_group_ids=report.groups_deleted, actor=actor, interface=interface,
    )
    report.applied = True


def _local_iso(moment, tz_name):
    if not moment:
        return None
    try:
        return moment.astimezone(zoneinfo.ZoneInfo(tz_name)).isoformat()
    except (OverflowError, ValueError):  # a stored value out of range is shown as stored, in UTC
        return moment.isoformat()


def task_to_dict(task):
    """One task in the catalogue format (old task manager keys first, then ours)."""
    data = {
        "task_id": task.task_id, "task_name": task.task_name, "task_type": task.task_type,
        "task_module": task.task_module, "task_function": task.job, "description": task.description,
        "priority": task.priority,
    }
    if task.schedule_type != "none":
        schedule = {"schedule_type": task.schedule_type}
        if task.schedule_type == "cron":
            schedule["cron_expression"] = task.cron_expression
        if task.schedule_type == "interval":
            schedule["interval_seconds"] = task.interval_seconds
        if task.start_time:
            schedule["start_time"] = _local_iso(task.start_time, task.timezone)
        if task.end_time:
            schedule["end_time"] = _local_iso(task.end_time, task.timezone)
        schedule["enabled"] = task.enabled
        data["schedule"] = schedule
    data.update({
        "params": task.params, "timeout": task.timeout, "retry_count": task.retry_count,
        "retry_delay": task.retry_delay, "tags": list(task.tags), "dependencies": list(task.dependencies),
        "auto_restart": task.auto_restart, "stop_on_error": task.stop_on_error, "enabled": task.enabled,
        "paused": task.paused, "timezone": task.timezone, "trading_days_only": task.trading_days_only,
        "misfire_grace": task.misfire_grace, "misfire_policy": task.misfire_policy,
        "max_lateness": task.max_lateness, "concurrency_policy": task.concurrency_policy, "queue": task.queue,
    })
    return data


def group_to_dict(group):
    data = {
        "group_id": group.group_id, "group_name": group.group_name, "description": group.description,
        "tasks": group.member_task_ids(), "execution_mode": group.execution_mode, "enabled": group.enabled,
    }
    if group.stop_on_error is not None:  # unset: the members' own flags decide (TaskGroup docstring)
        data["stop_on_error"] = group.stop_on_error
    if group.schedule_type != "none":
        data["schedule"] = {"schedule_type": group.schedule_type}
        if group.schedule_type == "cron":
            data["schedule"]["cron_expression"] = group.cron_expression
        if group.schedule_type == "interval":
            data["schedule"]["interval_seconds"] = group.interval_seconds
        data["timezone"] = group.timezone
    return data


def export_catalogue(*, description="MyStocks Task Center catalogue", actor=None, interface="system"):
    """The whole catalogue as YAML text, in a stable order."""
    audit.record(action="export", target_type="catalogue", actor=actor, interface=interface)
    document = {
        "version": FORMAT_VERSION,
        "description": description,
        "tasks": [task_to_dict(t) for t in TaskDefinition.objects.order_by("task_id")],
        "task_groups": [group_to_dict(g) for g in TaskGroup.objects.order_by("group_id")],
    }
    return yaml.safe_dump(document, allow_unicode=True, sort_keys=False, default_flow_style=False, width=120)


@dataclass
class _KeyedReport(ImportReport):
    """An ImportReport that also keeps the messages by YAML key, for one-task callers (the API)."""

    by_key: dict = field(default_factory=dict)

    def error(self, where, key, message):
        super().error(where, key, message)
        self.by_key.setdefault(key or "non_field_errors", []).append(message)


def build_task_definition(item, *, existing=None):
    """One TaskDefinition (unsaved) from one task in the catalogue format; returns (definition, errors).

    ``errors`` maps catalogue keys (``task_function``, ``schedule.cron_expression`` …) to messages,
    with the same checks as an import. With ``existing`` the result keeps its identity, so saving
    it updates that definition in place (executions and statistics stay); omitted keys take
    their defaults, as in a file. Dependencies are checked when the caller saves it.
    """
    report = _KeyedReport()
    if not isinstance(item, dict):
        return None, {"non_field_errors": ["must be a mapping"]}
    _check_keys(item, "task", TASK_KEYS, REQUIRED_TASK_KEYS, report)
    instance = _fresh(TaskDefinition, existing)
    _copy_fields(item, instance, TASK_FIELDS, "task", report)
    _copy_schedule(item, instance, "task", report)
    _validate_instance(instance, "task", report)
    return instance, report.by_key
