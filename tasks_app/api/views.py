"""Tasks: the old task manager's /api/tasks/… paths (register, start, stop, statistics, health …)."""
import json

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.dateparse import parse_date
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import parsers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from .. import catalogue, catalogue_yaml, control, health, limits, permissions, retention, slots, stats
from ..dispatch import run_task_now
from ..models import TaskDefinition, Trigger
from . import examples
from .base import ApiViewMixin, bool_param, int_param
from .filters import TaskFilter
from .pagination import TaskPagination
from .parsers import BoundedJSONParser, PayloadTooLarge
from .serializers import (
    CleanupResponseSerializer,
    ErrorSerializer,
    ExecutionSerializer,
    ImportReportSerializer,
    ImportRequestSerializer,
    NextRunsSerializer,
    StartRequestSerializer,
    StartResponseSerializer,
    StatisticsSerializer,
    StopResponseSerializer,
    TaskConfigSerializer,
    TaskSerializer,
)

START_KEYS = {"params", "with_upstreams"}


class TextParser(parsers.BaseParser):
    """A raw YAML or JSON document as text (POST /api/tasks/import)."""

    media_type = "*/*"

    def parse(self, stream, media_type=None, parser_context=None):
        return stream.read().decode("utf-8", errors="replace")


class YamlTextParser(TextParser):
    media_type = "application/x-yaml"


class TextYamlParser(TextParser):
    media_type = "text/yaml"


class PlainTextParser(TextParser):
    media_type = "text/plain"


@extend_schema(tags=["tasks"])
class TaskViewSet(ApiViewMixin, viewsets.ModelViewSet):
    """Task definitions. Writes take the old task manager's TaskConfig JSON (the YAML catalogue format)."""

    serializer_class = TaskSerializer
    lookup_field = "task_id"
    lookup_value_regex = r"[A-Za-z0-9_.-]+"
    filterset_class = TaskFilter
    pagination_class = TaskPagination
    permission_model = TaskDefinition
    action_rules = {
        "start": "run_task", "stop": "stop_task", "pause": "pause_task", "resume": "pause_task",
        "register": "create_task", "create": "create_task", "update": "change_task", "partial_update": "change_task",
        "destroy": "delete_task", "import_catalogue": "import", "cleanup_audit": "cleanup_audit",
        "export": "export", "statistics": "view", "next_runs": "view", "health": "view",
    }

    def get_queryset(self):
        return stats.with_last_run(TaskDefinition.objects.all())

    def _respond(self, task, code=status.HTTP_200_OK):
        return Response(self.get_serializer(self.get_queryset().get(pk=task.pk)).data, status=code)

    # --- create / edit ------------------------------------------------------------------

    @extend_schema(request=TaskConfigSerializer, responses={201: TaskSerializer, 409: ErrorSerializer},
                   examples=[examples.REGISTER_REQUEST])
    def create(self, request, *args, **kwargs):
        body = _mapping(request.data)
        if TaskDefinition.objects.filter(task_id=body.get("task_id")).exists():
            return Response({"detail": f"task {body['task_id']} already exists",
                             "errors": {"task_id": ["a task with this task_id already exists"]}}, status=409)
        return self._respond(_save(body, request), status.HTTP_201_CREATED)

    @extend_schema(request=TaskConfigSerializer, responses={201: TaskSerializer, 409: ErrorSerializer},
                   examples=[examples.REGISTER_REQUEST], summary="Register a task (old task manager path)")
    @action(detail=False, methods=["post"], url_path="register")
    def register(self, request):
        return self.create(request)

    @extend_schema(request=TaskConfigSerializer, responses=TaskSerializer)
    def update(self, request, *args, **kwargs):
        task = self.get_object()
        body = _mapping(request.data)
        if kwargs.get("partial"):
            body = _patched(task, body)
        if body.setdefault("task_id", task.task_id) != task.task_id:
            raise ValidationError({"task_id": ["cannot be changed; register a new task instead"]})
        return self._respond(_save(body, request, existing=task))

    @extend_schema(request=TaskConfigSerializer(partial=True), responses=TaskSerializer)
    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, partial=True, **kwargs)

    def destroy(self, request, *args, **kwargs):
        catalogue.delete_task_definition(self.get_object(), actor=request.user, interface="api")
        return Response(status=status.HTTP_204_NO_CONTENT)

    # --- verbs -------------------------------------------------------------------------

    @extend_schema(request=StartRequestSerializer, responses={202: StartResponseSerializer},
                   examples=[examples.START_WRAPPED, examples.START_BARE, examples.START_RESPONSE])
    @action(detail=True, methods=["post"])
    def start(self, request, task_id=None):
        params, with_upstreams = _start_arguments(request.data)
        execution = run_task_now(task=self.get_object(), actor=request.user, params=params, trigger=Trigger.API,
                                 with_upstreams=with_upstreams, interface="api")
        return Response({
            "success": True, "message": f"task {task_id} started", "task_id": task_id,
            "execution_id": execution.pk, "status": execution.status, "skip_reason": execution.skip_reason,
            "execution": ExecutionSerializer(execution).data,
        }, status=status.HTTP_202_ACCEPTED)

    @extend_schema(request=None, responses=StopResponseSerializer)
    @action(detail=True, methods=["post"])
    def stop(self, request, task_id=None):
        stopped = control.stop_task(self.get_object(), actor=request.user, interface="api")
        return Response({"success": True, "message": f"{stopped} execution(s) asked to stop", "stopped": stopped})

    @extend_schema(request=None, responses=TaskSerializer)
    @action(detail=True, methods=["post"])
    def pause(self, request, task_id=None):
        task = self.get_object()
        catalogue.set_paused([task], True, actor=request.user, interface="api")
        return self._respond(task)

    @extend_schema(request=None, responses=TaskSerializer)
    @action(detail=True, methods=["post"])
    def resume(self, request, task_id=None):
        task = self.get_object()
        catalogue.set_paused([task], False, actor=request.user, interface="api")
        return self._respond(task)

    @extend_schema(parameters=[OpenApiParameter("n", int, description="how many (1–100, default 5)")],
                   responses=NextRunsSerializer)
    @action(detail=True, methods=["get"], url_path="next-runs")
    def next_runs(self, request, task_id=None):
        task = self.get_object()
        n = int_param(request.query_params, "n", default=5, minimum=1, maximum=100)
        return Response({"task_id": task.task_id, "schedule_description": task.describe_schedule(),
                         "next_runs": task.next_run_times(n)})

    # --- collection reads ----------------------------------------------------------------

    @extend_schema(
        parameters=[
            OpenApiParameter("task_id", str, description="one task only"),
            OpenApiParameter("since", OpenApiTypes.DATE, description="count executions from this day on"),
            OpenApiParameter("days", int, description="days in the daily chart (1–90, default 14)"),
        ],
        responses=StatisticsSerializer, filters=False,
    )
    @action(detail=False, methods=["get"], url_path="statistics", filterset_class=None, pagination_class=None)
    def statistics(self, request):
        query = request.query_params
        task = get_object_or_404(TaskDefinition, task_id=query["task_id"]) if query.get("task_id") else None
        since = _date_param(query, "since")
        days = int_param(query, "days", default=14, minimum=1, maximum=90)
        stats.ensure_recent_rollups()
        daily = stats.daily_status_counts(days=max(days, 7))
        return Response({
            "global": stats.global_statistics(week=daily[-7:]),
            "tasks": stats.task_statistics(tasks=[task] if task else None, since=since),
            "daily": daily[-days:] if task is None else stats.daily_status_counts(days=days, task=task),
        })

    @extend_schema(responses={200: OpenApiTypes.OBJECT, 503: OpenApiTypes.OBJECT}, filters=False,
                   auth=[], examples=[examples.HEALTH_RESPONSE])
    @action(detail=False, methods=["get"], permission_classes=[AllowAny], filterset_class=None,
            pagination_class=None)
    def health(self, request):
        """Public: each component's status; staff also see the details (hosts, errors, worker names)."""
        report = health.cached_system_health()
        code = status.HTTP_503_SERVICE_UNAVAILABLE if report.get("status") == "down" else status.HTTP_200_OK
        if not (request.user.is_authenticated and request.user.is_staff):
            report = health.public_report(report)
        return Response(report, status=code)

    # --- catalogue import / export / housekeeping -----------------------------------------

    @extend_schema(
        request={"application/json": ImportRequestSerializer, "multipart/form-data": OpenApiTypes.OBJECT,
                 "application/x-yaml": OpenApiTypes.STR, "text/yaml": OpenApiTypes.STR},
        parameters=[OpenApiParameter("dry_run", bool), OpenApiParameter("replace", bool)],
        responses={200: ImportReportSerializer, 400: ErrorSerializer}, filters=False,
        examples=[examples.IMPORT_REQUEST],
    )
    @action(detail=False, methods=["post"], url_path="import", filterset_class=None, pagination_class=None,
            parser_classes=[BoundedJSONParser, parsers.MultiPartParser, parsers.FormParser,
                            YamlTextParser, TextYamlParser, PlainTextParser])
    def import_catalogue(self, request):
        content = _document_text(request)
        if len(content.encode("utf-8", errors="replace")) > limits.MAX_DOCUMENT_BYTES:
            raise PayloadTooLarge(f"catalogue larger than {limits.MAX_DOCUMENT_BYTES // (1024 * 1024)} MB")
        options = request.data if isinstance(request.data, dict) else {}
        dry_run = bool_param(request.query_params, "dry_run", default=bool_param(options, "dry_run"))
        replace = bool_param(request.query_params, "replace", default=bool_param(options, "replace"))
        if replace and not permissions.allowed(request.user, "import_replace"):
            raise PermissionDenied("replace deletes tasks missing from the document: it needs the delete permission")
        report = catalogue_yaml.import_catalogue(content, replace=replace, dry_run=dry_run, actor=request.user,
                                                 interface="api")
        body = {**report.as_dict(), "dry_run": dry_run}
        if not report.ok:
            return Response({"detail": f"import rejected: {len(report.errors)} error(s), nothing written",
                             "errors": {"document": report.errors}, "report": body}, status=400)
        return Response(body)

    @extend_schema(request=None, responses={(200, "application/x-yaml"): OpenApiTypes.OBJECT}, filters=False,
                   description="The whole catalogue as a YAML document (tasks.yaml).")
    @action(detail=False, methods=["get", "post"], filterset_class=None, pagination_class=None)
    def export(self, request):
        text = catalogue_yaml.export_catalogue(actor=request.user, interface="api")
        response = HttpResponse(text, content_type="application/x-yaml; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="tasks.yaml"'
        return response

    @extend_schema(request=None, responses=CleanupResponseSerializer, filters=False,
                   parameters=[OpenApiParameter("days", int, description="keep this many days (1–3650, default 90)")])
    @action(detail=False, methods=["post"], url_path="cleanup/audit", filterset_class=None, pagination_class=None)
    def cleanup_audit(self, request):
        source = request.query_params if "days" in request.query_params else _mapping(request.data or {})
        days = int_param(source, "days", default=90, minimum=1, maximum=3650)
        deleted = retention.delete_old_audit(days=days, actor=request.user, interface="api")
        return Response({"success": True, "message": f"deleted {deleted} audit entries older than {days} days",
                         "deleted": deleted, "days": days})


def _mapping(data):
    if hasattr(data, "dict") and not isinstance(data, dict):
        data = data.dict()
    if not isinstance(data, dict):
        raise ValidationError({"non_field_errors": ["the request body must be a JSON object"]})
    return dict(data)


def _save(body, request, existing=None):
    """Validate the catalogue-format body with TaskConfigSerializer and save it (catalogue service)."""
    serializer = TaskConfigSerializer(existing, data=body, context={"request": request})
    serializer.is_valid(raise_exception=True)
    return serializer.save()


def _patched(task, body):
    """The task in catalogue format with ``body`` over it; a given schedule replaces the old one."""
    merged = catalogue_yaml.task_to_dict(task)
    if "enabled" in body and "schedule" not in body and merged.get("schedule"):
        merged["schedule"].pop("enabled", None)
    merged.update(body)
    return merged


def _start_arguments(data):
    """(params, with_upstreams) from ``{"params": {...}, "with_upstreams": b}`` or a bare params object."""
    if data in (None, "") or (hasattr(data, "__len__") and not len(data)):
        return None, False
    data = _mapping(data)
    with_upstreams = bool_param(data, "with_upstreams")
    if set(data) <= START_KEYS:
        params = data.get("params")
        if params is not None and not isinstance(params, dict):
            raise ValidationError({"params": ["must be an object of param name to value"]})
        return params, with_upstreams
    return {k: v for k, v in data.items() if k != "with_upstreams"}, with_upstreams


def _date_param(query, name):
    raw = query.get(name)
    if not raw:
        return None
    try:
        value = parse_date(raw)
    except ValueError:
        value = None
    if value is None:
        raise ValidationError({name: [f"not a date: {raw!r} (use 2026-01-31)"]})
    if not slots.MIN_YEAR <= value.year <= slots.MAX_YEAR:
        raise ValidationError({name: [f"must be between the years {slots.MIN_YEAR} and {slots.MAX_YEAR}"]})
    return value


def _document_text(request):
    """The catalogue document from an upload, a raw YAML/JSON body or {"content": "..."}; never a path."""
    data = request.data
    if isinstance(data, str):
        return data
    upload = request.FILES.get("file") if hasattr(request, "FILES") else None
    if upload is not None:
        try:
            return upload.read().decode("utf-8")
        except UnicodeDecodeError:
            raise ValidationError({"file": ["must be UTF-8 text"]}) from None
    if isinstance(data, dict) and "content" in data:
        if not isinstance(data["content"], str):
            raise ValidationError({"content": ["must be the document as a string"]})
        return data["content"]
    if isinstance(data, dict) and {"tasks", "task_groups", "version"} & set(data):
        return json.dumps(data)
    raise ValidationError({"file": ["send the catalogue as a file upload, a YAML/JSON body or {\"content\": ...}"]})
