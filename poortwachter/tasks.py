"""Celery tasks of the poortwachter app: thin, idempotent, scoped per tenant."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from accounts.models import Tenant
from accounts.scoping import tenant_scope


@shared_task(acks_late=True)
def deadlines_refresh_case_task(case_id: int, tenant_id: int) -> bool:
    """Refresh the chain of one case after a change (enqueued on commit)."""
    from cases.models import AbsenceCase
    from poortwachter.services import deadlines_refresh_for_case

    tenant = Tenant.objects.filter(pk=tenant_id).first()
    if tenant is None:
        return False
    with tenant_scope(tenant):
        case = AbsenceCase.objects.select_related("employee").filter(pk=case_id).first()
        if case is None:
            return False
        deadlines_refresh_for_case(case=case, today=timezone.localdate())
    return True


def _per_tenant(work: object) -> int:
    total = 0
    for tenant in Tenant.objects.filter(is_active=True).order_by("pk"):
        with tenant_scope(tenant):
            total += work()  # type: ignore[operator]
    return total


@shared_task(acks_late=True)
def timelines_refresh_stale_task() -> int:
    """Every few minutes: refresh chains whose facts changed (safety net)."""
    from poortwachter.services import timelines_refresh

    today = timezone.localdate()
    return _per_tenant(
        lambda: timelines_refresh(today=today, stale_only=True, limit=5000)
    )


@shared_task(acks_late=True)
def timelines_refresh_batch_task(tenant_id: int, case_ids: list[int]) -> int:
    """Refresh one batch of chains; the nightly run fans these out to workers."""
    from poortwachter.services import deadlines_refresh_for_cases

    tenant = Tenant.objects.filter(pk=tenant_id).first()
    if tenant is None:
        return 0
    with tenant_scope(tenant):
        return deadlines_refresh_for_cases(
            case_ids=case_ids, today=timezone.localdate()
        )


@shared_task(acks_late=True)
def timelines_refresh_nightly_task() -> int:
    """Nightly: stale chains and chains with a task round entering the horizon.

    Selects per tenant and fans the work out in batches, so every worker
    process helps; returns the number of batches enqueued.
    """
    from poortwachter.selectors import cases_needing_refresh
    from poortwachter.services import BATCH_SIZE

    today = timezone.localdate()
    batches = 0
    for tenant in Tenant.objects.filter(is_active=True).order_by("pk"):
        with tenant_scope(tenant):
            ids = list(cases_needing_refresh(today=today))
        for start in range(0, len(ids), BATCH_SIZE):
            timelines_refresh_batch_task.delay(
                tenant.pk, ids[start : start + BATCH_SIZE]
            )
            batches += 1
    return batches


@shared_task(acks_late=True)
def tasks_overdue_sweep_task() -> int:
    """Morning: warn assignees once about tasks that became overdue."""
    from poortwachter.notifications import tasks_notify_overdue

    today = timezone.localdate()
    return _per_tenant(lambda: tasks_notify_overdue(today=today))


@shared_task(acks_late=True)
def tasks_digest_task() -> int:
    """Working-day mornings: each assignee's tasks for today and overdue ones."""
    from poortwachter.notifications import tasks_send_digest

    today = timezone.localdate()
    return _per_tenant(lambda: tasks_send_digest(today=today))
