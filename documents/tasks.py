"""Celery tasks of the documents app, on the ``documents`` queue (PDF
rendering is CPU-heavy; config/settings/celery.py routes ``documents.*``)."""

from __future__ import annotations

from celery import shared_task

from accounts.models import Tenant
from accounts.scoping import tenant_scope


@shared_task(acks_late=True, soft_time_limit=120, time_limit=150)
def document_render_task(document_id: int, tenant_id: int) -> bool:
    """Render and store the PDF of one document; a no-op when the stored PDF
    is current (so a retry or a duplicate message costs nothing)."""
    from documents.models import Document
    from documents.services import document_render

    tenant = Tenant.objects.filter(pk=tenant_id).first()
    if tenant is None:
        return False
    with tenant_scope(tenant):
        document = Document.objects.filter(pk=document_id).first()
        if document is None:
            return False
        document_render(document=document)
    return True


@shared_task(acks_late=True, soft_time_limit=240, time_limit=300)
def reintegratieverslag_render_task(case_id: int, tenant_id: int, today: str) -> bool:
    """Assemble and store the re-integratieverslag of one case as of ``today``
    (an ISO date); a no-op when that exact RIV is already stored."""
    import datetime as dt

    from cases.models import AbsenceCase
    from documents.services import reintegratieverslag_store

    tenant = Tenant.objects.filter(pk=tenant_id).first()
    if tenant is None:
        return False
    with tenant_scope(tenant):
        case = (
            AbsenceCase.objects.select_related("employee", "employee__employer")
            .filter(pk=case_id)
            .first()
        )
        if case is None:
            return False
        reintegratieverslag_store(case=case, today=dt.date.fromisoformat(today))
    return True
