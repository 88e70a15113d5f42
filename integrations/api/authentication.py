"""DRF authentication for API keys; the key itself is checked by the middleware."""

from __future__ import annotations

from typing import Any

from rest_framework.authentication import BaseAuthentication
from rest_framework.request import Request


class ApiKeyAuthentication(BaseAuthentication):
    """Accept the API key that ``ApiMiddleware`` already verified."""

    def authenticate(self, request: Request) -> tuple[Any, Any] | None:
        key = getattr(request._request, "api_key", None)
        if key is None:
            return None
        return key.membership.user, key

    def authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="api"'
