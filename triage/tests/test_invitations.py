"""Inviting the employee: the e-mail with its link, the protocol step after a
ziekmelding, resending, revoking, and reminders after 24 and 72 hours."""

import datetime as dt
import re
import time

import pytest
import time_machine
from celery.contrib.testing.worker import start_worker
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from accounts.scoping import tenant_scope
from cases.services import ziekmelding_create
from cases.tests.factories import EmployeeFactory
from config.celery import app
from core.exceptions import ApplicationError
from poortwachter.models import Task, TaskStatus
from triage.models import Invitation, InvitationStatus, Questionnaire
from triage.services import (
    invitation_create,
    invitation_resend,
    invitation_revoke,
    invitations_remind,
    response_save,
)
from triage.tasks import triage_invite_case_task


@pytest.fixture
def triage(scope_a):
    return Questionnaire.objects.get(key="triage_ziekmelding")


def _invite(world, triage, django_capture_on_commit_callbacks, case=None):
    with django_capture_on_commit_callbacks(execute=True):
        return invitation_create(
            actor=world.user(Role.REGIEHOUDER),
            case=case or world.a1_case,
            questionnaire=triage,
        )


def _link(message) -> str:
    return re.search(r"http://\S+/vragenlijst/\S+/", message.body).group(0)


def test_the_mail_carries_a_working_link_and_no_answers(
    scope_a, triage, client, django_capture_on_commit_callbacks
):
    invitation = _invite(scope_a, triage, django_capture_on_commit_callbacks)
    (message,) = mail.outbox
    assert message.to == [scope_a.a1_case.employee.email]
    assert message.subject == "Vragenlijst bij je ziekmelding"
    assert "alleen de bedrijfsarts" in message.body
    expires = timezone.localtime(invitation.expires_at)
    assert f"werkt tot {expires.day} " in message.body
    path = _link(message).split("127.0.0.1:8000", 1)[1]
    assert client.get(path).status_code == 200


def test_english_mail_for_an_employee_who_is_not_dutch(
    scope_a, triage, django_capture_on_commit_callbacks
):
    employee = scope_a.a1_case.employee
    employee.preferred_language = "en"
    employee.save()
    _invite(scope_a, triage, django_capture_on_commit_callbacks)
    (message,) = mail.outbox
    assert message.subject == "Questionnaire on your sickness report"
    assert "Only the company doctor reads questions about your health" in message.body


def test_no_email_address_is_a_clear_refusal(scope_a, triage):
    employee = scope_a.a1_case.employee
    employee.email = ""
    employee.save()
    with pytest.raises(ApplicationError, match="geen e-mailadres bekend"):
        invitation_create(actor=None, case=scope_a.a1_case, questionnaire=triage)
    assert not Invitation.objects.exists()


def test_one_open_invitation_per_questionnaire(scope_a, triage):
    invitation_create(actor=None, case=scope_a.a1_case, questionnaire=triage)
    with pytest.raises(ApplicationError, match="staat nog open"):
        invitation_create(actor=None, case=scope_a.a1_case, questionnaire=triage)


def _triage_task(case) -> Task:
    return Task.objects.get(case=case, key="triage_vragenlijst")


def test_after_a_ziekmelding_the_triage_goes_out_and_closes_its_task(
    scope_a, django_capture_on_commit_callbacks
):
    case = scope_a.a1_case
    with django_capture_on_commit_callbacks(execute=True):
        assert triage_invite_case_task(case.pk, case.tenant_id) is True
    task = _triage_task(case)
    assert task.status == TaskStatus.DONE
    assert task.completed_by is None
    assert len(mail.outbox) == 1
    # a second run (a retried task) sends nothing more
    assert triage_invite_case_task(case.pk, case.tenant_id) is False
    assert Invitation.objects.filter(case=case).count() == 1


def test_without_an_email_address_the_task_stays_in_the_queue(scope_a):
    case = scope_a.a1_case
    case.employee.email = ""
    case.employee.save()
    assert triage_invite_case_task(case.pk, case.tenant_id) is False
    assert _triage_task(case).status == TaskStatus.OPEN
    assert not mail.outbox


def test_sending_it_by_hand_completes_the_task(
    scope_a, triage, django_capture_on_commit_callbacks
):
    case = scope_a.a1_case
    case.employee.email = ""
    case.employee.save()
    triage_invite_case_task(case.pk, case.tenant_id)
    case.employee.email = "anna@example.test"
    case.employee.save()
    _invite(scope_a, triage, django_capture_on_commit_callbacks, case=case)
    task = _triage_task(case)
    assert task.status == TaskStatus.DONE
    assert task.completed_by == scope_a.user(Role.REGIEHOUDER)


def test_resend_opens_an_expired_link_again_and_keeps_answers(
    scope_a, triage, client, django_capture_on_commit_callbacks
):
    invitation = _invite(scope_a, triage, django_capture_on_commit_callbacks)
    response_save(
        invitation=invitation, section="werk", answers={"work_possible": "no"}
    )
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=20)
    with time_machine.travel(later):
        path = _link(mail.outbox[0]).split("127.0.0.1:8000", 1)[1]
        assert client.get(path).status_code == 410
        with django_capture_on_commit_callbacks(execute=True):
            invitation_resend(
                actor=scope_a.user(Role.REGIEHOUDER), invitation=invitation
            )
        assert len(mail.outbox) == 2
        page = client.get(_link(mail.outbox[1]).split("127.0.0.1:8000", 1)[1] + "werk/")
        assert page.status_code == 200
        assert 'value="no" checked' in page.content.decode()


def test_completed_or_revoked_invitations_are_not_resent(scope_a, triage):
    invitation = invitation_create(
        actor=None, case=scope_a.a1_case, questionnaire=triage
    )
    invitation_revoke(actor=scope_a.user(Role.REGIEHOUDER), invitation=invitation)
    with pytest.raises(ApplicationError, match="niet opnieuw"):
        invitation_resend(actor=scope_a.user(Role.REGIEHOUDER), invitation=invitation)


def test_reminders_after_24_and_72_hours_once_each(scope_a, triage):
    start = timezone.now()
    waiting = invitation_create(actor=None, case=scope_a.a1_case, questionnaire=triage)
    answered = invitation_create(
        actor=None, case=scope_a.team_case, questionnaire=triage
    )
    answered.status = InvitationStatus.COMPLETED
    answered.save()
    mail.outbox.clear()
    assert invitations_remind(now=start + dt.timedelta(hours=23)) == 0
    assert invitations_remind(now=start + dt.timedelta(hours=25)) == 1
    assert invitations_remind(now=start + dt.timedelta(hours=26)) == 0
    assert invitations_remind(now=start + dt.timedelta(hours=73)) == 1
    assert invitations_remind(now=start + dt.timedelta(hours=200)) == 0
    assert [m.to for m in mail.outbox] == [[waiting.case.employee.email]] * 2
    assert all(m.subject.startswith("Herinnering:") for m in mail.outbox)
    waiting.refresh_from_db()
    assert waiting.reminders_sent == 2


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_sends_the_triage_after_a_ziekmelding(world):
    with tenant_scope(world.tenant_a):
        employee = EmployeeFactory(
            employer=world.employer_a1, email="nieuw@werknemer.test"
        )
        ziekmelding_create(
            actor=world.user(Role.LEIDINGGEVENDE),
            employee=employee,
            first_sick_day=timezone.localdate(),
        )
    with start_worker(app, perform_ping_check=False, shutdown_timeout=10):
        deadline = time.monotonic() + 30
        # The ziekmelding confirmation goes to the same address; wait for
        # the questionnaire itself.
        while not any(
            m.to == ["nieuw@werknemer.test"]
            and m.subject == "Vragenlijst bij je ziekmelding"
            for m in mail.outbox
        ):
            assert time.monotonic() < deadline, "no triage mail from the worker"
            time.sleep(0.2)
    with tenant_scope(world.tenant_a):
        invitation = Invitation.objects.get(case__employee=employee)
        assert _triage_task(invitation.case).status == TaskStatus.DONE


SMTP_DOWN = {
    "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
    "EMAIL_HOST": "127.0.0.1",
    "EMAIL_PORT": 9,  # nothing listens there: the connection is refused
}


def test_a_refusing_mail_server_is_a_clear_error_and_saves_nothing(
    world, login, scope_a, settings
):
    for name, value in SMTP_DOWN.items():
        setattr(settings, name, value)
    case = scope_a.a1_case
    triage_invite_case_task(case.pk, case.tenant_id)
    assert not Invitation.objects.exists()
    assert _triage_task(case).status == TaskStatus.OPEN
    client = login(world.user(Role.REGIEHOUDER))
    page = client.post(
        reverse("triage:invitation_send", args=["tenant-a", case.pk]),
        {"questionnaire": Questionnaire.objects.get(key="triage_ziekmelding").pk},
        follow=True,
    )
    assert page.status_code == 200
    assert "De e-mail kon niet worden verstuurd" in page.content.decode()
    assert not Invitation.objects.exists()


def test_a_reminder_the_mail_server_refused_is_tried_again(scope_a, triage, settings):
    start = timezone.now()
    waiting = invitation_create(actor=None, case=scope_a.a1_case, questionnaire=triage)
    for name, value in SMTP_DOWN.items():
        setattr(settings, name, value)
    assert invitations_remind(now=start + dt.timedelta(hours=25)) == 0
    waiting.refresh_from_db()
    assert waiting.reminders_sent == 0
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert invitations_remind(now=start + dt.timedelta(hours=26)) == 1
