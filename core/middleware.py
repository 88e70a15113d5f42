"""A hard cap on request bodies, before anything reads them.

``DATA_UPLOAD_MAX_MEMORY_SIZE`` bounds form fields but not uploaded files,
and the REST API reads JSON from the stream: neither stops a client from
sending gigabytes. The declared ``Content-Length`` is checked first; the
forms and the API parser then apply their own, smaller limits with a message
about the field.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from core.views import too_large


class RequestSizeLimitMiddleware:
    """Answer 413 when a request declares a body over ``MAX_REQUEST_BYTES``."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.MAX_REQUEST_BYTES:
            return too_large(request)
        return self.get_response(request)
