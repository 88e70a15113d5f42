"""The employee's questionnaire pages by signed link: page by page, in the
employee's language, and refused links that say what to do and show nothing."""

import datetime as dt
import json

import pytest
import time_machine
from django.core import signing
from django.urls import reverse

from accounts.models import Role
from accounts.scoping import tenant_scope
from triage.links import SALT, invitation_token
from triage.models import InvitationStatus, Questionnaire, Response
from triage.services import invitation_create, invitation_revoke

WERK = {"work_possible": "no", "expected_duration": "longer", "workability": "3"}


@pytest.fixture
def invitation(scope_a):
    triage = Questionnaire.objects.get(key="triage_ziekmelding")
    return invitation_create(
        actor=scope_a.user(Role.REGIEHOUDER), case=scope_a.a1_case, questionnaire=triage
    )


def _start(token: str) -> str:
    return reverse("triage_public:start", args=[token])


def _page(token: str, section: str) -> str:
    return reverse("triage_public:section", args=[token, section])


def _stored(world, invitation) -> tuple[dict, dict]:
    with tenant_scope(world.tenant_a):
        invitation.refresh_from_db()
        response = getattr(invitation, "response", None)
        if response is None:
            return {}, {}
        medical = response.medical.answers
        return response.answers, json.loads(medical) if medical else {}


def test_start_page_explains_and_keeps_the_link_private(client, invitation):
    page = client.get(_start(invitation_token(invitation)))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Vragenlijst bij je ziekmelding" in text
    assert "leest alleen de bedrijfsarts" in text
    assert page["Cache-Control"] == "no-store"
    assert page["Referrer-Policy"] == "same-origin"
    assert "noindex" in page["X-Robots-Tag"]


def test_a_page_is_checked_when_moving_on_and_saved(client, world, invitation):
    token = invitation_token(invitation)
    refused = client.post(
        _page(token, "werk"), {"work_possible": "no", "workability": "11"}
    )
    assert refused.status_code == 400
    text = refused.content.decode()
    assert "Beantwoord deze vraag." in text  # expected_duration is required
    assert "Kies een getal van 0 tot en met 10." in text
    assert 'value="no" checked' in text  # what was chosen stays on the page
    assert _stored(world, invitation) == ({}, {})
    moved = client.post(_page(token, "werk"), {**WERK, "action": "next"})
    assert moved.status_code == 302
    assert moved["Location"] == _page(token, "werkfactoren")
    assert _stored(world, invitation)[0] == {
        "work_possible": "no",
        "expected_duration": "longer",
        "workability": 3,
    }


def test_save_and_later_keeps_a_half_page(client, world, invitation):
    token = invitation_token(invitation)
    saved = client.post(
        _page(token, "werk"), {"work_possible": "yes", "action": "save"}
    )
    assert saved.status_code == 200
    assert "Bewaard. Je kunt later verder met dezelfde link." in saved.content.decode()
    again = client.get(_page(token, "werk"))
    assert 'value="yes" checked' in again.content.decode()
    assert client.get(_start(token)).content.decode().count("bewaard") >= 1


def test_a_condition_that_does_not_hold_drops_its_answer(client, world, invitation):
    token = invitation_token(invitation)
    client.post(
        _page(token, "werk"),
        {**WERK, "what_works": "Alleen mailen", "action": "next"},
    )
    assert "what_works" not in _stored(world, invitation)[0]
    client.post(
        _page(token, "werk"),
        {**WERK, "work_possible": "other", "what_works": "Mailen", "action": "next"},
    )
    assert _stored(world, invitation)[0]["what_works"] == "Mailen"


def test_medical_answers_are_kept_apart(client, world, invitation):
    token = invitation_token(invitation)
    client.post(
        _page(token, "gezondheid"),
        {"complaints": "Rugpijn", "treatment": "waiting", "action": "next"},
    )
    plain, medical = _stored(world, invitation)
    assert "complaints" not in plain
    assert medical == {"complaints": "Rugpijn", "treatment": "waiting"}


def test_submitting_with_an_earlier_page_open_sends_the_employee_back(
    client, world, invitation
):
    token = invitation_token(invitation)
    client.post(_page(token, "werk"), {**WERK, "action": "next"})
    sent = client.post(
        _page(token, "contact"), {"contact_wish": "casemanager", "action": "submit"}
    )
    assert sent.status_code == 302
    assert sent["Location"] == _page(token, "werkfactoren") + "?check=1"
    shown = client.get(sent["Location"])
    assert "Beantwoord deze vraag." in shown.content.decode()
    # the last page's answer was saved on the way
    assert _stored(world, invitation)[0]["contact_wish"] == "casemanager"


def test_completing_closes_the_link(client, world, invitation):
    token = invitation_token(invitation)
    client.post(_page(token, "werk"), {**WERK, "action": "next"})
    client.post(_page(token, "werkfactoren"), {"work_related": "no", "action": "next"})
    client.post(_page(token, "gezondheid"), {"action": "next"})
    done = client.post(
        _page(token, "contact"), {"contact_wish": "nothing", "action": "submit"}
    )
    assert done["Location"] == reverse("triage_public:done") + "?lang=nl"
    with tenant_scope(world.tenant_a):
        invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.COMPLETED
    again = client.get(_start(token))
    assert again.status_code == 410
    text = again.content.decode()
    assert "al ingevuld" in text
    assert "Anna" not in text and "Eerstema" not in text
    assert client.post(_page(token, "werk"), WERK).status_code == 410


def test_the_employees_language_with_a_switch(client, world, scope_a):
    employee = scope_a.a1_case.employee
    employee.preferred_language = "en"
    employee.save()
    triage = Questionnaire.objects.get(key="triage_ziekmelding")
    invitation = invitation_create(
        actor=None, case=scope_a.a1_case, questionnaire=triage
    )
    token = invitation_token(invitation)
    english = client.get(_page(token, "werk")).content.decode()
    assert "Can you do (part of) your work at the moment?" in english
    assert "Next" in english and "Kun je" not in english
    refused = client.post(_page(token, "werk"), {"workability": "x"})
    assert "Enter a number." in refused.content.decode()
    dutch = client.get(_page(token, "werk") + "?lang=nl").content.decode()
    assert "Kun je op dit moment (een deel van) je werk doen?" in dutch


def _refusal(client, token: str, status: int, words: str) -> str:
    page = client.get(_start(token))
    assert page.status_code == status
    text = page.content.decode()
    assert words in text
    assert "Eerstema" not in text and "Vragenlijst bij je ziekmelding" not in text
    return text


def test_tampered_and_foreign_purpose_links_are_refused(client, world, invitation):
    token = invitation_token(invitation)
    _refusal(client, token[:-3] + "abc", 404, "Deze link werkt niet")
    payload = {"t": world.tenant_a.pk, "i": str(invitation.public_id)}
    other_purpose = signing.dumps(payload, salt="hervat.documents")
    _refusal(client, other_purpose, 404, "Deze link werkt niet")
    assert signing.loads(invitation_token(invitation), salt=SALT) == payload


def test_a_link_reused_for_another_tenants_case_opens_nothing(
    client, world, invitation
):
    with tenant_scope(world.tenant_b):
        triage_b = Questionnaire.objects.get(key="triage_ziekmelding")
        invitation_b = invitation_create(
            actor=None, case=world.b_case, questionnaire=triage_b
        )
    # a validly signed token naming tenant A with B's invitation
    forged = signing.dumps(
        {"t": world.tenant_a.pk, "i": str(invitation_b.public_id)}, salt=SALT
    )
    text = _refusal(client, forged, 404, "Deze link werkt niet")
    assert "Buitenveld" not in text
    assert client.post(_page(forged, "werk"), WERK).status_code == 404
    with tenant_scope(world.tenant_b):
        assert not Response.objects.filter(invitation=invitation_b).exists()


def test_expired_and_revoked_links_say_what_to_do(client, world, invitation):
    token = invitation_token(invitation)
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=15)
    with time_machine.travel(later):
        _refusal(client, token, 410, "Deze link is verlopen")
    with tenant_scope(world.tenant_a):
        invitation_revoke(actor=world.user(Role.REGIEHOUDER), invitation=invitation)
    _refusal(client, token, 410, "ingetrokken")
    assert client.post(_page(token, "werk"), WERK).status_code == 410
    assert _stored(world, invitation) == ({}, {})
