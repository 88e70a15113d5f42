"""Celery tasks of the employee import, on the ``integrations`` queue
(config/settings/celery.py routes ``integrations.*``). Thin: enter the
tenant's scope, call one service; each is safe to run twice."""

from __future__ import annotations

from celery import shared_task

from accounts.models import Tenant
from accounts.scoping import tenant_scope

# 50,000 rows plan in well under a minute; the limits leave room for a
# busy machine without letting a stuck run hold the employer lock for long.
_SOFT_LIMIT = 15 * 60
_HARD_LIMIT = 16 * 60


@shared_task(acks_late=True, soft_time_limit=_SOFT_LIMIT, time_limit=_HARD_LIMIT)
def import_run_plan_task(run_id: int, tenant_id: int) -> str | None:
    """Make the dry-run plan of one mapped import run."""
    from integrations.imports.models import ImportRun
    from integrations.imports.services import import_run_dry_run

    tenant = Tenant.objects.filter(pk=tenant_id).first()
    if tenant is None:
        return None
    with tenant_scope(tenant):
        run = ImportRun.objects.select_related("employer").filter(pk=run_id).first()
        if run is None:
            return None
        return import_run_dry_run(run=run).status


@shared_task(acks_late=True, soft_time_limit=_SOFT_LIMIT, time_limit=_HARD_LIMIT)
def import_run_execute_task(run_id: int, tenant_id: int) -> str | None:
    """Carry out one confirmed import run (all of it or nothing)."""
    from integrations.imports.models import ImportRun
    from integrations.imports.services import import_run_execute

    tenant = Tenant.objects.filter(pk=tenant_id).first()
    if tenant is None:
        return None
    with tenant_scope(tenant):
        run = (
            ImportRun.objects.select_related("employer", "confirmed_by")
            .filter(pk=run_id)
            .first()
        )
        if run is None:
            return None
        return import_run_execute(run=run).status


@shared_task(acks_late=True)
def import_files_purge_task() -> int:
    """Daily: delete uploaded files of runs older than a week (they hold
    BSNs); returns how many were deleted."""
    from integrations.imports.services import import_files_purge

    total = 0
    for tenant in Tenant.objects.order_by("pk"):
        with tenant_scope(tenant):
            total += import_files_purge()
    return total
