"""Tenant scoping: the only module that opens or disables a scope.

Queries on ``TenantOwned`` models raise ``ScopeError`` unless a scope is
active. Each scope here also tells PostgreSQL which tenant it serves
(``accounts.rls``), whose row-level security then shows the same rows to
raw SQL as well. django-scopes treats ``scope(tenant=None)`` as *all
tenants*; this module never lets that happen by accident.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django_scopes import get_scope, scope, scopes_disabled  # noqa: TID251

from accounts.models import Tenant
from accounts.rls import RlsState, rls_state


@contextmanager
def tenant_scope(tenant: Tenant) -> Iterator[None]:
    """Run the block with queries limited to ``tenant``."""
    if not isinstance(tenant, Tenant) or tenant.pk is None:
        raise ValueError("tenant_scope needs a saved Tenant, never None.")
    with scope(tenant=tenant), rls_state(RlsState(tenant_id=tenant.pk)):
        yield


@contextmanager
def all_tenants(reason: str) -> Iterator[None]:
    """Disable scoping for platform work that must see every tenant.

    ``reason`` is required so that every use says why; only the platform
    admin, migrations, management commands and beat fan-out call this.
    """
    if not reason:
        raise ValueError("Say why the tenant scope is disabled.")
    with scopes_disabled(), rls_state(RlsState(all_tenants=True)):
        yield


def current_tenant() -> Tenant | None:
    """The tenant of the active scope, or None when unscoped or disabled."""
    active = get_scope()
    tenant = active.get("tenant") if active.get("_enabled", True) else None
    return tenant if isinstance(tenant, Tenant) else None
