"""The OpenAPI schema's error answers: every operation documents the
problem+json responses it can give, so clients (and schemathesis) know them."""

from __future__ import annotations

from typing import Any

from drf_spectacular.openapi import AutoSchema
from rest_framework import serializers

from core.problems import PROBLEM_CONTENT_TYPE


class ProblemFieldError(serializers.Serializer):
    pointer = serializers.CharField()
    detail = serializers.CharField()


class Problem(serializers.Serializer):
    """RFC 9457 problem details."""

    type = serializers.CharField()
    title = serializers.CharField()
    status = serializers.IntegerField()
    detail = serializers.CharField()
    errors = ProblemFieldError(many=True, required=False)


# Answers every operation can give, and those only writes give.
_ALWAYS = {"401", "404", "406", "429"}
_READ = {"400"}
_WRITE = {"400", "403", "409", "415", "422"}


class ProblemAutoSchema(AutoSchema):
    def _get_response_bodies(self, direction: str = "response") -> dict[str, Any]:
        responses = super()._get_response_bodies(direction)
        codes = _ALWAYS | (_READ if self.method == "GET" else _WRITE)
        for code in sorted(codes - responses.keys()):
            responses[code] = self._get_response_for_code(
                Problem, code, [PROBLEM_CONTENT_TYPE], direction
            )
        return responses


# Text may not hold NUL characters (PostgreSQL cannot store them; DRF's
# CharField refuses them): said in the schema, so clients know.
NO_NUL = "^[^\\x00]*$"


def _forbid_nul(schema: dict[str, Any]) -> None:
    if schema.get("type") == "string" and not {"format", "enum", "pattern"} & set(
        schema
    ):
        schema["pattern"] = NO_NUL


def document_input_rules(
    result: dict[str, Any], generator: Any, request: Any, public: bool
) -> dict[str, Any]:
    """Postprocessing hook: what the input serializers check beyond their
    field types. Text fields refuse NUL characters; a ziekmelding names the
    employee either by id or by employer and personnel number, never both
    (``ZiekmeldingCreateApi.Input.validate``), as ``oneOf``."""
    schemas = result.get("components", {}).get("schemas", {})
    for name, component in schemas.items():
        if name.endswith("Request"):
            for field in component.get("properties", {}).values():
                _forbid_nul(field)
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                _forbid_nul(parameter.get("schema", {}))
    component = schemas.get("ZiekmeldingInputRequest")
    if component is not None:
        component["oneOf"] = [
            {"required": ["employee"]},
            {"required": ["employer", "personnel_number"]},
        ]
    return result
