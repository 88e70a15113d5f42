"""Celery tasks of the AFAS connector, on the ``integrations`` queue."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings

from accounts.models import Tenant
from accounts.scoping import tenant_scope


@shared_task(acks_late=True, soft_time_limit=20 * 60, time_limit=21 * 60)
def afas_sync_task(connection_id: int, tenant_id: int) -> str | None:
    """Sync one AFAS connection; safe to repeat (an unchanged AFAS list
    changes nothing)."""
    from integrations.afas.models import AfasConnection
    from integrations.afas.services import afas_sync

    tenant = Tenant.objects.filter(pk=tenant_id, is_active=True).first()
    if tenant is None or not settings.AFAS_ENABLED:
        return None
    with tenant_scope(tenant):
        connection = (
            AfasConnection.objects.select_related("employer")
            .filter(pk=connection_id, is_active=True)
            .first()
        )
        if connection is None:
            return None
        return afas_sync(connection=connection).status


@shared_task(acks_late=True)
def afas_sync_all_task() -> int:
    """Nightly: one sync task per active connection, only when AFAS_ENABLED;
    returns how many were enqueued."""
    from integrations.afas.models import AfasConnection

    if not settings.AFAS_ENABLED:
        return 0
    count = 0
    for tenant in Tenant.objects.filter(is_active=True).order_by("pk"):
        with tenant_scope(tenant):
            ids = list(
                AfasConnection.objects.filter(is_active=True).values_list(
                    "pk", flat=True
                )
            )
        for connection_id in ids:
            afas_sync_task.delay(connection_id, tenant.pk)
            count += 1
    return count
