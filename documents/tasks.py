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
