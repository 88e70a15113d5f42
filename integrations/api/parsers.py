"""The API's JSON parser, with a size limit.

DRF's ``JSONParser`` reads the request stream to its end, and Django's
``DATA_UPLOAD_MAX_MEMORY_SIZE`` only guards ``request.body`` and form data,
so without this a client could make a web process hold any amount of JSON.
Every API body is small (the largest is an employee); ``API_MAX_BODY_BYTES``
is far above that.
"""

from __future__ import annotations

import io
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework.parsers import JSONParser

from core.problems import ProblemError


def _too_large() -> ProblemError:
    return ProblemError(
        "request-too-large",
        _("Het verzoek is groter dan %(max)d kB.")
        % {"max": settings.API_MAX_BODY_BYTES // 1024},
        status_code=413,
    )


class LimitedJSONParser(JSONParser):
    """``JSONParser`` that refuses bodies over ``API_MAX_BODY_BYTES`` with a
    413 problem (``request-too-large``): by the declared length before
    reading, and by the bytes actually read."""

    def parse(
        self,
        stream: Any,
        media_type: str | None = None,
        parser_context: dict[str, Any] | None = None,
    ) -> Any:
        limit = settings.API_MAX_BODY_BYTES
        request = (parser_context or {}).get("request")
        if request is not None:
            try:
                declared = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                declared = 0
            if declared > limit:
                raise _too_large()
        data = stream.read(limit + 1)
        if len(data) > limit:
            raise _too_large()
        return super().parse(io.BytesIO(data), media_type, parser_context)
