"""Appointments on a case: a spreekuur of the bedrijfsarts or an
evaluatiegesprek, each with a calendar invitation for every attendee.

The services record the appointment and send ``appointment_changed`` inside
their transaction; ``integrations.notifications`` mails the invitations
after commit and reports back through ``appointment_invitations_sent``.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.access import Action, can
from accounts.audit import audit_changes, audit_snapshot
from accounts.models import User
from accounts.services import audit_event_record
from cases.models import AbsenceCase, CaseStatus
from core.exceptions import ApplicationError
from poortwachter.models import (
    APPOINTMENT_TZ,
    Appointment,
    AppointmentKind,
    AppointmentStatus,
)
from poortwachter.signals import appointment_changed

# A date further ahead is a typo (a year too far), not a plan.
PLAN_AHEAD_MAX = dt.timedelta(days=366)
LOCATION_MAX_LENGTH = 200  # Appointment.location
VIDEO_URL_MAX_LENGTH = 500  # Appointment.video_url
_https_url = URLValidator(schemes=["https"])


def _check_when_where(
    *,
    date: dt.date,
    start_time: dt.time,
    end_time: dt.time,
    location: str,
    video_url: str,
    now: dt.datetime,
) -> tuple[str, str]:
    """The rules every planned time and place follow; returns the cleaned
    location and video link."""
    location, video_url = location.strip(), video_url.strip()
    if end_time <= start_time:
        raise ApplicationError(
            _("De eindtijd moet na de begintijd liggen."), field="end_time"
        )
    if dt.datetime.combine(date, start_time, tzinfo=APPOINTMENT_TZ) <= now:
        raise ApplicationError(_("Deze afspraak ligt in het verleden."), field="date")
    if date > timezone.localdate(now) + PLAN_AHEAD_MAX:
        raise ApplicationError(
            _("Een afspraak plant u hoogstens een jaar vooruit."), field="date"
        )
    if not location and not video_url:
        raise ApplicationError(
            _("Vul een locatie of een videolink in."), field="location"
        )
    if len(location) > LOCATION_MAX_LENGTH:
        raise ApplicationError(_("De locatie is te lang."), field="location")
    if video_url and not _is_https_url(video_url):
        raise ApplicationError(
            _("Vul een volledige videolink in die met https:// begint."),
            field="video_url",
        )
    return location, video_url


def _is_https_url(url: str) -> bool:
    if len(url) > VIDEO_URL_MAX_LENGTH:
        return False
    try:
        _https_url(url)
    except ValidationError:
        return False
    return True


def _require(actor: User, appointment: Appointment) -> None:
    if not can(actor, Action.APPOINTMENT_PLAN, appointment):
        raise ApplicationError(
            _("U mag deze afspraak niet plannen of wijzigen."), field="kind"
        )


def _require_open(case: AbsenceCase) -> None:
    if case.status != CaseStatus.OPEN:
        raise ApplicationError(_("Dit verzuim is afgesloten."))


def appointment_plan(
    *,
    actor: User,
    case: AbsenceCase,
    kind: str,
    date: dt.date,
    start_time: dt.time,
    end_time: dt.time,
    location: str = "",
    video_url: str = "",
    now: dt.datetime | None = None,
) -> Appointment:
    """Plan an appointment on an open case (times in Europe/Amsterdam); every
    attendee gets a calendar invitation after commit.

    Whoever runs the case plans both kinds; the bedrijfsarts plans a
    spreekuur. A spreekuur needs a bedrijfsarts on the case. The appointment
    is in the future (at most a year ahead), ends after it starts, and has a
    location or an https video link.
    """
    now = now or timezone.now()
    if kind not in AppointmentKind.values:
        raise ApplicationError(_("Kies de soort afspraak."), field="kind")
    appointment = Appointment(
        tenant_id=case.tenant_id, case=case, kind=kind, organizer=actor
    )
    _require(actor, appointment)
    _require_open(case)
    if kind == AppointmentKind.SPREEKUUR and case.bedrijfsarts_id is None:
        raise ApplicationError(
            _("Wijs eerst een bedrijfsarts toe aan dit dossier."), field="kind"
        )
    appointment.location, appointment.video_url = _check_when_where(
        date=date,
        start_time=start_time,
        end_time=end_time,
        location=location,
        video_url=video_url,
        now=now,
    )
    appointment.date = date
    appointment.start_time = start_time
    appointment.end_time = end_time
    with transaction.atomic():
        appointment.save()
        audit_event_record(
            actor=actor,
            action="appointment_plan",
            obj=appointment,
            data=_facts(appointment),
            changes=audit_changes(appointment, None, APPOINTMENT_AUDIT_FIELDS),
        )
        appointment_changed.send(sender=Appointment, appointment=appointment)
    return appointment


APPOINTMENT_AUDIT_FIELDS = (
    "kind",
    "date",
    "start_time",
    "end_time",
    "location",
    "video_url",
    "status",
)


def _facts(appointment: Appointment) -> dict[str, object]:
    """What the audit trail keeps of an appointment: when, never why."""
    return {
        "case_id": appointment.case_id,
        "kind": appointment.kind,
        "starts_at": appointment.starts_at.isoformat(),
        "ends_at": appointment.ends_at.isoformat(),
        "sequence": appointment.sequence,
    }


def _locked(appointment: Appointment) -> Appointment:
    locked = (
        Appointment.objects.select_for_update()
        .select_related("case")
        .get(pk=appointment.pk)
    )
    if locked.is_cancelled:
        raise ApplicationError(_("Deze afspraak is al geannuleerd."))
    return locked


def appointment_reschedule(
    *,
    actor: User,
    appointment: Appointment,
    date: dt.date,
    start_time: dt.time,
    end_time: dt.time,
    location: str = "",
    video_url: str = "",
    now: dt.datetime | None = None,
) -> Appointment:
    """Move an appointment (time or place); the same calendar event is
    updated for every attendee (same UID, next SEQUENCE)."""
    now = now or timezone.now()
    _require(actor, appointment)
    _require_open(appointment.case)
    location, video_url = _check_when_where(
        date=date,
        start_time=start_time,
        end_time=end_time,
        location=location,
        video_url=video_url,
        now=now,
    )
    changes = {
        "date": date,
        "start_time": start_time,
        "end_time": end_time,
        "location": location,
        "video_url": video_url,
    }
    with transaction.atomic():
        locked = _locked(appointment)
        before = audit_snapshot(locked, changes)
        if all(getattr(locked, name) == value for name, value in changes.items()):
            raise ApplicationError(_("Er is niets gewijzigd aan de afspraak."))
        for name, value in changes.items():
            setattr(locked, name, value)
        locked.sequence += 1
        locked.save(update_fields=[*changes, "sequence", "updated_at"])
        audit_event_record(
            actor=actor,
            action="appointment_reschedule",
            obj=locked,
            data=_facts(locked),
            changes=audit_changes(locked, before),
        )
        appointment_changed.send(sender=Appointment, appointment=locked)
    return locked


def appointment_cancel(*, actor: User, appointment: Appointment) -> Appointment:
    """Cancel an appointment; every attendee's calendar event is cancelled
    (same UID, next SEQUENCE, METHOD:CANCEL)."""
    _require(actor, appointment)
    with transaction.atomic():
        locked = _locked(appointment)
        before = audit_snapshot(locked, ("status",))
        locked.status = AppointmentStatus.CANCELLED
        locked.sequence += 1
        locked.save(update_fields=["status", "sequence", "updated_at"])
        audit_event_record(
            actor=actor,
            action="appointment_cancel",
            obj=locked,
            data=_facts(locked),
            changes=audit_changes(locked, before),
        )
        appointment_changed.send(sender=Appointment, appointment=locked)
    return locked


def appointment_invitations_sent(
    *, appointment: Appointment, sequence: int, recipients: int
) -> bool:
    """Record that every attendee got the invitation of change ``sequence``
    (called by the mail task). A later change already made keeps its own
    pending state. Returns whether the record changed."""
    with transaction.atomic():
        updated = Appointment.objects.filter(
            pk=appointment.pk, sequence=sequence
        ).update(invited_sequence=sequence)
        if updated:
            audit_event_record(
                actor=None,
                action="appointment_invitations_sent",
                obj=appointment,
                data={"sequence": sequence, "recipients": recipients},
            )
    return bool(updated)
