"""Error pages that never touch the database: they must render while
PostgreSQL or Redis is unreachable, and before the session is read."""

from __future__ import annotations

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from django.template import loader

from core.problems import problem_response

API_PREFIX = "/api/"


def _static_page(template_name: str, status: int) -> HttpResponse:
    return HttpResponse(loader.get_template(template_name).render(), status=status)


def too_large(request: HttpRequest) -> HttpResponse:
    """413: problem+json under ``/api/``, a static page elsewhere."""
    if request.path_info.startswith(API_PREFIX):
        # A fixed Dutch/English detail: the request's language is not known
        # yet when the size limit answers.
        return problem_response(
            "request-too-large",
            413,
            "Het verzoek is te groot. / The request body is too large.",
        )
    return _static_page("413.html", 413)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """``handler400``: an oversized form or upload is a 413, anything else
    Django calls suspicious (too many fields, a bad host) a plain 400."""
    if isinstance(exception, RequestDataTooBig):
        return too_large(request)
    return _static_page("400.html", 400)


def server_error(request: HttpRequest) -> HttpResponse:
    """``handler500``: static, so it renders with the database gone."""
    return _static_page("500.html", 500)
