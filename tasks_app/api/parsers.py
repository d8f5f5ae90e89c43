"""Request parsing with limits. A leaf module: DRF reads DEFAULT_PARSER_CLASSES while importing its views."""
from django.conf import settings
from rest_framework import exceptions, parsers, status

from .. import limits


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "request body too large"
    default_code = "payload_too_large"


class BoundedJSONParser(parsers.JSONParser):
    """DRF's JSON parser with the nesting limit (deep JSON crashed the recursive parser with a 500)."""

    def parse(self, stream, media_type=None, parser_context=None):
        raw = stream.read() if stream is not None else b""
        if len(raw) > limits.max_request_bytes():
            raise PayloadTooLarge()
        try:
            return limits.load_json(raw.decode(settings.DEFAULT_CHARSET))
        except ValueError as exc:  # InputTooLarge included
            raise exceptions.ParseError(f"JSON parse error - {exc}") from None
