"""OpenAPI generation: every operation documents the error responses the API can give."""
from drf_spectacular.openapi import AutoSchema

from .serializers import ErrorSerializer

ERROR_CODES = ("400", "401", "403", "404", "429")


class ApiAutoSchema(AutoSchema):
    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        for code in ERROR_CODES:
            if code not in responses:
                responses[code] = self._get_response_for_code(ErrorSerializer, code, direction=direction)
        return responses
