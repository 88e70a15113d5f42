"""Celery tasks of the privacy app: thin, idempotent, scoped per tenant."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from accounts.models import Tenant
from accounts.scoping import tenant_scope

# A run stops after RUN_LIMIT chains and employees (the next night carries
# on); these limits leave room for that on a busy machine.
_SOFT_LIMIT = 20 * 60
_HARD_LIMIT = 21 * 60


@shared_task(acks_late=True, soft_time_limit=_SOFT_LIMIT, time_limit=_HARD_LIMIT)
def retention_run_nightly_task() -> int:
    """Nightly: apply each active tenant's retention policy in its own scope;
    returns the number of cases processed. Safe to run twice: what was done
    is marked and skipped."""
    from privacy.services import retention_run

    today = timezone.localdate()
    total = 0
    for tenant in Tenant.objects.filter(is_active=True).order_by("pk"):
        with tenant_scope(tenant):
            total += retention_run(tenant=tenant, today=today).cases
    return total
