"""Every API error is JSON of one shape: {"detail": "...", "errors": {field: [messages]}}."""
import logging

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler, set_rollback

from ..catalogue_yaml import MODEL_TO_YAML
from .parsers import PayloadTooLarge

logger = logging.getLogger(__name__)


def validation_errors(exc):
    """{key: [messages]} of a django ValidationError, with model fields named as in the catalogue."""
    if hasattr(exc, "error_dict"):
        return {MODEL_TO_YAML.get(k, k): list(v) for k, v in exc.message_dict.items()}
    return {"non_field_errors": list(exc.messages)}


def _drf_errors(data):
    if isinstance(data, dict):
        return {k: v if isinstance(v, list) else [v] for k, v in data.items() if k != "detail"}
    if isinstance(data, list):
        return {"non_field_errors": data}
    return {}


def api_exception_handler(exc, context):
    """DRF's handler, then our shape; django ValidationError → 400; anything else → logged JSON 500."""
    if isinstance(exc, DjangoValidationError):
        set_rollback()
        return Response({"detail": "invalid request", "errors": validation_errors(exc)}, status=400)
    if isinstance(exc, (RequestDataTooBig, TooManyFieldsSent)):
        exc = PayloadTooLarge()
    if isinstance(exc, (Http404, DjangoPermissionDenied)):
        exc = exceptions.NotFound() if isinstance(exc, Http404) else exceptions.PermissionDenied()
    response = exception_handler(exc, context)
    if response is None:
        set_rollback()
        logger.exception("unhandled error in %s", context.get("view").__class__.__name__, exc_info=exc)
        return Response({"detail": "internal server error", "errors": {}},
                        status=status.HTTP_500_INTERNAL_SERVER_ERROR)
    if isinstance(exc, exceptions.ValidationError):
        response.data = {"detail": "invalid request", "errors": _drf_errors(exc.detail)}
    else:
        response.data = {"detail": str(getattr(exc, "detail", exc)), "errors": {}}
    return response


@csrf_exempt  # answers every method with 404; a CSRF 403 page here would be HTML
def not_found(request, *args, **kwargs):
    """Unknown paths under /api/ answer JSON, not Django's HTML page."""
    return JsonResponse({"detail": f"no API endpoint at {request.path}", "errors": {}}, status=404)
