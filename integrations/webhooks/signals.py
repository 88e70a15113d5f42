"""Signal receivers: domain events become webhook events.

Each receiver runs inside the transaction of the domain change and records
the event there (``services.event_record``); sending happens after commit.
"""

from __future__ import annotations

from typing import Any

from accounts.models import Tenant
from accounts.scoping import current_tenant
from cases.models import AbsenceCase, CaseStatus, WorkabilityChange
from documents.models import Document
from integrations.webhooks import payloads
from integrations.webhooks.models import EventType
from integrations.webhooks.services import event_record
from poortwachter.models import Task


def _tenant(tenant_id: int) -> Tenant:
    active = current_tenant()
    if active is not None and active.pk == tenant_id:
        return active
    return Tenant.objects.get(pk=tenant_id)


def on_case_reported(sender: Any, case: AbsenceCase, **kwargs: Any) -> None:
    """A ziekmelding: ``case.created``."""
    event_record(
        tenant=_tenant(case.tenant_id),
        event_type=EventType.CASE_CREATED,
        key=f"{EventType.CASE_CREATED}:{case.pk}",
        data=lambda: payloads.case_created_data(case),
    )


def on_case_recovered(
    sender: Any, case: AbsenceCase, change: WorkabilityChange, **kwargs: Any
) -> None:
    """A hersteldmelding: ``case.recovered`` when full, else
    ``case.partially_recovered``; one event per recorded change."""
    event_type = (
        EventType.CASE_RECOVERED
        if case.status == CaseStatus.RECOVERED
        else EventType.CASE_PARTIALLY_RECOVERED
    )
    event_record(
        tenant=_tenant(case.tenant_id),
        event_type=event_type,
        key=f"{event_type}:{change.pk}",
        data=lambda: payloads.case_recovery_data(case, change),
    )


def on_document_signed(sender: Any, document: Document, **kwargs: Any) -> None:
    """A document version became final: ``document.signed``."""
    event_record(
        tenant=_tenant(document.tenant_id),
        event_type=EventType.DOCUMENT_SIGNED,
        key=f"{EventType.DOCUMENT_SIGNED}:{document.pk}",
        data=lambda: payloads.document_signed_data(document),
    )


def on_task_completed(sender: Any, task: Task, **kwargs: Any) -> None:
    """A person completed a task: ``task.completed``."""
    event_record(
        tenant=_tenant(task.tenant_id),
        event_type=EventType.TASK_COMPLETED,
        key=f"{EventType.TASK_COMPLETED}:{task.pk}",
        data=lambda: payloads.task_data(task),
    )
