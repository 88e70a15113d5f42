"""Rate limits: per API key at the key's own rate, per portal user at a fixed one."""

from __future__ import annotations

from typing import Any

from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle


class ApiRateThrottle(SimpleRateThrottle):
    """Requests per minute per key (``ApiKey.rate_limit_per_minute``) or per
    portal user (the ``user`` rate in ``REST_FRAMEWORK``); counted in the
    shared cache, so every web process sees the same count."""

    scope = "user"

    def allow_request(self, request: Request, view: Any) -> bool:
        key = getattr(request._request, "api_key", None)
        if key is not None:
            self.rate = f"{key.rate_limit_per_minute}/min"
            self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        key = getattr(request._request, "api_key", None)
        if key is not None:
            return f"throttle_api_key_{key.pk}"
        if request.user is not None and request.user.is_authenticated:
            return f"throttle_api_user_{request.user.pk}"
        return None
