"""Calendar invitations (iCalendar, RFC 5545; iTIP methods, RFC 5546).

One ``VEVENT`` per appointment with a UID that never changes and a
``SEQUENCE`` that counts the changes, so calendars update or cancel the event
they already hold instead of adding a second one. Times carry
``TZID=Europe/Amsterdam`` with its ``VTIMEZONE``: a Dutch 10:00 stays 10:00
across daylight saving time, whatever the reader's own zone.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from email.mime.text import MIMEText
from email.utils import parseaddr

from django.conf import settings
from icalendar import Calendar, Event, Timezone, vCalAddress

from poortwachter.models import Appointment
from poortwachter.selectors import MailRecipient

PRODID = "-//Hervat//Afspraken//NL"
TZID = "Europe/Amsterdam"
FILENAME = "afspraak.ics"


def appointment_uid(appointment: Appointment) -> str:
    """The event's UID in every calendar, for the appointment's whole life."""
    return f"{appointment.uid}@hervat"


def appointment_method(appointment: Appointment) -> str:
    return "CANCEL" if appointment.is_cancelled else "REQUEST"


def _address(person: MailRecipient) -> vCalAddress:
    address = vCalAddress(f"mailto:{person.email}")
    address.params["cn"] = person.name or person.email
    return address


def _attendee(person: MailRecipient, *, role: str, partstat: str) -> vCalAddress:
    address = _address(person)
    address.params["role"] = role
    address.params["partstat"] = partstat
    # Replies would reach the organizer's own mailbox, not Hervat.
    address.params["rsvp"] = "FALSE"
    return address


def appointment_calendar(
    *,
    appointment: Appointment,
    attendees: Sequence[MailRecipient],
    summary: str,
    description: str,
    now: dt.datetime,
) -> bytes:
    """The ``.ics`` for the appointment's current state: a request (new or
    changed) or a cancellation. ``summary`` and ``description`` are already
    in the reader's language and name no medical reason."""
    method = appointment_method(appointment)
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", method)
    year = appointment.date.year
    calendar.add_component(
        Timezone.from_tzid(
            TZID,
            first_date=dt.date(year - 1, 1, 1),
            last_date=dt.date(year + 1, 12, 31),
        )
    )
    event = Event()
    event.add("uid", appointment_uid(appointment))
    event.add("sequence", appointment.sequence)
    event.add("dtstamp", now.astimezone(dt.UTC))
    event.add("dtstart", appointment.starts_at)
    event.add("dtend", appointment.ends_at)
    event.add("summary", summary)
    event.add("description", description)
    if appointment.location or appointment.video_url:
        event.add("location", appointment.location or appointment.video_url)
    if appointment.video_url:
        event.add("url", appointment.video_url)
    event.add("status", "CANCELLED" if method == "CANCEL" else "CONFIRMED")
    organizer = next((a for a in attendees if a.is_organizer), None)
    if organizer is None:
        # An iTIP request needs an organizer: the sending address stands in
        # when the planner's account is gone.
        name, email = parseaddr(settings.DEFAULT_FROM_EMAIL)
        organizer = MailRecipient(name or "Hervat", email, "nl", is_organizer=True)
    event.add("organizer", _address(organizer))
    for person in attendees:
        event.add(
            "attendee",
            _attendee(
                person,
                role="CHAIR" if person.is_organizer else "REQ-PARTICIPANT",
                partstat="ACCEPTED" if person.is_organizer else "NEEDS-ACTION",
            ),
        )
    calendar.add_component(event)
    return calendar.to_ical()


def ics_attachment(content: bytes, *, method: str) -> MIMEText:
    """The ``.ics`` as a mail part that calendar clients recognise as an
    invitation (``text/calendar; method=...``)."""
    part = MIMEText(content.decode("utf-8"), "calendar", "utf-8")
    part.set_param("method", method)
    part.add_header("Content-Disposition", "attachment", filename=FILENAME)
    return part
