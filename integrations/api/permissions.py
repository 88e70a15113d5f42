"""DRF permission: what an API key's scope allows. Who may see and do what
inside the tenant is the access policy's (``accounts.access``), called by the
selectors and services every operation uses."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request

from core.problems import ProblemError


class ApiKeyScopePermission(BasePermission):
    """Authenticated; a read-only key only reads."""

    def has_permission(self, request: Request, view: Any) -> bool:
        if request.user is None or not request.user.is_authenticated:
            return False
        key = getattr(request._request, "api_key", None)
        if key is not None and request.method not in SAFE_METHODS and not key.may_write:
            raise ProblemError(
                "read-only-key",
                _("Deze API-sleutel mag alleen lezen."),
                status_code=403,
            )
        return True
