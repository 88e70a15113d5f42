"""Signal receivers of the triage app."""

from __future__ import annotations

from typing import Any

from accounts.models import Tenant
from accounts.scoping import tenant_scope


def on_tenant_saved(
    sender: Any, instance: Tenant, created: bool, **kwargs: Any
) -> None:
    """Every new tenant starts with the shipped questionnaires and their
    routing rules."""
    if created and not kwargs.get("raw"):
        from triage.services import (
            questionnaires_install_default,
            routing_policies_install_default,
        )

        with tenant_scope(instance):
            questionnaires_install_default(tenant=instance)
            routing_policies_install_default(tenant=instance)
