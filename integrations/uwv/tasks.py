"""The UWV package is PDF work: config/settings/celery.py routes these tasks
to the ``documents`` queue (``integrations.*`` is for calls to other
systems)."""

from __future__ import annotations

from celery import shared_task

from accounts.models import Tenant
from accounts.scoping import tenant_scope


@shared_task(acks_late=True, soft_time_limit=240, time_limit=300)
def uwv_riv_package_build_task(case_id: int, tenant_id: int, today: str) -> bool:
    """Build and store the UWV package of one case as of ``today`` (an ISO
    date); a no-op when that exact package is already stored."""
    import datetime as dt

    from cases.models import AbsenceCase
    from integrations.uwv.services import riv_package_store

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
        return (
            riv_package_store(case=case, today=dt.date.fromisoformat(today)) is not None
        )
