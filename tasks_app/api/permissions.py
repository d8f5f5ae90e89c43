"""Who may do what: login to read; each write names its action, and tasks_app.permissions says what it needs.

Views map their DRF actions to rule names in ``action_rules``; other writes map like
DjangoModelPermissions (POST add, PUT/PATCH change, DELETE delete) on the view's
``permission_model``. Staff status grants nothing here (the pages, admin actions and commands
check the same rules).
"""
from django.conf import settings
from django.core.cache import caches
from rest_framework import permissions, throttling

from .. import permissions as rules

RUN = rules.RUN
WRITE_PERMS = {"POST": "add", "PUT": "change", "PATCH": "change", "DELETE": "delete"}


def required_permissions(view, request):
    """The permission codenames ``request`` needs on ``view`` (empty for reads)."""
    action = getattr(view, "action", None)
    explicit = getattr(view, "action_rules", {})
    if action in explicit:
        return rules.required(explicit[action])
    if request.method in permissions.SAFE_METHODS:
        return []
    model = view.permission_model._meta
    return [f"{model.app_label}.{WRITE_PERMS.get(request.method, 'change')}_{model.model_name}"]


class TaskCenterPermission(permissions.BasePermission):
    def has_permission(self, request, view):
        user = request.user
        if not (user and user.is_authenticated and user.is_active):
            return False
        return user.has_perms(required_permissions(view, request))


class _ScopedUserThrottle(throttling.UserRateThrottle):
    """Per-user (per-IP when anonymous) rate, read from settings on every request so tests can change it."""

    setting = ""
    methods = ()
    cache = caches["throttle"]  # shared across web processes when Redis is configured

    def get_rate(self):
        return getattr(settings, self.setting)

    def allow_request(self, request, view):
        if request.method not in self.methods:
            return True
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)


class ReadThrottle(_ScopedUserThrottle):
    scope = "api_read"
    setting = "MYSTOCKS_API_THROTTLE_READ"
    methods = ("GET", "HEAD", "OPTIONS")


class WriteThrottle(_ScopedUserThrottle):
    scope = "api_write"
    setting = "MYSTOCKS_API_THROTTLE_WRITE"
    methods = ("POST", "PUT", "PATCH", "DELETE")
