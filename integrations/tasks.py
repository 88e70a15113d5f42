"""Celery tasks of the integrations app (the ``integrations`` queue)."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from accounts.models import Tenant
from accounts.scoping import tenant_scope


@shared_task(acks_late=True)
def idempotency_records_purge_task() -> int:
    """Hourly: forget first answers older than a day, tenant by tenant.
    Idempotent: a second run finds nothing more to delete."""
    from integrations.services import idempotency_records_purge

    now = timezone.now()
    deleted = 0
    for tenant in Tenant.objects.order_by("pk"):
        with tenant_scope(tenant):
            deleted += idempotency_records_purge(now=now)
    return deleted
