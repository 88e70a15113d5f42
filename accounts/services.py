"""Writes in the accounts app, and the audit event every service records."""

from __future__ import annotations

from typing import Any

from django.db import models

from accounts.models import AuditEvent, User


def audit_event_record(
    *,
    actor: User | None,
    action: str,
    obj: models.Model,
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    """Record that ``actor`` did ``action`` to ``obj``, in the caller's transaction.

    ``obj`` must be tenant-owned; ``data`` must not contain medical content.
    """
    return AuditEvent.objects.create(
        tenant_id=obj.tenant_id,
        actor=actor,
        action=action,
        object_type=obj._meta.label_lower,
        object_id=obj.pk,
        data=data or {},
    )
