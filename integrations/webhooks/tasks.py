"""Celery tasks of the webhooks app (queue ``integrations``): thin, idempotent,
scoped per tenant.

One mechanism sends and retries: every delivery carries ``next_attempt_at``
and ``deliveries_sweep_task`` (beat, every minute) queues what is due. The
attempt queued right after an event is committed only saves that minute.
"""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from accounts.models import Tenant
from accounts.scoping import tenant_scope


@shared_task(acks_late=True, soft_time_limit=60, time_limit=90)
def delivery_attempt_task(delivery_id: int, tenant_id: int, token: int) -> str:
    """POST one delivery to its endpoint and record the outcome.

    ``token`` is the attempt count the delivery had when queued; a duplicate
    or stale message finds it moved on and does nothing.
    """
    from integrations.webhooks.services import delivery_attempt

    tenant = Tenant.objects.filter(pk=tenant_id, is_active=True).first()
    if tenant is None:
        return "skipped"
    with tenant_scope(tenant):
        return delivery_attempt(delivery_id=delivery_id, token=token)


@shared_task(acks_late=True, soft_time_limit=50, time_limit=55)
def deliveries_sweep_task() -> int:
    """Every minute: queue the deliveries whose next attempt is due."""
    from integrations.webhooks.services import deliveries_enqueue_due

    queued = 0
    now = timezone.now()
    for tenant in Tenant.objects.filter(is_active=True).order_by("pk"):
        with tenant_scope(tenant):
            queued += len(deliveries_enqueue_due(tenant=tenant, now=now))
    return queued


@shared_task(acks_late=True, soft_time_limit=5 * 60, time_limit=6 * 60)
def task_overdue_events_task() -> int:
    """Hourly: record ``task.overdue`` for tasks that passed their due date."""
    from integrations.webhooks.services import task_overdue_events_record

    today = timezone.localdate()
    recorded = 0
    for tenant in Tenant.objects.filter(is_active=True).order_by("pk"):
        with tenant_scope(tenant):
            recorded += task_overdue_events_record(tenant=tenant, today=today)
    return recorded


@shared_task(acks_late=True, soft_time_limit=5 * 60, time_limit=6 * 60)
def events_prune_task() -> int:
    """Nightly: drop delivery-log entries past their retention."""
    from integrations.webhooks.services import events_prune

    pruned = 0
    for tenant in Tenant.objects.filter(is_active=True).order_by("pk"):
        with tenant_scope(tenant):
            pruned += events_prune(tenant=tenant)
    return pruned
