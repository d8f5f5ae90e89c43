"""Saving, deleting and switching task definitions and groups: every save path goes through here.

Admin, pages, API, commands and imports call these functions, so validation (job, params,
schedule, dependency cycles), the beat sync and one audit entry per changed object happen the
same way whichever door was used. An import writes through ``save_catalogue``.
"""
from graphlib import TopologicalSorter

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from . import audit, scheduling
from .models import TaskDefinition, TaskGroup, TaskGroupMember


def find_cycle(graph):
    """Return one dependency cycle in ``graph`` ({task_id: [upstream ids]}) as a list, or None."""
    state = {}

    def visit(node, path):
        state[node] = "visiting"
        for upstream in graph.get(node, ()):
            if state.get(upstream) == "visiting":
                return path[path.index(upstream):] + [upstream]
            if upstream not in state:
                cycle = visit(upstream, path + [upstream])
                if cycle:
                    return cycle
        state[node] = "done"
        return None

    for node in sorted(graph):
        if node not in state:
            cycle = visit(node, [node])
            if cycle:
                return cycle
    return None


def dependency_errors(definition, graph=None):
    """Messages for unknown upstreams and cycles when ``definition`` joins ``graph`` (default: the database)."""
    if graph is None:
        graph = dict(TaskDefinition.objects.exclude(pk=definition.pk).values_list("task_id", "dependencies"))
    missing = [dep for dep in definition.dependencies if dep not in graph]
    if missing:
        return [_("unknown task_id(s): %(ids)s") % {"ids": ", ".join(missing)}]
    cycle = find_cycle({**graph, definition.task_id: definition.dependencies})
    if cycle:
        return [_("dependency cycle: %(cycle)s") % {"cycle": " -> ".join(cycle)}]
    return []


def validate_definition(definition):
    """Full validation of one definition against the database; raises ValidationError by field."""
    errors = {}
    try:
        definition.full_clean()
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if "dependencies" not in errors:
        deps = dependency_errors(definition)
        if deps:
            errors["dependencies"] = deps
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def save_task_definition(definition, *, actor=None, interface="system"):
    """Validate and save ``definition`` and bring its beat schedule in line; returns it.

    An existing definition is updated in place, so its executions and statistics stay.
    """
    validate_definition(definition)
    creating = definition.pk is None
    before = {} if creating else audit.snapshot(TaskDefinition.objects.get(pk=definition.pk))
    if creating and getattr(actor, "is_authenticated", False):
        definition.created_by = actor
    definition.save()
    scheduling.sync_periodic_task(definition)
    changes = audit.diff(before, audit.snapshot(definition))
    if creating or changes:
        audit.record(action="create" if creating else "update", target_type="task",
                     target_id=definition.task_id, actor=actor, interface=interface,
                     changes={} if creating else changes)
    return definition


@transaction.atomic
def delete_task_definition(definition, *, actor=None, interface="system"):
    """Delete a definition (its executions go with it) and its beat schedule."""
    dependants = [
        t.task_id for t in TaskDefinition.objects.exclude(pk=definition.pk) if definition.task_id in t.dependencies
    ]
    if dependants:
        raise ValidationError({"task_id": [_("%(dependants)s depend on %(task)s") % {
            "dependants": ", ".join(dependants), "task": definition.task_id}]})
    scheduling.remove_periodic_task(definition)
    audit.record(action="delete", target_type="task", target_id=definition.task_id, actor=actor,
                 interface=interface, changes={"snapshot": audit.snapshot(definition)})
    definition.delete()


def _update_flags(definitions, *, action, actor, interface, **flags):
    """Bulk enable/disable/pause/resume: a beat sync and an audit entry each, one reload signal."""
    with transaction.atomic():
        for definition in definitions:
            changes = {f: [getattr(definition, f), v] for f, v in flags.items() if getattr(definition, f) != v}
            for field, value in flags.items():
                setattr(definition, field, value)
            definition.save(update_fields=[*flags, "updated_at"])
            scheduling.sync_periodic_task(definition)
            audit.record(action=action, target_type="task", target_id=definition.task_id, actor=actor,
                         interface=interface, changes=changes)
        scheduling.schedules_changed()
    return len(definitions)


def set_enabled(definitions, enabled, *, actor=None, interface="system"):
    return _update_flags(list(definitions), enabled=enabled, action="enable" if enabled else "disable",
                         actor=actor, interface=interface)


def set_paused(definitions, paused, *, actor=None, interface="system"):
    return _update_flags(list(definitions), paused=paused, action="pause" if paused else "resume",
                         actor=actor, interface=interface)


@transaction.atomic
def save_group(group, member_task_ids, *, actor=None, interface="system"):
    """Validate and save a group with its members in order, and its beat schedule."""
    group.full_clean()
    creating = group.pk is None
    tasks = {t.task_id: t for t in TaskDefinition.objects.filter(task_id__in=member_task_ids)}
    missing = [tid for tid in member_task_ids if tid not in tasks]
    if missing:
        raise ValidationError({"tasks": [_("unknown task_id(s): %(ids)s") % {"ids": ", ".join(missing)}]})
    if len(set(member_task_ids)) != len(member_task_ids):
        raise ValidationError({"tasks": [_("a task appears twice in the group")]})
    group.save()
    group.members.all().delete()
    TaskGroupMember.objects.bulk_create(
        TaskGroupMember(group=group, task=tasks[tid], position=i) for i, tid in enumerate(member_task_ids)
    )
    scheduling.sync_group_periodic_task(group)
    audit.record(action="create" if creating else "update", target_type="group",
                 target_id=group.group_id, actor=actor, interface=interface,
                 changes={"members": member_task_ids})
    return group


@transaction.atomic
def delete_group(group, *, actor=None, interface="system"):
    scheduling.remove_group_periodic_task(group)
    audit.record(action="delete", target_type="group", target_id=group.group_id, actor=actor, interface=interface)
    group.delete()


def upstreams_first(definitions):
    """``definitions`` ordered so that each comes after those of its upstreams in the list."""
    by_id = {d.task_id: d for d in definitions}
    graph = {tid: [dep for dep in d.dependencies if dep in by_id] for tid, d in by_id.items()}
    return [by_id[tid] for tid in TopologicalSorter(graph).static_order()]


@transaction.atomic
def save_catalogue(*, definitions, groups, delete_task_ids=(), delete_group_ids=(), actor=None,
                   interface="system"):
    """Write a whole catalogue (an import) with the same save and delete functions as one object.

    ``groups`` is [(group, member task_ids)]. Definitions are saved upstreams first, so each one's
    dependencies exist when it is validated; deletions follow downstream first, once no kept
    definition still depends on them. Each changed object gets its audit entry; beat reloads once.
    """
    for group in TaskGroup.objects.filter(group_id__in=delete_group_ids):
        delete_group(group, actor=actor, interface=interface)
    for definition in upstreams_first(definitions):
        save_task_definition(definition, actor=actor, interface=interface)
    for definition in reversed(upstreams_first(TaskDefinition.objects.filter(task_id__in=delete_task_ids))):
        delete_task_definition(definition, actor=actor, interface=interface)
    for group, member_task_ids in groups:
        save_group(group, member_task_ids, actor=actor, interface=interface)
    scheduling.schedules_changed()
