"""The product's notification mails: ziekmelding confirmations, requests to
sign, and calendar invitations for appointments.

Each mail is sent at most once per occasion and address: the
``NotificationSent`` row and the send share one transaction, so a retried
task skips what went out and sends what the mail server refused. Mails name
people, dates, the kind of document or appointment and the case reference;
never medical data, and never the content of a document.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping, Sequence
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import CharField, Exists, F, OuterRef, Q, Value
from django.db.models.functions import Cast, Concat
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format, time_format
from django.utils.functional import Promise, lazy
from django.utils.translation import gettext_lazy as _

from accounts.access import Action, document_signers
from cases.models import AbsenceCase
from core.mail import Attachment, MailNotSentError, send_templated_mail
from documents.models import Document, DocumentStatus, Party
from documents.registry import document_type
from documents.selectors import case_reference
from integrations.notifications.ics import (
    appointment_calendar,
    appointment_method,
    ics_attachment,
)
from integrations.notifications.models import NotificationKind, NotificationSent
from poortwachter.models import Appointment
from poortwachter.selectors import (
    MailRecipient,
    appointment_attendees,
    employee_recipient,
    user_recipient,
)
from poortwachter.services import appointment_invitations_sent

logger = logging.getLogger(__name__)


def _send_once(
    *,
    tenant_id: int,
    key: str,
    kind: str,
    recipient: MailRecipient,
    subject: str | Promise,
    subject_params: Mapping[str, Any] | None = None,
    template_base: str,
    context: Mapping[str, Any],
    attachments: Sequence[Attachment] = (),
) -> bool:
    """Send one mail unless it went out before; returns whether it was sent.

    The record is written first and the mail sent inside the same
    transaction: a refusing server (``MailNotSentError``) rolls the record
    back, and a second worker with the same mail waits on the unique key
    and then finds it sent.
    """
    with transaction.atomic():
        _record, created = NotificationSent.objects.get_or_create(
            tenant_id=tenant_id,
            key=key,
            recipient=recipient.email.lower(),
            defaults={"kind": kind},
        )
        if not created:
            return False
        send_templated_mail(
            to=[recipient.email],
            language=recipient.language,
            subject=subject,
            subject_params=subject_params,
            template_base=template_base,
            context={**context, "name": recipient.name},
            attachments=attachments,
        )
    return True


def _absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def ziekmelding_confirmation_send(*, case: AbsenceCase) -> int:
    """Confirm a ziekmelding to whoever reported it and to the employee, each
    in their own language: who, first sick day, case reference and what
    happens next; the reporter also gets a link to the case. Returns the
    number of mails sent now (0 when all went out before)."""
    employee = case.employee
    reference = case_reference(case=case)
    key = f"ziekmelding:{case.pk}"
    context = {
        "employee": employee.display_name,
        "first_sick_day": case.first_sick_day,
        "reference": reference,
    }
    sent = 0
    reporter = user_recipient(user=case.reported_by)
    if reporter is not None:
        path = reverse(
            "cases:case_detail", kwargs={"tenant_slug": case.tenant.slug, "pk": case.pk}
        )
        sent += _send_once(
            tenant_id=case.tenant_id,
            key=key,
            kind=NotificationKind.ZIEKMELDING,
            recipient=reporter,
            subject=_("Ziekmelding ontvangen: %(employee)s"),
            subject_params={"employee": employee.display_name},
            template_base="notifications/email/ziekmelding_reporter",
            context={
                **context,
                "is_manager": employee.manager_id == case.reported_by_id,
                "url": _absolute(path),
            },
        )
    person = employee_recipient(employee=employee)
    if person is not None and (
        reporter is None or person.email.lower() != reporter.email.lower()
    ):
        sent += _send_once(
            tenant_id=case.tenant_id,
            key=key,
            kind=NotificationKind.ZIEKMELDING,
            recipient=person,
            subject=_("Je ziekmelding is ontvangen"),
            template_base="notifications/email/ziekmelding_employee",
            context={
                **context,
                "reported_by": case.reported_by.get_full_name()
                if case.reported_by
                else "",
            },
        )
    return sent


def signature_request_send(*, document: Document) -> int:
    """Ask every party that must sign ``document`` and has not yet: for the
    employer, each person the access policy lets sign for it (HR, regiehouder
    and casemanager of the employer); for the employee, their own account,
    or, without one, the address on file with word that the casemanager
    brings the document to sign on paper. Kind and case reference only,
    never the content. Returns the number of mails sent now."""
    if document.status != DocumentStatus.TER_ONDERTEKENING:
        return 0
    signed = set(document.signatures.values_list("party", flat=True))
    parties = [p for p in document_type(document.kind).parties if p not in signed]
    path = reverse(
        "documents:document_sign",
        kwargs={"tenant_slug": document.tenant.slug, "pk": document.pk},
    )
    reference = case_reference(case=document.case)
    kind = lazy(document.get_kind_display, str)()
    key = f"signature_request:{document.pk}"
    sent = 0
    for party in parties:
        action = (
            Action.DOCUMENT_SIGN_WERKGEVER
            if party == Party.WERKGEVER
            else Action.DOCUMENT_SIGN_WERKNEMER
        )
        signers = [
            r
            for r in (
                user_recipient(user=user)
                for user in document_signers(document, action).order_by("pk")
            )
            if r is not None
        ]
        portal = True
        if party == Party.WERKNEMER and not signers:
            # No account to sign with: the paper route (a signed scan).
            fallback = employee_recipient(employee=document.case.employee)
            signers = [fallback] if fallback is not None else []
            portal = False
        for signer in signers:
            sent += _send_once(
                tenant_id=document.tenant_id,
                key=key,
                kind=NotificationKind.SIGNATURE_REQUEST,
                recipient=signer,
                subject=_("Ter ondertekening: %(kind)s (%(reference)s)"),
                subject_params={"kind": kind, "reference": reference},
                template_base=f"notifications/email/signature_request_{party}",
                context={
                    "kind": kind,
                    "reference": reference,
                    "url": _absolute(path) if portal else "",
                },
            )
    return sent


def _when(appointment: Appointment) -> Promise:
    """The start ("3 december 2026, 10:00"), formatted in the language active
    when the subject is built: the recipient's."""

    def text() -> str:
        return (
            f"{date_format(appointment.date, 'j F Y')}, "
            f"{time_format(appointment.start_time, 'H:i')}"
        )

    return lazy(text, str)()


def appointment_invitation_send(
    *, appointment: Appointment, now: dt.datetime | None = None
) -> int:
    """Mail every attendee the calendar invitation for the appointment's
    current state (new, moved or cancelled) with an ``.ics`` attached, each
    in their own language; then record that the invitations of this change
    all went out. Returns the number of mails sent now."""
    now = now or timezone.now()
    attendees = appointment_attendees(appointment=appointment)
    case = appointment.case
    reference = case_reference(case=case)
    method = appointment_method(appointment)
    if appointment.is_cancelled:
        subject = _("Geannuleerd: %(kind)s op %(when)s")
    elif appointment.sequence:
        subject = _("Gewijzigd: %(kind)s op %(when)s")
    else:
        subject = _("Uitnodiging: %(kind)s op %(when)s")
    kind_label = lazy(appointment.get_kind_display, str)()
    organizer = next((a for a in attendees if a.is_organizer), None)
    sent = 0
    for person in attendees:
        sent += _send_once(
            tenant_id=appointment.tenant_id,
            key=f"appointment:{appointment.pk}:{appointment.sequence}",
            kind=NotificationKind.APPOINTMENT,
            recipient=person,
            subject=subject,
            subject_params={"kind": kind_label, "when": _when(appointment)},
            template_base="notifications/email/appointment",
            context={
                "appointment": appointment,
                "reference": reference,
                "employee": case.employee.display_name,
                "is_employee": person.email.lower() == _employee_address(appointment),
                "is_organizer": person.is_organizer,
                "organizer": organizer.name if organizer else "",
            },
            attachments=[
                ics_attachment(
                    _calendar(appointment, attendees, person, reference, now),
                    method=method,
                )
            ],
        )
    appointment_invitations_sent(
        appointment=appointment, sequence=appointment.sequence, recipients=sent
    )
    return sent


def _employee_address(appointment: Appointment) -> str:
    person = employee_recipient(employee=appointment.case.employee)
    return person.email.lower() if person else ""


def _calendar(
    appointment: Appointment,
    attendees: list[MailRecipient],
    reader: MailRecipient,
    reference: str,
    now: dt.datetime,
) -> bytes:
    """The ``.ics`` in ``reader``'s language. The summary is the kind of
    appointment ("Spreekuur bedrijfsarts"), never its reason."""
    with translation.override(reader.language):
        summary = f"{appointment.get_kind_display()} ({reference})"
        lines = [
            str(
                _("Afspraak in verzuimdossier %(reference)s van %(employee)s.")
                % {
                    "reference": reference,
                    "employee": appointment.case.employee.display_name,
                }
            )
        ]
        if appointment.video_url:
            lines.append(str(_("Videolink: %(url)s") % {"url": appointment.video_url}))
        return appointment_calendar(
            appointment=appointment,
            attendees=attendees,
            summary=summary,
            description="\n".join(lines),
            now=now,
        )


# The sweep leaves fresh changes to their own task for this long.
SWEEP_GRACE = dt.timedelta(minutes=5)
# A ziekmelding or an offer to sign older than this is not confirmed late.
SWEEP_WINDOW = dt.timedelta(hours=24)
SWEEP_LIMIT = 200


def notifications_sweep(*, now: dt.datetime) -> int:
    """Send what a lost task left unsent in the scoped tenant (the broker was
    down at commit, or the retries ran out): confirmations of ziekmeldingen
    and requests to sign from the last day, and invitations of appointments
    still ahead whose latest change has not gone out. Idempotent like the
    tasks; a refusing mail server leaves the rest for the next run. Returns
    the number of mails sent."""
    settled = now - SWEEP_GRACE
    since = now - SWEEP_WINDOW

    def unsent(prefix: str) -> Exists:
        return ~Exists(
            NotificationSent.objects.filter(
                key=Concat(Value(prefix), Cast(OuterRef("pk"), CharField()))
            )
        )

    cases = AbsenceCase.objects.filter(reported_at__range=(since, settled)).filter(
        unsent("ziekmelding:")
    )
    documents = Document.objects.filter(
        status=DocumentStatus.TER_ONDERTEKENING, updated_at__range=(since, settled)
    ).filter(unsent("signature_request:"))
    appointments = Appointment.objects.filter(
        Q(invited_sequence__isnull=True) | Q(invited_sequence__lt=F("sequence")),
        updated_at__lte=settled,
        date__gte=timezone.localdate(now),
    )
    work = [
        *(
            (ziekmelding_confirmation_send, {"case": c})
            for c in cases.select_related("tenant", "employee__user", "reported_by")[
                :SWEEP_LIMIT
            ]
        ),
        *(
            (signature_request_send, {"document": d})
            for d in documents.select_related("tenant", "case__employee__user")[
                :SWEEP_LIMIT
            ]
        ),
        *(
            (appointment_invitation_send, {"appointment": a})
            for a in appointments.select_related(
                "organizer",
                "case__employee__user",
                "case__employee__manager",
                "case__bedrijfsarts",
                "case__regiehouder",
                "case__casemanager",
            )[:SWEEP_LIMIT]
        ),
    ]
    sent = 0
    for send, kwargs in work:
        try:
            sent += send(**kwargs)
        except MailNotSentError:
            logger.warning("notification sweep stopped: the mail server refused")
            break
    return sent
