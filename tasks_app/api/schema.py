"""OpenAPI generation: every operation documents the error responses the API can give."""
from drf_spectacular.openapi import AutoSchema

from .serializers import ErrorSerializer

ERROR_CODES = ("400", "401", "403", "404", "429")
# Path examples from the docs' quick start (also what generated tests try first).
PATH_EXAMPLES = {
    ("task_id", "string"): "hourly_task", ("group_id", "string"): "daily_job",
    ("id", "integer"): 1, ("id", "string"): "noop",
}


class ApiAutoSchema(AutoSchema):
    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        for code in ERROR_CODES:
            if code not in responses:
                responses[code] = self._get_response_for_code(ErrorSerializer, code, direction=direction)
        return responses

    def _resolve_path_parameters(self, variables):
        parameters = super()._resolve_path_parameters(variables)
        for parameter in parameters:
            key = (parameter["name"], parameter.get("schema", {}).get("type"))
            if key in PATH_EXAMPLES:
                parameter.setdefault("example", PATH_EXAMPLES[key])
        return parameters
