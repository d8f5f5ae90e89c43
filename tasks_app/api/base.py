"""What every API view shares: authentication, permissions, throttles, errors, schema, parsing helpers."""
from django.core.exceptions import ValidationError
from rest_framework.authentication import SessionAuthentication, TokenAuthentication

from .exceptions import api_exception_handler
from .permissions import ReadThrottle, TaskCenterPermission, WriteThrottle
from .schema import ApiAutoSchema


class ApiViewMixin:
    # Token first: an anonymous request then gets 401 with "WWW-Authenticate: Token", not 403.
    authentication_classes = [TokenAuthentication, SessionAuthentication]
    permission_classes = [TaskCenterPermission]
    throttle_classes = [ReadThrottle, WriteThrottle]
    schema = ApiAutoSchema()
    action_permissions = {}

    def get_exception_handler(self):
        return api_exception_handler

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        # PostgreSQL text and jsonb cannot hold NUL characters: refuse them as bad input up front.
        query = {key: "".join(values) for key, values in request.query_params.lists()}
        where = _find_nul({"query": query, "path": kwargs, "body": request.data})
        if where:
            raise ValidationError({where: ["must not contain NUL characters"]})


def _find_nul(value, path=""):
    """The dotted path of the first string (key or value) containing NUL in ``value``, or ""."""
    if isinstance(value, str):
        if "\x00" not in value:
            return ""
        return path or "non_field_errors"
    if isinstance(value, dict):
        for key, item in value.items():
            child = f"{path}.{key}" if path else str(key)
            if "\x00" in str(key):
                return child
            found = _find_nul(item, child)
            if found:
                return found
    if isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            found = _find_nul(item, f"{path}[{index}]")
            if found:
                return found
    return ""


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
