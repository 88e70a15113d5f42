"""RFC 9457 problem details: the one error shape of the REST API.

Every error answer of ``/api/`` is ``application/problem+json`` with a stable
``type`` (``urn:hervat:problem:<slug>``, listed in ``PROBLEM_TYPES`` and in
``docs/integrations/api.md``), a ``title`` per type, a human ``detail`` in the
request's language, the ``status`` and, for input errors, ``errors``: one
entry per field with its ``pointer`` (a JSON Pointer into the request body or
the name of the query parameter or header) and ``detail``.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response

from core.exceptions import ApplicationError

logger = logging.getLogger(__name__)

PROBLEM_CONTENT_TYPE = "application/problem+json"
TYPE_PREFIX = "urn:hervat:problem:"

# slug -> title (English, stable; ``detail`` carries the translated text)
PROBLEM_TYPES: dict[str, str] = {
    "validation-error": "The request has invalid fields",
    "business-rule": "The request breaks a rule of the domain",
    "case-already-open": "The employee already has an open case",
    "not-authenticated": "No valid credentials",
    "two-factor-required": "The session has not passed two-factor authentication",
    "permission-denied": "Not allowed",
    "read-only-key": "The API key may only read",
    "not-found": "Not found",
    "method-not-allowed": "Method not allowed",
    "not-acceptable": "Not acceptable",
    "unsupported-media-type": "Unsupported media type",
    "request-too-large": "The request body is too large",
    "throttled": "Too many requests",
    "idempotency-key-in-use": "A request with this Idempotency-Key is running",
    "idempotency-key-reused": "The Idempotency-Key was used for another request",
    "document-not-ready": "The PDF is being prepared",
    "server-error": "Internal error",
}


class ProblemError(exceptions.APIException):
    """An API error with its own problem type (raised by API classes)."""

    def __init__(
        self,
        problem: str,
        detail: str,
        *,
        status_code: int = status.HTTP_400_BAD_REQUEST,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.problem = problem
        self.status_code = status_code
        self.headers = headers or {}


def problem_body(
    problem: str, status_code: int, detail: str, errors: list[dict] | None = None
) -> dict[str, Any]:
    if problem not in PROBLEM_TYPES:  # pragma: no cover - a programming error
        raise ValueError(f"unknown problem type {problem!r}")
    body: dict[str, Any] = {
        "type": TYPE_PREFIX + problem,
        "title": PROBLEM_TYPES[problem],
        "status": status_code,
        "detail": detail,
    }
    if errors:
        body["errors"] = errors
    return body


def problem_response(
    problem: str,
    status_code: int,
    detail: str,
    *,
    errors: list[dict] | None = None,
    headers: dict[str, str] | None = None,
) -> HttpResponse:
    """A problem answer outside DRF (middleware, URL not found)."""
    response = JsonResponse(
        problem_body(problem, status_code, detail, errors),
        status=status_code,
        content_type=PROBLEM_CONTENT_TYPE,
        json_dumps_params={"ensure_ascii": False},
    )
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def _flatten(detail: Any, pointer: str) -> list[dict[str, str]]:
    """DRF's nested error detail as a flat list of {pointer, detail}."""
    if isinstance(detail, dict):
        out: list[dict[str, str]] = []
        for field, value in detail.items():
            if field == "non_field_errors":
                out.extend(_flatten(value, pointer))
            else:
                out.extend(_flatten(value, f"{pointer}/{field}"))
        return out
    if isinstance(detail, list):
        if all(not isinstance(item, (dict, list)) for item in detail):
            return [{"pointer": pointer or "/", "detail": str(item)} for item in detail]
        out = []
        for index, item in enumerate(detail):
            out.extend(_flatten(item, f"{pointer}/{index}"))
        return out
    return [{"pointer": pointer or "/", "detail": str(detail)}]


_DRF_TYPES: list[tuple[type[Exception], str]] = [
    (exceptions.NotAuthenticated, "not-authenticated"),
    (exceptions.AuthenticationFailed, "not-authenticated"),
    (exceptions.PermissionDenied, "permission-denied"),
    (exceptions.NotFound, "not-found"),
    (exceptions.MethodNotAllowed, "method-not-allowed"),
    (exceptions.NotAcceptable, "not-acceptable"),
    (exceptions.UnsupportedMediaType, "unsupported-media-type"),
    (exceptions.Throttled, "throttled"),
    (exceptions.ParseError, "validation-error"),
]


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's EXCEPTION_HANDLER: every error as problem+json, never a 500 for
    bad input. Unexpected errors are logged and answered with a problem
    that gives nothing away."""
    headers: dict[str, str] = {}
    errors: list[dict] | None = None
    if isinstance(exc, Http404):
        problem, code, detail = "not-found", 404, _("Niet gevonden.")
    elif isinstance(exc, PermissionDenied):
        problem, code = "permission-denied", 403
        detail = str(exc) or _("U mag dit niet doen.")
    elif isinstance(exc, ApplicationError):
        problem = getattr(exc, "problem", "business-rule")
        code = getattr(exc, "status_code", 400)
        detail = exc.message
        if exc.field:
            errors = [{"pointer": f"/{exc.field}", "detail": exc.message}]
    elif isinstance(exc, ProblemError):
        problem, code, detail = exc.problem, exc.status_code, str(exc.detail)
        headers = exc.headers
    elif isinstance(exc, exceptions.ValidationError):
        problem, code = "validation-error", 400
        errors = _flatten(exc.detail, "")
        detail = _("Niet alle velden zijn goed ingevuld.")
    elif isinstance(exc, exceptions.APIException):
        problem = next(
            (slug for cls, slug in _DRF_TYPES if isinstance(exc, cls)), "server-error"
        )
        code = exc.status_code
        detail = str(exc.detail)
        if isinstance(exc, exceptions.Throttled) and exc.wait is not None:
            headers["Retry-After"] = str(int(exc.wait) + 1)
        if isinstance(
            exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed
        ):
            headers["WWW-Authenticate"] = 'Bearer realm="api"'
    else:
        logger.exception("unexpected error in API view", exc_info=exc)
        problem, code = "server-error", 500
        detail = _("Er ging iets mis aan onze kant. Er is niets opgeslagen.")
    response = Response(
        problem_body(problem, code, detail, errors),
        status=code,
        headers=headers,
        content_type=PROBLEM_CONTENT_TYPE,
    )
    return response
