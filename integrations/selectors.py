"""Reads of the integrations app."""

from __future__ import annotations

import hmac

from django.db.models import QuerySet

from accounts.scoping import all_tenants
from integrations.models import ApiKey
from integrations.services import KEY_START, secret_hash


def api_key_for_secret(raw: str) -> ApiKey | None:
    """The active key whose full text is ``raw``, or None.

    The key names its own tenant, so the lookup runs before any tenant scope
    exists; the secret is compared in constant time.
    """
    if not raw.startswith(KEY_START):
        return None
    prefix, _sep, secret = raw[len(KEY_START) :].partition("_")
    if not prefix or not secret:
        return None
    with all_tenants("an API key names its own tenant"):
        key = (
            ApiKey.objects.select_related("tenant", "membership__user")
            .filter(prefix=prefix, revoked_at__isnull=True, tenant__is_active=True)
            .first()
        )
    if key is None or not hmac.compare_digest(key.secret_sha256, secret_hash(secret)):
        return None
    return key


def api_keys() -> QuerySet[ApiKey]:
    """The scoped tenant's keys, newest first."""
    return ApiKey.objects.select_related("created_by").order_by("-created_at")
