"""What every API view shares: authentication, permissions, throttles, errors, schema, parsing helpers."""
from django.core.exceptions import ValidationError
from rest_framework.authentication import SessionAuthentication, TokenAuthentication

from .. import limits
from .exceptions import api_exception_handler
from .permissions import ReadThrottle, TaskCenterPermission, WriteThrottle
from .schema import ApiAutoSchema


class ApiViewMixin:
    # Token first: an anonymous request then gets 401 with "WWW-Authenticate: Token", not 403.
    authentication_classes = [TokenAuthentication, SessionAuthentication]
    permission_classes = [TaskCenterPermission]
    throttle_classes = [ReadThrottle, WriteThrottle]
    schema = ApiAutoSchema()
    action_rules = {}

    def get_exception_handler(self):
        return api_exception_handler

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        # PostgreSQL text and jsonb cannot hold NUL; no other control character belongs in task
        # data either (a trailing newline in an id made a task unmanageable): refuse them up front.
        query = {key: "".join(values) for key, values in request.query_params.lists()}
        where = limits.find_control_char({"query": query, "path": kwargs, "body": request.data})
        if where:
            raise ValidationError({where: ["must not contain NUL or other control characters"]})


def int_param(source, name, *, default, minimum, maximum):
    """An integer from a query dict or body, within bounds; ValidationError naming ``name`` otherwise."""
    raw = source.get(name, default) if hasattr(source, "get") else default
    try:
        value = int(raw)
    except (TypeError, ValueError):
        raise ValidationError({name: [f"must be an integer, got {raw!r}"]}) from None
    if not minimum <= value <= maximum:
        raise ValidationError({name: [f"must be between {minimum} and {maximum}"]})
    return value


def bool_param(source, name, *, default=False):
    raw = source.get(name, default) if hasattr(source, "get") else default
    if isinstance(raw, bool):
        return raw
    text = str(raw).strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off", ""):
        return False
    raise ValidationError({name: [f"must be a boolean, got {raw!r}"]})
