"""Questionnaires in the portal: sending from the case, reading answers, who
has not answered; medical answers only for the bedrijfsarts and
taakdelegatie, every read logged, never on anyone else's page."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import Role
from accounts.scoping import tenant_scope
from poortwachter.models import MedicalAccessLog
from triage.models import Invitation, InvitationStatus, Questionnaire
from triage.services import invitation_create, response_save

SLUG = "tenant-a"
COMPLAINT = "Migraine met aura sinds maart"
WAITING = "Ik sta op een wachtlijst"


@pytest.fixture
def answered(scope_a):
    """The team case's employee answered the triage, medical questions too."""
    triage = Questionnaire.objects.get(key="triage_ziekmelding")
    invitation = invitation_create(
        actor=None, case=scope_a.team_case, questionnaire=triage
    )
    response_save(
        invitation=invitation,
        section="werk",
        answers={
            "work_possible": "other",
            "expected_duration": "month",
            "workability": 4,
        },
    )
    response_save(
        invitation=invitation, section="werkfactoren", answers={"work_related": "no"}
    )
    response_save(
        invitation=invitation,
        section="gezondheid",
        answers={"complaints": COMPLAINT, "treatment": "waiting"},
    )
    response_save(
        invitation=invitation,
        section="contact",
        answers={"contact_wish": "casemanager"},
        submit=True,
    )
    return invitation


def _pages(world, invitation) -> list[str]:
    case = world.team_case.pk
    return [
        reverse("cases:case_detail", args=[SLUG, case]),
        reverse("triage:answers", args=[SLUG, invitation.pk]),
        reverse("poortwachter:case_timeline", args=[SLUG, case]),
        reverse("documents:case_documents", args=[SLUG, case]),
        reverse("poortwachter:queue", args=[SLUG]),
        reverse("cases:home", args=[SLUG]),
    ]


@pytest.mark.parametrize(
    "role",
    [Role.LEIDINGGEVENDE, Role.REGIEHOUDER, Role.HR, Role.CASEMANAGER],
)
def test_no_medical_answer_on_any_page_of_the_employer_side(
    world, login, answered, role
):
    client = login(world.user(role))
    for url in _pages(world, answered):
        page = client.get(url)
        if page.status_code == 404:
            continue  # not this role's page at all
        assert page.status_code == 200, url
        text = page.content.decode()
        assert COMPLAINT not in text, url
        assert WAITING not in text, url
    medical = client.get(reverse("triage:answers_medical", args=[SLUG, answered.pk]))
    assert medical.status_code == 404
    with tenant_scope(world.tenant_a):
        assert not MedicalAccessLog.objects.exists()


def test_the_non_medical_answers_are_readable_on_the_case(world, login, answered):
    client = login(world.user(Role.REGIEHOUDER))
    case_page = client.get(
        reverse("cases:case_detail", args=[SLUG, world.team_case.pk])
    )
    assert "Ingevuld op" in case_page.content.decode()
    page = client.get(reverse("triage:answers", args=[SLUG, answered.pk]))
    text = page.content.decode()
    assert "Ja, maar alleen ander werk" in text
    assert "4 (0-10)" in text
    assert "Een gesprek met de casemanager" in text
    assert "Antwoorden over de gezondheid leest alleen de bedrijfsarts." in text


@pytest.mark.parametrize("who", [Role.BEDRIJFSARTS, "casemanager_td"])
def test_every_medical_read_leaves_an_access_log_row(world, login, answered, who):
    user = world.user(who)
    client = login(user)
    url = reverse("triage:answers_medical", args=[SLUG, answered.pk])
    for expected in (1, 2):
        page = client.get(url)
        assert page.status_code == 200
        assert page["Cache-Control"] == "no-store"
        text = page.content.decode()
        assert COMPLAINT in text and WAITING in text
        with tenant_scope(world.tenant_a):
            rows = MedicalAccessLog.objects.filter(user=user)
            assert rows.count() == expected
            assert rows.first().record_type == "questionnaire_medical"
            assert rows.first().employee == world.team_case.employee


def test_the_regiehouder_sends_resends_and_revokes_from_the_case(
    world, login, django_capture_on_commit_callbacks
):
    client = login(world.user(Role.REGIEHOUDER))
    case = world.a1_case
    with tenant_scope(world.tenant_a):
        intake = Questionnaire.objects.get(key="triage_ziekmelding")
    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post(
            reverse("triage:invitation_send", args=[SLUG, case.pk]),
            {"questionnaire": intake.pk},
            follow=True,
        )
    assert "per e-mail naar" in sent.content.decode()
    assert len(mail.outbox) == 1
    with tenant_scope(world.tenant_a):
        invitation = Invitation.objects.get(case=case)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("triage:invitation_resend", args=[SLUG, invitation.pk]))
    assert len(mail.outbox) == 2
    again = client.post(
        reverse("triage:invitation_send", args=[SLUG, case.pk]),
        {"questionnaire": intake.pk},
        follow=True,
    )
    assert "staat nog open" in again.content.decode()
    client.post(reverse("triage:invitation_revoke", args=[SLUG, invitation.pk]))
    with tenant_scope(world.tenant_a):
        invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.REVOKED
    nonsense = client.post(
        reverse("triage:invitation_send", args=[SLUG, case.pk]),
        {"questionnaire": "abc"},
        follow=True,
    )
    assert nonsense.status_code == 200
    assert "Kies een vragenlijst." in nonsense.content.decode()


@pytest.mark.parametrize("role", [Role.LEIDINGGEVENDE, Role.HR, Role.BEDRIJFSARTS])
def test_only_the_people_who_run_cases_send(world, login, role):
    client = login(world.user(role))
    with tenant_scope(world.tenant_a):
        intake = Questionnaire.objects.get(key="triage_ziekmelding")
    url = reverse("triage:invitation_send", args=[SLUG, world.team_case.pk])
    assert client.post(url, {"questionnaire": intake.pk}).status_code == 404
    page = client.get(reverse("cases:case_detail", args=[SLUG, world.team_case.pk]))
    assert "Per e-mail versturen" not in page.content.decode()
    assert client.get(reverse("triage:unanswered", args=[SLUG])).status_code == 404
    with tenant_scope(world.tenant_a):
        assert not Invitation.objects.exists()


def test_who_has_not_answered(
    world, login, scope_a, answered, django_assert_max_num_queries
):
    triage = Questionnaire.objects.get(key="triage_ziekmelding")
    waiting = invitation_create(actor=None, case=scope_a.a1_case, questionnaire=triage)
    invitation_create(actor=None, case=scope_a.a2_case, questionnaire=triage)
    client = login(world.user(Role.REGIEHOUDER))
    url = reverse("triage:unanswered", args=[SLUG])
    with django_assert_max_num_queries(12):
        page = client.get(url)
    text = page.content.decode()
    assert waiting.case.employee.display_name in text
    assert scope_a.a2_case.employee.display_name in text
    assert world.team_case.employee.display_name not in text  # answered
    assert world.b_case.employee.display_name not in text
    for case in (scope_a.a3_case, scope_a.own_case):
        invitation_create(actor=None, case=case, questionnaire=triage)
    with django_assert_max_num_queries(12):
        client.get(url)


def test_foreign_tenants_invitation_is_a_404(world, login):
    with tenant_scope(world.tenant_b):
        triage = Questionnaire.objects.get(key="triage_ziekmelding")
        foreign = invitation_create(actor=None, case=world.b_case, questionnaire=triage)
    client = login(world.user(Role.REGIEHOUDER))
    for name in ("triage:answers", "triage:answers_medical"):
        assert client.get(reverse(name, args=[SLUG, foreign.pk])).status_code == 404
    assert (
        client.post(
            reverse("triage:invitation_revoke", args=[SLUG, foreign.pk])
        ).status_code
        == 404
    )


def test_an_employee_with_an_account_finds_the_questionnaire_at_home(
    world, login, scope_a
):
    triage = Questionnaire.objects.get(key="triage_ziekmelding")
    own = invitation_create(actor=None, case=scope_a.own_case, questionnaire=triage)
    invitation_create(actor=None, case=scope_a.team_case, questionnaire=triage)
    client = login(world.user(Role.WERKNEMER))
    home = client.get(reverse("cases:home", args=[SLUG])).content.decode()
    assert "Vragenlijsten voor jou" in home
    assert home.count("/vragenlijst/") == 1
    link = re.search(r'href="(/vragenlijst/[^"]+)"', home).group(1)
    assert client.get(link).status_code == 200
    own.status = InvitationStatus.COMPLETED
    own.save()
    home = client.get(reverse("cases:home", args=[SLUG])).content.decode()
    assert "/vragenlijst/" not in home
