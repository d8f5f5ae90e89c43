"""Executions, groups, group runs, the audit log and the job registry."""
from django.db.models import Prefetch
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from .. import control, retention
from ..groups import start_group_run
from ..models import ACTIVE_STATUSES, AuditLog, GroupRun, TaskExecution, TaskGroup
from ..registry import all_jobs
from .base import ApiViewMixin, int_param
from .filters import AuditLogFilter, ExecutionFilter, GroupRunFilter
from .pagination import CappedCountPagination, TaskPagination
from .serializers import (
    AuditLogSerializer,
    CleanupResponseSerializer,
    ExecutionDetailSerializer,
    ExecutionSerializer,
    GroupRunSerializer,
    GroupSerializer,
    GroupStartResponseSerializer,
    JobSerializer,
    StopResponseSerializer,
)

LIST_DEFERRED = ("log", "traceback", "result", "task__description", "task__params")


@extend_schema(tags=["executions"])
class ExecutionViewSet(ApiViewMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Executions, newest first. The list leaves out log and traceback; fetch one execution for them."""

    filterset_class = ExecutionFilter
    pagination_class = CappedCountPagination
    permission_model = TaskExecution
    action_rules = {"stop": "stop_execution", "cleanup": "cleanup_executions", "log": "view"}

    def get_queryset(self):
        rows = TaskExecution.objects.select_related("task", "created_by").order_by("-created_at", "-id")
        return rows.defer(*LIST_DEFERRED) if self.action == "list" else rows

    def get_serializer_class(self):
        return ExecutionSerializer if self.action == "list" else ExecutionDetailSerializer

    @extend_schema(responses={(200, "text/plain"): OpenApiTypes.STR})
    @action(detail=True, methods=["get"], filterset_class=None)
    def log(self, request, pk=None):
        execution = self.get_object()
        response = HttpResponse(execution.log, content_type="text/plain; charset=utf-8")
        filename = f"{execution.task.task_id}-{execution.pk}.log"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response

    @extend_schema(request=None, responses=ExecutionDetailSerializer)
    @action(detail=True, methods=["post"], filterset_class=None)
    def stop(self, request, pk=None):
        execution = control.stop_execution(self.get_object(), actor=request.user, interface="api")
        return Response(ExecutionDetailSerializer(execution).data)

    @extend_schema(request=None, responses={200: CleanupResponseSerializer}, filters=False,
                   parameters=[OpenApiParameter("days", int, required=True,
                                                description="delete finished executions older than this (1–3650)")])
    @action(detail=False, methods=["delete"], filterset_class=None, pagination_class=None)
    def cleanup(self, request):
        days = int_param(request.query_params, "days", default=None, minimum=1, maximum=3650)
        deleted = retention.delete_old_executions(days=days, actor=request.user, interface="api")
        return Response({"success": True, "message": f"deleted {deleted} executions older than {days} days",
                         "deleted": deleted, "days": days})


@extend_schema(tags=["groups"])
class GroupViewSet(ApiViewMixin, viewsets.ReadOnlyModelViewSet):
    """Task groups (ordered members, sequential or parallel)."""

    serializer_class = GroupSerializer
    lookup_field = "group_id"
    lookup_value_regex = r"[A-Za-z0-9_.-]+"
    pagination_class = TaskPagination
    permission_model = TaskGroup
    action_rules = {"start": "run_group", "stop": "stop_group_run"}
    queryset = TaskGroup.objects.prefetch_related("members__task")

    @extend_schema(request=None, responses={202: GroupStartResponseSerializer})
    @action(detail=True, methods=["post"])
    def start(self, request, group_id=None):
        run = start_group_run(group=self.get_object(), actor=request.user, interface="api")
        run = group_runs().get(pk=run.pk)
        return Response({"success": True, "message": f"group {group_id} started",
                         "group_run": GroupRunSerializer(run).data}, status=status.HTTP_202_ACCEPTED)

    @extend_schema(request=None, responses=StopResponseSerializer)
    @action(detail=True, methods=["post"])
    def stop(self, request, group_id=None):
        runs = list(GroupRun.objects.filter(group=self.get_object(), status__in=ACTIVE_STATUSES))
        stopped = sum(control.stop_group_run(run, actor=request.user, interface="api") for run in runs)
        return Response({"success": True, "message": f"{stopped} group run(s) stopped", "stopped": stopped})


def group_runs():
    members = TaskExecution.objects.select_related("task").only(
        "id", "task__task_id", "status", "started_at", "finished_at", "duration", "error", "group_run_id",
    ).order_by("created_at", "id")
    return GroupRun.objects.select_related("group").prefetch_related(Prefetch("executions", queryset=members))


@extend_schema(tags=["groups"])
class GroupRunViewSet(ApiViewMixin, viewsets.ReadOnlyModelViewSet):
    """Group runs, newest first, with their member executions."""

    serializer_class = GroupRunSerializer
    filterset_class = GroupRunFilter
    pagination_class = TaskPagination
    permission_model = GroupRun

    def get_queryset(self):
        return group_runs().order_by("-created_at", "-id")


@extend_schema(tags=["audit"])
class AuditLogViewSet(ApiViewMixin, viewsets.ReadOnlyModelViewSet):
    """Who created, changed, deleted, ran, stopped, imported what, from which interface."""

    serializer_class = AuditLogSerializer
    filterset_class = AuditLogFilter
    pagination_class = CappedCountPagination
    permission_model = AuditLog
    queryset = AuditLog.objects.order_by("-created_at", "-id")


@extend_schema(tags=["jobs"])
class JobViewSet(ApiViewMixin, viewsets.ViewSet):
    """Registered jobs with their declared params (for form generators)."""

    permission_model = TaskExecution
    lookup_value_regex = r"[A-Za-z0-9_.-]+"

    @extend_schema(responses=JobSerializer(many=True))
    def list(self, request):
        return Response([spec.describe() for spec in all_jobs().values()])

    @extend_schema(responses=JobSerializer)
    def retrieve(self, request, pk=None):
        spec = all_jobs().get(pk)
        if spec is None:
            return Response({"detail": f"no job {pk!r}", "errors": {}}, status=status.HTTP_404_NOT_FOUND)
        return Response(spec.describe())
