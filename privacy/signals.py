"""Signal receivers of the privacy app."""

from __future__ import annotations

from typing import Any

from accounts.models import Tenant
from accounts.scoping import tenant_scope


def on_tenant_saved(
    sender: Any, instance: Tenant, created: bool, **kwargs: Any
) -> None:
    """Every new tenant starts with the default retention policy."""
    if created and not kwargs.get("raw"):
        from privacy.services import retention_policy_install_default

        with tenant_scope(instance):
            retention_policy_install_default(tenant=instance)
