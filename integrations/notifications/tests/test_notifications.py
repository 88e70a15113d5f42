"""Notification mails: the ziekmelding confirmation and requests to sign.

Mails land in ``django.core.mail.outbox`` (Django's locmem e-mail backend);
a refusing mail server is a real closed port on 127.0.0.1.
"""

import datetime as dt
import time
from unittest import mock

import pytest
from celery.contrib.testing.worker import start_worker
from django.core import mail
from django.db import transaction
from django.utils import timezone

from accounts.access import Action, can
from accounts.models import Role
from accounts.scoping import tenant_scope
from cases.services import ziekmelding_create
from cases.tests.factories import EmployeeFactory
from config.celery import app
from core.mail import MailNotSentError
from documents.models import DocumentKind, Party
from documents.selectors import case_reference
from documents.services import (
    document_create,
    document_sign,
    document_signatures_request,
    document_update,
    signable_parties,
)
from integrations.notifications.models import NotificationSent
from integrations.notifications.services import (
    appointment_invitation_send,
    signature_request_send,
    ziekmelding_confirmation_send,
)
from integrations.notifications.tasks import (
    signature_request_notify_task,
    ziekmelding_confirm_task,
)
from poortwachter.services import (
    appointment_plan,
    consult_record,
    probleemanalyse_record,
)

SMTP_DOWN = {
    "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
    "EMAIL_HOST": "127.0.0.1",
    "EMAIL_PORT": 9,  # nothing listens there: the connection is refused
}
MEDICAL_MARKER = "Hernia-GEHEIM-diagnose"


@pytest.fixture
def new_employee(scope_a):
    """An employee of the manager's team without a case, who reads Dutch."""
    return EmployeeFactory(
        employer=scope_a.employer_a1,
        manager=scope_a.user(Role.LEIDINGGEVENDE),
        first_name="Noor",
        surname="Ziekman",
        email="noor@werknemer.test",
        preferred_language="nl",
    )


def _report(world, employee, actor_role=Role.LEIDINGGEVENDE):
    return ziekmelding_create(
        actor=world.user(actor_role),
        employee=employee,
        first_sick_day=timezone.localdate(),
    )


def _by_address(messages):
    return {m.to[0]: m for m in messages}


def _everything(message) -> str:
    """Subject, text, HTML alternatives and attachments of one mail."""
    parts = [message.subject, message.body]
    parts += [content for content, _mimetype in message.alternatives]
    for attachment in message.attachments:
        if hasattr(attachment, "get_payload"):
            parts.append(attachment.get_payload(decode=True).decode())
        else:
            parts.append(str(attachment[1]))
    return "\n".join(parts)


# --- ziekmelding confirmation ------------------------------------------------


def test_confirmation_reaches_reporter_and_employee_each_in_their_language(
    scope_a, new_employee
):
    manager = scope_a.user(Role.LEIDINGGEVENDE)
    manager.preferred_language = "en"
    manager.save()
    case = _report(scope_a, new_employee)
    assert ziekmelding_confirm_task(case.pk, case.tenant_id) == 2
    sent = _by_address(mail.outbox)
    assert set(sent) == {manager.email, "noor@werknemer.test"}
    reference = case_reference(case=case)

    to_manager = sent[manager.email]
    assert to_manager.subject == "Sickness report received: Noor Ziekman"
    assert reference in to_manager.body
    assert "at least once a week" in to_manager.body
    url = f"http://127.0.0.1:8000/t/tenant-a/dossiers/{case.pk}/"
    assert url in to_manager.body

    to_employee = sent["noor@werknemer.test"]
    assert to_employee.subject == "Je ziekmelding is ontvangen"
    assert reference in to_employee.body
    assert "neemt contact met je op" in to_employee.body
    assert url not in to_employee.body
    first_day = timezone.localdate()
    assert f"{first_day.day} " in to_employee.body


def test_an_english_employee_reads_the_confirmation_in_english(scope_a, new_employee):
    new_employee.preferred_language = "en"
    new_employee.save()
    case = _report(scope_a, new_employee, actor_role=Role.REGIEHOUDER)
    ziekmelding_confirm_task(case.pk, case.tenant_id)
    sent = _by_address(mail.outbox)
    to_employee = sent["noor@werknemer.test"]
    assert to_employee.subject == "Your sickness report has been received"
    assert "will contact you" in to_employee.body
    # A regiehouder who reported is not told to keep weekly contact.
    to_regiehouder = sent[scope_a.user(Role.REGIEHOUDER).email]
    assert "minstens één keer per week" not in to_regiehouder.body
    assert "takenlijst" in to_regiehouder.body


def test_an_employee_with_an_account_gets_it_at_their_login_address(scope_a):
    case = scope_a.own_case
    case.reported_by = scope_a.user(Role.LEIDINGGEVENDE)
    case.save()
    ziekmelding_confirmation_send(case=case)
    assert {m.to[0] for m in mail.outbox} == {
        scope_a.user(Role.LEIDINGGEVENDE).email,
        scope_a.user(Role.WERKNEMER).email,
    }


def test_an_employee_without_an_address_gets_nothing_the_reporter_does(
    scope_a, new_employee
):
    new_employee.email = ""
    new_employee.save()
    case = _report(scope_a, new_employee)
    assert ziekmelding_confirm_task(case.pk, case.tenant_id) == 1
    assert [m.to for m in mail.outbox] == [[scope_a.user(Role.LEIDINGGEVENDE).email]]


def test_a_rolled_back_ziekmelding_sends_nothing(
    scope_a, new_employee, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        _report(scope_a, new_employee)
        raise RuntimeError("the request failed after the ziekmelding")
    assert callbacks == []
    assert mail.outbox == []
    assert not new_employee.cases.exists()


def test_a_committed_ziekmelding_enqueues_the_confirmation(
    scope_a, new_employee, django_capture_on_commit_callbacks
):
    with (
        mock.patch.object(ziekmelding_confirm_task, "delay") as delay,
        django_capture_on_commit_callbacks(execute=True),
    ):
        case = _report(scope_a, new_employee)
    delay.assert_called_once_with(case.pk, case.tenant_id)


def test_a_retried_task_sends_once(scope_a, new_employee):
    case = _report(scope_a, new_employee)
    assert ziekmelding_confirm_task(case.pk, case.tenant_id) == 2
    assert ziekmelding_confirm_task(case.pk, case.tenant_id) == 0
    assert len(mail.outbox) == 2
    assert NotificationSent.objects.filter(key=f"ziekmelding:{case.pk}").count() == 2


def test_a_refusing_mail_server_loses_nothing_and_the_retry_sends(
    scope_a, new_employee, settings
):
    case = _report(scope_a, new_employee)
    for name, value in SMTP_DOWN.items():
        setattr(settings, name, value)
    # Called in-process, Celery's retry re-raises the cause.
    with pytest.raises(MailNotSentError, match="kon niet worden verstuurd"):
        ziekmelding_confirm_task(case.pk, case.tenant_id)
    assert not NotificationSent.objects.exists()
    assert new_employee.cases.get() == case
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert ziekmelding_confirm_task(case.pk, case.tenant_id) == 2
    assert len(mail.outbox) == 2


def test_tasks_for_unknown_ids_do_nothing(world):
    assert ziekmelding_confirm_task(999999, world.tenant_a.pk) == 0
    assert ziekmelding_confirm_task(world.a1_case.pk, 999999) == 0
    assert signature_request_notify_task(999999, world.tenant_a.pk) == 0


def test_the_tasks_run_on_the_integrations_queue():
    route = app.amqp.router.route({}, ziekmelding_confirm_task.name)
    assert route["queue"].name == "integrations"


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_sends_the_confirmation_after_a_ziekmelding(world):
    with tenant_scope(world.tenant_a):
        employee = EmployeeFactory(
            employer=world.employer_a1,
            manager=world.user(Role.LEIDINGGEVENDE),
            email="echt@werknemer.test",
        )
    with start_worker(
        app, queues=["integrations"], perform_ping_check=False, shutdown_timeout=10
    ):
        with tenant_scope(world.tenant_a):
            case = _report(world, employee)
        deadline = time.monotonic() + 30
        wanted = {world.user(Role.LEIDINGGEVENDE).email, "echt@werknemer.test"}
        while not wanted <= {m.to[0] for m in mail.outbox}:
            assert time.monotonic() < deadline, "the worker sent no confirmation"
            time.sleep(0.1)
    with tenant_scope(world.tenant_a):
        assert (
            set(
                NotificationSent.objects.filter(
                    key=f"ziekmelding:{case.pk}"
                ).values_list("recipient", flat=True)
            )
            == wanted
        )


# --- requests to sign ----------------------------------------------------------


def _offered(world, case, **data):
    document = document_create(
        actor=world.user(Role.CASEMANAGER), case=case, kind=DocumentKind.PLAN_VAN_AANPAK
    )
    document_update(
        actor=world.user(Role.CASEMANAGER),
        document=document,
        data={"werknemer_naam": case.employee.display_name, **data},
    )
    return document_signatures_request(
        actor=world.user(Role.CASEMANAGER), document=document
    )


def _may_sign(world, document) -> set[str]:
    people = [*world.users.values(), world.casemanager_b]
    return {
        user.email for user in people if signable_parties(actor=user, document=document)
    }


def test_signature_requests_go_exactly_to_the_people_who_may_sign(
    scope_a, django_capture_on_commit_callbacks
):
    case = scope_a.own_case  # the employee signs with their own account
    with django_capture_on_commit_callbacks() as callbacks:
        document = _offered(scope_a, case)
    assert callbacks, "offering for signature enqueues the requests"
    sent = signature_request_notify_task(document.pk, document.tenant_id)
    recipients = {m.to[0] for m in mail.outbox}
    assert sent == len(recipients) == len(mail.outbox)
    assert recipients == _may_sign(scope_a, document)
    assert scope_a.user(Role.LEIDINGGEVENDE).email not in recipients
    assert scope_a.user(Role.BEDRIJFSARTS).email not in recipients
    link = f"http://127.0.0.1:8000/t/tenant-a/documenten/{document.pk}/ondertekenen/"
    reference = case_reference(case=case)
    for message in mail.outbox:
        assert message.subject == f"Ter ondertekening: Plan van aanpak ({reference})"
        assert link in message.body
    to_employee = _by_address(mail.outbox)[scope_a.user(Role.WERKNEMER).email]
    assert "door jou te ondertekenen" in to_employee.body
    # Every signer was asked once: a retried task asks nobody again.
    assert signature_request_notify_task(document.pk, document.tenant_id) == 0


def test_the_rule_matches_can_for_every_persona(scope_a):
    document = _offered(scope_a, scope_a.own_case)
    signature_request_send(document=document)
    recipients = {m.to[0] for m in mail.outbox}
    for user in scope_a.users.values():
        allowed = can(user, Action.DOCUMENT_SIGN_WERKGEVER, document) or can(
            user, Action.DOCUMENT_SIGN_WERKNEMER, document
        )
        assert (user.email in recipients) == allowed, user.email


def test_an_employee_without_an_account_is_told_about_the_paper_route(scope_a):
    case = scope_a.a1_case
    document = _offered(scope_a, case)
    signature_request_send(document=document)
    to_employee = _by_address(mail.outbox)[case.employee.email]
    assert "op papier" in to_employee.body
    assert "ondertekenen/" not in to_employee.body


def test_who_already_signed_is_not_asked(scope_a):
    document = _offered(scope_a, scope_a.own_case)
    document_sign(
        actor=scope_a.user(Role.HR),
        document=document,
        party=Party.WERKGEVER,
        name="H. R.",
    )
    document.refresh_from_db()
    signature_request_send(document=document)
    assert [m.to[0] for m in mail.outbox] == [scope_a.user(Role.WERKNEMER).email]


def test_the_request_names_kind_and_reference_not_content(scope_a):
    document = _offered(
        scope_a, scope_a.own_case, visie_werkgever="Inhoud-van-het-plan-XYZ"
    )
    signature_request_send(document=document)
    employee_name = scope_a.own_case.employee.display_name
    for message in mail.outbox:
        assert "Inhoud-van-het-plan-XYZ" not in _everything(message)
        if message.to[0] != scope_a.user(Role.WERKNEMER).email:
            assert employee_name not in _everything(message)


# --- medical data never leaves in a mail ---------------------------------------


def test_no_mail_carries_medical_text(scope_a, new_employee):
    case = scope_a.own_case
    bedrijfsarts = scope_a.user(Role.BEDRIJFSARTS)
    case.bedrijfsarts = bedrijfsarts
    case.casemanager = scope_a.user(Role.CASEMANAGER)
    case.reported_by = scope_a.user(Role.LEIDINGGEVENDE)
    case.save()
    today = timezone.localdate()
    probleemanalyse_record(
        actor=bedrijfsarts,
        case=case,
        kind="eerste",
        made_on=today,
        limitations="Kan niet tillen.",
        advice="Aangepast werk.",
        anamnesis=MEDICAL_MARKER,
        assessment=MEDICAL_MARKER,
        treatment=MEDICAL_MARKER,
    )
    consult_record(
        actor=bedrijfsarts,
        case=case,
        held_on=today,
        kind="spreekuur",
        notes=MEDICAL_MARKER,
    )
    ziekmelding_confirmation_send(case=case)
    signature_request_send(document=_offered(scope_a, case))
    for kind in ("spreekuur", "evaluatiegesprek"):
        appointment = appointment_plan(
            actor=scope_a.user(Role.CASEMANAGER),
            case=case,
            kind=kind,
            date=today + dt.timedelta(days=7),
            start_time=dt.time(10),
            end_time=dt.time(10, 30),
            location="Spreekkamer 2",
        )
        appointment_invitation_send(appointment=appointment)
    assert len(mail.outbox) >= 10
    for message in mail.outbox:
        text = _everything(message).lower()
        assert MEDICAL_MARKER.lower() not in text
        assert "hernia" not in text
        assert "kan niet tillen" not in text


# --- the sweep: what a lost task left unsent -------------------------------------


def test_the_sweep_sends_what_a_lost_task_left_unsent_once(scope_a, new_employee):
    from integrations.notifications.services import notifications_sweep

    case = _report(scope_a, new_employee)  # its task never ran (broker down)
    document = _offered(scope_a, scope_a.own_case)
    appointment = appointment_plan(
        actor=scope_a.user(Role.CASEMANAGER),
        case=scope_a.team_case,
        kind="spreekuur",
        date=timezone.localdate() + dt.timedelta(days=3),
        start_time=dt.time(9),
        end_time=dt.time(9, 30),
        location="Spreekkamer 1",
    )
    now = timezone.now()
    # Fresh changes are left to their own task for a few minutes.
    assert notifications_sweep(now=now) == 0
    later = now + dt.timedelta(minutes=10)
    sent = notifications_sweep(now=later)
    keys = set(NotificationSent.objects.values_list("key", flat=True))
    # The fixture's cases were reported just now too (without a reporter).
    assert keys >= {
        f"ziekmelding:{case.pk}",
        f"signature_request:{document.pk}",
        f"appointment:{appointment.pk}:0",
    }
    assert sent == len(mail.outbox) == NotificationSent.objects.count()
    appointment.refresh_from_db()
    assert appointment.invitations_sent
    assert notifications_sweep(now=later) == 0


def test_the_sweep_does_not_confirm_old_ziekmeldingen(scope_a, new_employee):
    from integrations.notifications.services import notifications_sweep

    _report(scope_a, new_employee)
    assert notifications_sweep(now=timezone.now() + dt.timedelta(hours=25)) == 0
    assert mail.outbox == []


def test_the_sweep_is_on_the_beat_schedule(settings):
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "integrations.notifications.tasks.notifications_sweep_task" in tasks
