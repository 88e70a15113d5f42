"""Writes in the accounts app, and the audit event every service records."""

from __future__ import annotations

from typing import Any

from django.db import connection, models, transaction
from django.db.models import QuerySet

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


def audit_events_purge(events: QuerySet[AuditEvent]) -> int:
    """Delete ``events`` whose retention period has passed; the only way
    audit events are deleted.

    The database refuses any other DELETE of the trail (migration
    accounts/0008): this says, for this statement only, that the purge is
    meant. Returns how many events went.
    """
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config('hervat.audit_purge', 'on', true)")
        try:
            count, _ = events.delete()
        finally:
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute(
                        "SELECT set_config('hervat.audit_purge', 'off', true)"
                    )
    return count
