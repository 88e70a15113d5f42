"""Celery tasks that send notification mails: thin, idempotent, per tenant.

They run on the ``integrations`` queue (``CELERY_TASK_ROUTES``). A mail
server that refuses raises ``MailNotSentError``; the task is retried with
backoff, and what went out before is not sent again (``NotificationSent``).
"""

from __future__ import annotations

from celery import shared_task

from accounts.models import Tenant
from accounts.scoping import tenant_scope
from core.mail import MailNotSentError

_RETRY = {
    "acks_late": True,
    "autoretry_for": (MailNotSentError,),
    "retry_backoff": 60,
    "retry_backoff_max": 60 * 60,
    "retry_jitter": True,
    # About a day of trying before the failure is left to the logs.
    "max_retries": 30,
}


def _tenant(tenant_id: int) -> Tenant | None:
    return Tenant.objects.filter(pk=tenant_id, is_active=True).first()


@shared_task(**_RETRY)
def ziekmelding_confirm_task(case_id: int, tenant_id: int) -> int:
    """Confirm a committed ziekmelding to the reporter and the employee;
    returns the number of mails sent now."""
    from cases.models import AbsenceCase
    from integrations.notifications.services import ziekmelding_confirmation_send

    tenant = _tenant(tenant_id)
    if tenant is None:
        return 0
    with tenant_scope(tenant):
        case = (
            AbsenceCase.objects.select_related(
                "tenant", "employee__user", "reported_by"
            )
            .filter(pk=case_id)
            .first()
        )
        if case is None:
            return 0
        return ziekmelding_confirmation_send(case=case)


@shared_task(**_RETRY)
def signature_request_notify_task(document_id: int, tenant_id: int) -> int:
    """Ask the parties to sign a document offered for signature; returns the
    number of mails sent now."""
    from documents.models import Document
    from integrations.notifications.services import signature_request_send

    tenant = _tenant(tenant_id)
    if tenant is None:
        return 0
    with tenant_scope(tenant):
        document = (
            Document.objects.select_related("tenant", "case__employee__user")
            .filter(pk=document_id)
            .first()
        )
        if document is None:
            return 0
        return signature_request_send(document=document)


@shared_task(**_RETRY)
def appointment_invite_task(appointment_id: int, tenant_id: int) -> int:
    """Mail the calendar invitation (or update, or cancellation) of an
    appointment's current state to every attendee; returns mails sent now."""
    from integrations.notifications.services import appointment_invitation_send
    from poortwachter.models import Appointment

    tenant = _tenant(tenant_id)
    if tenant is None:
        return 0
    with tenant_scope(tenant):
        appointment = (
            Appointment.objects.select_related(
                "organizer",
                "case__employee__user",
                "case__employee__manager",
                "case__bedrijfsarts",
                "case__regiehouder",
                "case__casemanager",
            )
            .filter(pk=appointment_id)
            .first()
        )
        if appointment is None:
            return 0
        return appointment_invitation_send(appointment=appointment)


@shared_task(acks_late=True)
def notifications_sweep_task() -> int:
    """Every ten minutes: send what a lost task left unsent (a broker outage
    at commit, retries run out), tenant by tenant; returns mails sent."""
    from django.utils import timezone

    from integrations.notifications.services import notifications_sweep

    now = timezone.now()
    total = 0
    for tenant in Tenant.objects.filter(is_active=True).order_by("pk"):
        with tenant_scope(tenant):
            total += notifications_sweep(now=now)
    return total
