"""API fixtures: keys of tenant A, and a client that sends one."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from rest_framework.test import APIClient

from accounts.scoping import tenant_scope
from integrations.models import ApiKeyScope
from integrations.services import api_key_create


@pytest.fixture
def make_key(world) -> Callable[..., str]:
    """Make a key of tenant A (or ``tenant``) and return its full text."""

    def _make(
        *,
        scope: str = ApiKeyScope.WRITE,
        employers=None,
        tenant=None,
        rate: int = 600,
    ) -> str:
        tenant = tenant or world.tenant_a
        with tenant_scope(tenant):
            _key, secret = api_key_create(
                actor=world.user("tenant_admin"),
                tenant=tenant,
                name="Salarissysteem",
                scope=scope,
                employers=employers or [],
                all_employers=employers is None,
                rate_limit_per_minute=rate,
            )
        return secret

    return _make


@pytest.fixture
def api(make_key) -> Callable[..., APIClient]:
    """A DRF test client carrying a fresh key (write, all employers by default)."""

    def _client(**kwargs) -> APIClient:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {make_key(**kwargs)}")
        return client

    return _client
