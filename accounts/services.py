"""Writes in the accounts app, and the audit event every service records."""

from __future__ import annotations

from typing import Any

from django.db import models

from accounts.models import AuditEvent, User


def _case_id_of(obj: models.Model, data: dict[str, Any]) -> int | None:
    if obj._meta.label_lower == "cases.absencecase":
        return obj.pk
    case_id = getattr(obj, "case_id", None) or data.get("case_id")
    return case_id if isinstance(case_id, int) else None


def audit_event_record(
    *,
    actor: User | None,
    action: str,
    obj: models.Model,
    data: dict[str, Any] | None = None,
    changes: dict[str, dict[str, Any]] | None = None,
) -> AuditEvent:
    """Record that ``actor`` did ``action`` to ``obj``, in the caller's transaction.

    ``obj`` must be tenant-owned; ``data`` must not contain medical content.
    ``changes`` are the fields before and after, made by
    ``accounts.audit.audit_changes`` (which masks what is sensitive). The
    event is filed under the case ``obj`` belongs to, when it has one.
    """
    data = dict(data or {})
    if changes is not None:
        data["changes"] = changes
    return AuditEvent.objects.create(
        tenant_id=obj.tenant_id,
        actor=actor,
        action=action,
        object_type=obj._meta.label_lower,
        object_id=obj.pk,
        data=data,
        case_id=_case_id_of(obj, data),
    )
