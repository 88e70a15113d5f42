"""Celery tasks of the analytics app: thin, idempotent, scoped per tenant.

The nightly run fans out one task per employer, so a tenant with many
employers spreads over the workers, and one large employer has a time limit
of its own.
"""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from accounts.models import Tenant
from accounts.scoping import tenant_scope

# A 100,000-employee employer with departments computes a few hundred
# figures; each is one aggregate of at most a few seconds.
_SOFT_LIMIT = 30 * 60
_HARD_LIMIT = 31 * 60


@shared_task(acks_late=True, soft_time_limit=_SOFT_LIMIT, time_limit=_HARD_LIMIT)
def statistics_refresh_employer_task(tenant_id: int, employer_id: int) -> int:
    """Compute the missing snapshots of one employer; returns how many."""
    from analytics.services import employers_for_refresh, snapshots_refresh_employer

    tenant = Tenant.objects.filter(pk=tenant_id, is_active=True).first()
    if tenant is None:
        return 0
    with tenant_scope(tenant):
        employer = employers_for_refresh(employer_id=employer_id).first()
        if employer is None:
            return 0
        return snapshots_refresh_employer(employer=employer, today=timezone.localdate())


@shared_task(acks_late=True)
def statistics_refresh_nightly_task() -> int:
    """Nightly: one refresh task per employer of every active tenant (the
    closed months, quarters and year whose snapshot is missing); returns the
    number of tasks enqueued. Running twice only finds nothing to do."""
    from analytics.services import employers_for_refresh

    enqueued = 0
    for tenant in Tenant.objects.filter(is_active=True).order_by("pk"):
        with tenant_scope(tenant):
            ids = list(employers_for_refresh().values_list("pk", flat=True))
        for employer_id in ids:
            statistics_refresh_employer_task.delay(tenant.pk, employer_id)
            enqueued += 1
    return enqueued
