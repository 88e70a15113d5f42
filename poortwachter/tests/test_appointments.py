"""Appointments on a case: planning, moving and cancelling a spreekuur or an
evaluatiegesprek, with a calendar invitation (.ics) for every attendee."""

import datetime as dt
from zoneinfo import ZoneInfo

import icalendar
import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent, Role
from core.exceptions import ApplicationError
from core.mail import MailNotSentError
from integrations.notifications.tasks import appointment_invite_task
from poortwachter.models import Appointment, AppointmentKind, AppointmentStatus
from poortwachter.services import (
    appointment_cancel,
    appointment_plan,
    appointment_reschedule,
)

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
# A fixed "now" for the service tests: a winter day, so the plans below cross
# the change to summer time.
NOW = dt.datetime(2026, 11, 20, 9, 0, tzinfo=AMSTERDAM)
SMTP_DOWN = {
    "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
    "EMAIL_HOST": "127.0.0.1",
    "EMAIL_PORT": 9,  # nothing listens there: the connection is refused
}


@pytest.fixture
def case(scope_a):
    """team_case, with a bedrijfsarts, a casemanager and the manager."""
    case = scope_a.team_case
    case.casemanager = scope_a.user(Role.CASEMANAGER)
    case.save()
    return case


def _plan(world, case, *, kind=AppointmentKind.SPREEKUUR, role=Role.CASEMANAGER, **kw):
    fields = {
        "date": dt.date(2026, 12, 3),
        "start_time": dt.time(10, 0),
        "end_time": dt.time(10, 30),
        "location": "Arbodienst, spreekkamer 2",
        "now": NOW,
        **kw,
    }
    return appointment_plan(actor=world.user(role), case=case, kind=kind, **fields)


def _send(appointment):
    mail.outbox.clear()
    appointment_invite_task(appointment.pk, appointment.tenant_id)
    return {m.to[0]: m for m in mail.outbox}


def _calendar(message) -> icalendar.Calendar:
    (part,) = message.attachments
    assert part.get_content_type() == "text/calendar"
    assert part.get_param("method") in ("REQUEST", "CANCEL")
    return icalendar.Calendar.from_ical(part.get_payload(decode=True))


def _event(message):
    (event,) = _calendar(message).walk("VEVENT")
    return event


def test_every_attendee_of_a_spreekuur_gets_an_invitation(scope_a, case):
    appointment = _plan(scope_a, case)
    sent = _send(appointment)
    employee = case.employee.email
    bedrijfsarts = scope_a.user(Role.BEDRIJFSARTS).email
    organizer = scope_a.user(Role.CASEMANAGER).email
    assert set(sent) == {employee, bedrijfsarts, organizer}
    assert sent[employee].subject == (
        "Uitnodiging: Spreekuur bedrijfsarts op 3 december 2026, 10:00"
    )
    assert "Je bent uitgenodigd" in sent[employee].body
    assert "Spreekkamer 2".lower() in sent[bedrijfsarts].body.lower()
    event = _event(sent[bedrijfsarts])
    assert str(event["summary"]).startswith("Spreekuur bedrijfsarts")
    assert {str(a).removeprefix("mailto:") for a in event["attendee"]} == set(sent)
    assert str(event["organizer"]) == f"mailto:{organizer}"
    appointment.refresh_from_db()
    assert appointment.invitations_sent


def test_the_ics_is_a_request_in_amsterdam_time(scope_a, case):
    winter = _plan(scope_a, case)
    summer = _plan(
        scope_a,
        case,
        date=dt.date(2027, 6, 15),
        start_time=dt.time(14, 15),
        end_time=dt.time(15, 0),
        video_url="https://video.example/kamer-7",
        location="",
    )
    for appointment, utc_start in (
        (winter, dt.datetime(2026, 12, 3, 9, 0, tzinfo=dt.UTC)),
        (summer, dt.datetime(2027, 6, 15, 12, 15, tzinfo=dt.UTC)),
    ):
        message = next(iter(_send(appointment).values()))
        calendar = _calendar(message)
        assert calendar["method"] == "REQUEST"
        (zone,) = calendar.walk("VTIMEZONE")
        assert zone["tzid"] == "Europe/Amsterdam"
        event = _event(message)
        assert event["dtstart"].params["TZID"] == "Europe/Amsterdam"
        assert event.start.tzinfo.key == "Europe/Amsterdam"
        assert event.start == utc_start
        assert event.end - event.start == (
            dt.timedelta(minutes=30)
            if appointment is winter
            else dt.timedelta(minutes=45)
        )
        assert int(event["sequence"]) == 0
        assert str(event["uid"]) == f"{appointment.uid}@hervat"
    assert str(_event(message)["location"]) == "https://video.example/kamer-7"
    assert str(_event(message)["url"]) == "https://video.example/kamer-7"


def test_reschedule_keeps_the_uid_and_counts_the_sequence_cancel_cancels(scope_a, case):
    appointment = _plan(scope_a, case)
    first = _event(next(iter(_send(appointment).values())))
    moved = appointment_reschedule(
        actor=scope_a.user(Role.CASEMANAGER),
        appointment=appointment,
        date=dt.date(2026, 12, 4),
        start_time=dt.time(11, 0),
        end_time=dt.time(11, 45),
        location="Arbodienst, spreekkamer 3",
        now=NOW,
    )
    sent = _send(moved)
    update = _event(sent[case.employee.email])
    assert str(update["uid"]) == str(first["uid"])
    assert int(update["sequence"]) == int(first["sequence"]) + 1
    assert update.start == dt.datetime(2026, 12, 4, 11, 0, tzinfo=AMSTERDAM)
    assert sent[case.employee.email].subject.startswith("Gewijzigd:")
    cancelled = appointment_cancel(
        actor=scope_a.user(Role.CASEMANAGER), appointment=moved
    )
    sent = _send(cancelled)
    calendar = _calendar(sent[case.employee.email])
    assert calendar["method"] == "CANCEL"
    (event,) = calendar.walk("VEVENT")
    assert str(event["uid"]) == str(first["uid"])
    assert int(event["sequence"]) == int(update["sequence"]) + 1
    assert event["status"] == "CANCELLED"
    assert sent[case.employee.email].subject.startswith("Geannuleerd:")
    assert set(sent) == {
        case.employee.email,
        scope_a.user(Role.BEDRIJFSARTS).email,
        scope_a.user(Role.CASEMANAGER).email,
    }
    actions = AuditEvent.objects.filter(object_id=appointment.pk).values_list(
        "action", flat=True
    )
    assert {"appointment_plan", "appointment_reschedule", "appointment_cancel"} <= (
        set(actions)
    )


def test_an_evaluatiegesprek_invites_employee_manager_and_case_people(scope_a, case):
    appointment = _plan(scope_a, case, kind=AppointmentKind.EVALUATIEGESPREK)
    sent = _send(appointment)
    assert set(sent) == {
        case.employee.email,
        scope_a.user(Role.LEIDINGGEVENDE).email,
        scope_a.user(Role.CASEMANAGER).email,
    }
    assert str(_event(sent[case.employee.email])["summary"]).startswith(
        "Evaluatiegesprek"
    )


def test_each_attendee_reads_the_invitation_in_their_language(scope_a, case):
    doctor = scope_a.user(Role.BEDRIJFSARTS)
    doctor.preferred_language = "en"
    doctor.save()
    sent = _send(_plan(scope_a, case))
    to_doctor = sent[doctor.email]
    assert to_doctor.subject.startswith("Invitation: Company doctor consultation")
    assert "3 December 2026" in to_doctor.subject
    assert str(_event(to_doctor)["summary"]).startswith("Company doctor consultation")
    assert sent[case.employee.email].subject.startswith("Uitnodiging: Spreekuur")


def test_a_retried_task_does_not_invite_twice(scope_a, case):
    appointment = _plan(scope_a, case)
    assert appointment_invite_task(appointment.pk, appointment.tenant_id) == 3
    assert appointment_invite_task(appointment.pk, appointment.tenant_id) == 0
    assert len(mail.outbox) == 3


def test_a_refusing_mail_server_leaves_the_invitations_pending(
    scope_a, case, settings, login
):
    appointment = _plan(scope_a, case)
    for name, value in SMTP_DOWN.items():
        setattr(settings, name, value)
    with pytest.raises(MailNotSentError):
        appointment_invite_task(appointment.pk, appointment.tenant_id)
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.PLANNED
    assert not appointment.invitations_sent
    page = login(scope_a.user(Role.CASEMANAGER)).get(
        reverse("cases:case_detail", args=["tenant-a", case.pk])
    )
    assert "Wordt verstuurd" in page.text
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert appointment_invite_task(appointment.pk, appointment.tenant_id) == 3
    appointment.refresh_from_db()
    assert appointment.invitations_sent


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"end_time": dt.time(9, 30)}, "end_time", "eindtijd moet na de begintijd"),
        ({"date": dt.date(2026, 11, 19)}, "date", "in het verleden"),
        ({"date": dt.date(2026, 11, 20), "start_time": dt.time(8)}, "date", "verleden"),
        ({"date": dt.date(2028, 1, 1)}, "date", "jaar vooruit"),
        ({"location": "  "}, "location", "locatie of een videolink"),
        ({"video_url": "http://video.example/x"}, "video_url", "https://"),
        ({"video_url": "javascript:alert(1)"}, "video_url", "https://"),
    ],
)
def test_bad_plans_are_refused_with_a_field_error(
    scope_a, case, change, field, message
):
    with pytest.raises(ApplicationError, match=message) as refused:
        _plan(scope_a, case, **change)
    assert refused.value.field == field
    assert not Appointment.objects.exists()


def test_a_spreekuur_needs_a_bedrijfsarts_on_the_case(scope_a):
    with pytest.raises(ApplicationError, match="bedrijfsarts"):
        _plan(scope_a, scope_a.a1_case)


def test_who_may_plan_what(scope_a, case):
    _plan(scope_a, case, role=Role.REGIEHOUDER)
    _plan(scope_a, case, role=Role.BEDRIJFSARTS)
    with pytest.raises(ApplicationError):
        _plan(
            scope_a, case, role=Role.BEDRIJFSARTS, kind=AppointmentKind.EVALUATIEGESPREK
        )
    for role in (Role.LEIDINGGEVENDE, Role.HR, Role.WERKNEMER, Role.TENANT_ADMIN):
        with pytest.raises(ApplicationError):
            _plan(scope_a, case, role=role)
    assert Appointment.objects.count() == 2


def test_a_cancelled_appointment_cannot_be_moved_or_cancelled_again(scope_a, case):
    appointment = appointment_cancel(
        actor=scope_a.user(Role.CASEMANAGER), appointment=_plan(scope_a, case)
    )
    with pytest.raises(ApplicationError, match="geannuleerd"):
        appointment_cancel(
            actor=scope_a.user(Role.CASEMANAGER), appointment=appointment
        )
    with pytest.raises(ApplicationError, match="geannuleerd"):
        appointment_reschedule(
            actor=scope_a.user(Role.CASEMANAGER),
            appointment=appointment,
            date=dt.date(2026, 12, 5),
            start_time=dt.time(9),
            end_time=dt.time(10),
            location="Elders",
            now=NOW,
        )


# --- the page -------------------------------------------------------------------


def _form(**change):
    day = timezone.localdate() + dt.timedelta(days=7)
    return {
        "kind": "spreekuur",
        "date": day.isoformat(),
        "start_time": "10:00",
        "end_time": "10:30",
        "location": "Spreekkamer 1",
        "video_url": "",
        **change,
    }


def test_casemanager_plans_from_the_case_page(
    scope_a, case, login, django_capture_on_commit_callbacks
):
    client = login(scope_a.user(Role.CASEMANAGER))
    detail = reverse("cases:case_detail", args=["tenant-a", case.pk])
    add = reverse("poortwachter:appointment_add", args=["tenant-a", case.pk])
    assert add in client.get(detail).text
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(add, _form())
    assert response.status_code == 302
    assert len(callbacks) == 1  # the invitations go out after commit
    appointment = Appointment.objects.get()
    assert appointment.organizer == scope_a.user(Role.CASEMANAGER)
    page = client.get(detail).text
    assert "Spreekuur bedrijfsarts" in page
    assert "Wordt verstuurd" in page
    appointment_invite_task(appointment.pk, appointment.tenant_id)
    page = client.get(detail).text
    assert "Verstuurd" in page
    assert "Wordt verstuurd" not in page
    edit = reverse(
        "poortwachter:appointment_edit", args=["tenant-a", case.pk, appointment.pk]
    )
    moved = client.post(edit, _form(start_time="11:00", end_time="11:30"))
    assert moved.status_code == 302
    appointment.refresh_from_db()
    assert (appointment.start_time, appointment.sequence) == (dt.time(11), 1)
    cancel = reverse(
        "poortwachter:appointment_cancel", args=["tenant-a", case.pk, appointment.pk]
    )
    assert client.get(cancel).status_code == 405
    assert client.post(cancel).status_code == 302
    appointment.refresh_from_db()
    assert appointment.is_cancelled


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"start_time": "11:00", "end_time": "10:00"}, "eindtijd moet na de begintijd"),
        ({"date": "2020-01-06"}, "in het verleden"),
        ({"date": "geen datum"}, "Voer een geldige datum in"),
        ({"location": ""}, "locatie of een videolink"),
        ({"kind": "evaluatie-met-arts"}, "Selecteer een geldige keuze"),
    ],
)
def test_form_errors_are_shown_not_500(scope_a, case, login, change, error):
    client = login(scope_a.user(Role.CASEMANAGER))
    add = reverse("poortwachter:appointment_add", args=["tenant-a", case.pk])
    response = client.post(add, _form(**change))
    assert response.status_code == 200
    assert error in response.text
    assert not Appointment.objects.exists()


def test_bedrijfsarts_is_offered_only_the_spreekuur(scope_a, case, login):
    client = login(scope_a.user(Role.BEDRIJFSARTS))
    add = reverse("poortwachter:appointment_add", args=["tenant-a", case.pk])
    page = client.get(add).text
    assert 'value="spreekuur"' in page
    assert 'value="evaluatiegesprek"' not in page
    response = client.post(add, _form(kind="evaluatiegesprek"))
    assert response.status_code == 200
    assert not Appointment.objects.exists()


@pytest.mark.parametrize("role", [Role.LEIDINGGEVENDE, Role.HR, Role.WERKNEMER])
def test_people_who_do_not_plan_get_404(scope_a, case, login, role):
    appointment = _plan(scope_a, case)
    client = login(scope_a.user(role))
    urls = [
        reverse("poortwachter:appointment_add", args=["tenant-a", case.pk]),
        reverse(
            "poortwachter:appointment_edit", args=["tenant-a", case.pk, appointment.pk]
        ),
    ]
    for url in urls:
        assert client.get(url).status_code == 404
        assert client.post(url, _form()).status_code == 404
    cancel = reverse(
        "poortwachter:appointment_cancel", args=["tenant-a", case.pk, appointment.pk]
    )
    assert client.post(cancel).status_code == 404
    assert Appointment.objects.get().status == AppointmentStatus.PLANNED


def test_a_manager_sees_the_appointment_but_no_buttons(scope_a, case, login):
    _plan(scope_a, case)
    page = login(scope_a.user(Role.LEIDINGGEVENDE)).get(
        reverse("cases:case_detail", args=["tenant-a", case.pk])
    )
    assert "Spreekuur bedrijfsarts" in page.text
    assert "/afspraken/" not in page.text


def test_tenant_b_sees_nothing_of_tenant_a(scope_a, case, world, login):
    appointment = _plan(scope_a, case)
    client = login(world.casemanager_b)
    for slug in ("tenant-a", "tenant-b"):
        urls = [
            reverse("poortwachter:appointment_add", args=[slug, case.pk]),
            reverse(
                "poortwachter:appointment_edit", args=[slug, case.pk, appointment.pk]
            ),
        ]
        for url in urls:
            assert client.get(url).status_code == 404
        cancel = reverse(
            "poortwachter:appointment_cancel", args=[slug, case.pk, appointment.pk]
        )
        assert client.post(cancel).status_code == 404
    # Tenant B's own case shows no appointment of A.
    page = client.get(reverse("cases:case_detail", args=["tenant-b", world.b_case.pk]))
    assert page.status_code == 200
    assert "Arbodienst, spreekkamer 2" not in page.text
    assert Appointment.objects.get().status == AppointmentStatus.PLANNED


def test_an_appointment_of_another_case_is_404_through_this_case(scope_a, case, login):
    appointment = _plan(scope_a, case)
    client = login(scope_a.user(Role.CASEMANAGER))
    other = scope_a.a1_case
    url = reverse(
        "poortwachter:appointment_edit", args=["tenant-a", other.pk, appointment.pk]
    )
    assert client.get(url).status_code == 404
