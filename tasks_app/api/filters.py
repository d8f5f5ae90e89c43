"""Query filters for the list endpoints (django-filter)."""
import datetime

import django_filters as filters
from django import forms
from django.db import connection
from django.db.models import Q
from django_filters.fields import IsoDateTimeField

from ..models import AuditLog, GroupRun, Status, TaskDefinition, TaskExecution, Trigger
from ..registry import task_type_choices


class UtcDateTimeField(IsoDateTimeField):
    """An ISO 8601 moment, normalised to UTC.

    PostgreSQL rejects offsets beyond ±15:59 (psycopg passes the offset through), and a moment
    near year 1 may not exist in UTC at all; both are a 400 here, not a database error.
    """

    def to_python(self, value):
        moment = super().to_python(value)
        if moment is None:
            return None
        try:
            return moment.astimezone(datetime.timezone.utc)
        except (OverflowError, ValueError):
            raise forms.ValidationError(f"date-time out of range: {value}", code="invalid") from None


class UtcDateTimeFilter(filters.IsoDateTimeFilter):
    field_class = UtcDateTimeField


def _csv(value):
    return [v.strip() for v in value.split(",") if v.strip()]


class TaskFilter(filters.FilterSet):
    task_type = filters.MultipleChoiceFilter(choices=task_type_choices)  # called per request: the registry's
    tags = filters.CharFilter(method="filter_tags", help_text="comma-separated; a task must carry all of them")
    enabled = filters.BooleanFilter()
    paused = filters.BooleanFilter()
    job = filters.CharFilter()
    schedule_type = filters.CharFilter()
    last_status = filters.MultipleChoiceFilter(choices=Status.choices, field_name="last_status")
    search = filters.CharFilter(method="filter_search", help_text="in task_id, task_name and description")

    class Meta:
        model = TaskDefinition
        fields = ["task_type", "tags", "enabled", "paused", "job", "schedule_type", "last_status", "search"]

    def filter_tags(self, queryset, name, value):
        for tag in _csv(value):
            if connection.vendor == "postgresql":
                queryset = queryset.filter(tags__contains=[tag])
            else:  # SQLite has no JSON containment; match the quoted element in the JSON text
                queryset = queryset.filter(tags__icontains=f'"{tag}"')
        return queryset

    def filter_search(self, queryset, name, value):
        return queryset.filter(
            Q(task_id__icontains=value) | Q(task_name__icontains=value) | Q(description__icontains=value)
        )


class ExecutionFilter(filters.FilterSet):
    task_id = filters.CharFilter(method="filter_task_id", help_text="one task_id or several, comma-separated")
    status = filters.MultipleChoiceFilter(choices=Status.choices)
    trigger = filters.MultipleChoiceFilter(choices=Trigger.choices)
    # Bounded: a 20-digit id overflowed PostgreSQL's bigint (500 instead of 400).
    group_run = filters.NumberFilter(field_name="group_run_id", min_value=1, max_value=2**63 - 1, decimal_places=0)
    created_after = UtcDateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = UtcDateTimeFilter(field_name="created_at", lookup_expr="lt")
    started_after = UtcDateTimeFilter(field_name="started_at", lookup_expr="gte")
    started_before = UtcDateTimeFilter(field_name="started_at", lookup_expr="lt")

    class Meta:
        model = TaskExecution
        fields = ["task_id", "status", "trigger", "group_run"]

    def filter_task_id(self, queryset, name, value):
        return queryset.filter(task__task_id__in=_csv(value))


class AuditLogFilter(filters.FilterSet):
    action = filters.CharFilter(method="filter_action", help_text="one action or several, comma-separated")
    target_type = filters.CharFilter()
    target_id = filters.CharFilter()
    actor = filters.CharFilter(field_name="actor_name", help_text="username")
    interface = filters.MultipleChoiceFilter(choices=AuditLog.Interface.choices)
    created_after = UtcDateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = UtcDateTimeFilter(field_name="created_at", lookup_expr="lt")

    class Meta:
        model = AuditLog
        fields = ["action", "target_type", "target_id", "actor", "interface"]

    def filter_action(self, queryset, name, value):
        return queryset.filter(action__in=_csv(value))


class GroupRunFilter(filters.FilterSet):
    group_id = filters.CharFilter(field_name="group__group_id")
    status = filters.MultipleChoiceFilter(choices=Status.choices)
    created_after = UtcDateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = UtcDateTimeFilter(field_name="created_at", lookup_expr="lt")

    class Meta:
        model = GroupRun
        fields = ["group_id", "status"]
