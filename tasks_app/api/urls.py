"""/api/…: the old task manager's paths, the schema and the docs.

Routes accept a missing trailing slash (the old clients call /api/tasks/register and
/api/tasks/statistics/ alike). More specific prefixes are registered first, so
/api/tasks/executions/ and /api/tasks/audit/logs are never read as a task_id.
"""
from django.urls import re_path
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.routers import SimpleRouter

from .exceptions import not_found
from .schema import ApiAutoSchema
from .views import TaskViewSet
from .views_runs import AuditLogViewSet, ExecutionViewSet, GroupRunViewSet, GroupViewSet, JobViewSet


class OptionalSlashRouter(SimpleRouter):
    def __init__(self):
        super().__init__()
        self.trailing_slash = "/?"


class TokenView(ObtainAuthToken):
    """POST username and password; returns {"token": "..."} for the ``Authorization: Token …`` header."""

    schema = ApiAutoSchema()


@extend_schema(exclude=True)
class SchemaView(SpectacularAPIView):
    pass


@extend_schema(exclude=True)
class DocsView(SpectacularSwaggerSplitView):
    """Swagger UI with its start-up script served as a file (?script), as the Content-Security-Policy needs."""


router = OptionalSlashRouter()
router.register("tasks/executions", ExecutionViewSet, basename="execution")
router.register("tasks/audit/logs", AuditLogViewSet, basename="auditlog")
router.register("tasks", TaskViewSet, basename="task")
router.register("groups/runs", GroupRunViewSet, basename="grouprun")
router.register("groups", GroupViewSet, basename="group")
router.register("jobs", JobViewSet, basename="job")

urlpatterns = [
    re_path(r"^auth/token/?$", TokenView.as_view(), name="api-token"),
    re_path(r"^schema/?$", SchemaView.as_view(), name="api-schema"),
    re_path(r"^docs/?$", DocsView.as_view(url_name="api-schema"), name="api-docs"),
    *router.urls,
    re_path(r"^[\s\S]*$", not_found),  # newlines too: Django's HTML 404 must not answer under /api/
]
