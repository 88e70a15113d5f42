"""Celery tasks of the triage app: thin, idempotent, scoped per tenant."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from accounts.models import Tenant
from accounts.scoping import tenant_scope


@shared_task(acks_late=True)
def triage_invite_case_task(case_id: int, tenant_id: int) -> bool:
    """After a ziekmelding: make sure the case's tasks exist, then send the
    triage questionnaire (which closes the protocol task). When it cannot be
    sent, the task stays open in the queue. Returns whether a mail went out."""
    from cases.models import AbsenceCase
    from poortwachter.services import deadlines_refresh_for_case
    from triage.services import triage_invite_at_ziekmelding

    tenant = Tenant.objects.filter(pk=tenant_id, is_active=True).first()
    if tenant is None:
        return False
    with tenant_scope(tenant):
        case = AbsenceCase.objects.select_related("employee").filter(pk=case_id).first()
        if case is None:
            return False
        deadlines_refresh_for_case(case=case, today=timezone.localdate())
        return triage_invite_at_ziekmelding(case=case) is not None


@shared_task(acks_late=True)
def invitations_remind_task() -> int:
    """Hourly: reminders 24 and 72 hours after an unanswered invitation."""
    from triage.services import invitations_remind

    now = timezone.now()
    total = 0
    for tenant in Tenant.objects.filter(is_active=True).order_by("pk"):
        with tenant_scope(tenant):
            total += invitations_remind(now=now)
    return total


@shared_task(acks_late=True)
def invitations_sweep_task() -> int:
    """Every ten minutes: the triage questionnaires that a lost task left
    unsent (a broker outage at the ziekmelding), tenant by tenant."""
    from triage.services import triage_invitations_sweep

    now = timezone.now()
    total = 0
    for tenant in Tenant.objects.filter(is_active=True).order_by("pk"):
        with tenant_scope(tenant):
            total += triage_invitations_sweep(now=now)
    return total
