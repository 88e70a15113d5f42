"""Questionnaire versions, invitations by signed link, answers saved page by
page with the medical ones apart."""

import datetime as dt
import json

import pytest
import time_machine
from django.db import connection

from accounts.models import AuditEvent, Role
from accounts.scoping import tenant_scope
from core.exceptions import ApplicationError
from triage.engine import AnswerErrors
from triage.links import (
    LinkRefused,
    invitation_open,
    invitation_tenant,
    invitation_token,
)
from triage.models import InvitationStatus, Questionnaire
from triage.services import (
    invitation_create,
    invitation_revoke,
    questionnaire_copy,
    questionnaire_version_delete,
    questionnaire_version_draft,
    questionnaire_version_publish,
    questionnaire_version_update,
    response_save,
)

WERK = {
    "work_possible": "no",
    "expected_duration": "longer",
    "workability": "3",
}


@pytest.fixture
def triage(scope_a):
    return Questionnaire.objects.get(key="triage_ziekmelding")


@pytest.fixture
def invitation(scope_a, triage):
    return invitation_create(
        actor=scope_a.user(Role.REGIEHOUDER), case=scope_a.a1_case, questionnaire=triage
    )


def _open(token):
    tenant, public_id = invitation_tenant(token)
    with tenant_scope(tenant):
        return invitation_open(public_id)


def test_every_new_tenant_has_the_shipped_questionnaires(world):
    for tenant in (world.tenant_a, world.tenant_b):
        with tenant_scope(tenant):
            q = Questionnaire.objects.get(key="triage_ziekmelding")
            assert q.versions.get().published_at is not None


def test_a_published_version_never_changes(scope_a, triage):
    actor = scope_a.user(Role.TENANT_ADMIN)
    published = triage.versions.get()
    with pytest.raises(ApplicationError, match="gepubliceerde versie"):
        questionnaire_version_update(
            actor=actor, version=published, definition=published.definition
        )
    draft = questionnaire_version_draft(
        actor=actor, questionnaire=triage, definition=published.definition
    )
    assert draft.number == 2 and draft.published_at is None
    broken = json.loads(json.dumps(published.definition))
    broken["sections"][0]["questions"][0].pop("medical")
    with pytest.raises(ApplicationError, match="medical true or false"):
        questionnaire_version_update(actor=actor, version=draft, definition=broken)
    questionnaire_version_publish(actor=actor, version=draft)
    # new invitations get the newest published version; old answers keep theirs
    invitation = invitation_create(
        actor=actor, case=scope_a.a1_case, questionnaire=triage
    )
    assert invitation.version == draft


def test_invitation_speaks_the_employees_language(scope_a, triage):
    employee = scope_a.a1_case.employee
    employee.preferred_language = "en"
    employee.save()
    invitation = invitation_create(
        actor=None, case=scope_a.a1_case, questionnaire=triage
    )
    assert invitation.language == "en"


def test_link_opens_its_invitation_only(invitation):
    token = invitation_token(invitation)
    assert _open(token) == invitation


@pytest.mark.parametrize(
    ("spoil", "reason"),
    [
        (lambda t: t[:-2] + ("aa" if not t.endswith("aa") else "bb"), "tampered"),
        (lambda t: "x" + t, "tampered"),
    ],
)
def test_tampered_links_are_refused(invitation, spoil, reason):
    with pytest.raises(LinkRefused) as refused:
        _open(spoil(invitation_token(invitation)))
    assert refused.value.reason == reason


def test_expired_revoked_and_completed_links_are_refused(scope_a, invitation):
    token = invitation_token(invitation)
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=15)
    with time_machine.travel(later), pytest.raises(LinkRefused, match="expired"):
        _open(token)
    invitation_revoke(actor=scope_a.user(Role.REGIEHOUDER), invitation=invitation)
    with pytest.raises(LinkRefused, match="revoked"):
        _open(token)


def test_answers_are_saved_per_page_and_medical_ones_apart(scope_a, invitation):
    response_save(invitation=invitation, section="werk", answers=WERK)
    response_save(
        invitation=invitation,
        section="gezondheid",
        answers={"complaints": "Hoofdpijn en duizeligheid", "treatment": "yes"},
    )
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.STARTED
    response = invitation.response
    assert response.answers == {
        "work_possible": "no",
        "expected_duration": "longer",
        "workability": 3,
    }
    assert json.loads(response.medical.answers) == {
        "complaints": "Hoofdpijn en duizeligheid",
        "treatment": "yes",
    }
    with connection.cursor() as cursor:
        cursor.execute("SELECT answers FROM triage_responsemedical")
        (stored,) = cursor.fetchone()
    assert "duizeligheid" not in stored


def test_bad_page_saves_nothing_and_keeps_what_was_saved(scope_a, invitation):
    response_save(invitation=invitation, section="werk", answers=WERK)
    with pytest.raises(AnswerErrors) as caught:
        response_save(
            invitation=invitation,
            section="werk",
            answers={**WERK, "workability": "12"},
        )
    assert set(caught.value.errors) == {"workability"}
    invitation.refresh_from_db()
    assert invitation.response.answers["workability"] == 3


def test_submit_checks_the_whole_questionnaire_and_closes_the_link(scope_a, invitation):
    response_save(invitation=invitation, section="werk", answers=WERK)
    with pytest.raises(AnswerErrors) as caught:
        response_save(
            invitation=invitation,
            section="contact",
            answers={"contact_wish": "bedrijfsarts"},
            submit=True,
        )
    assert set(caught.value.errors) == {"work_related"}
    response_save(
        invitation=invitation, section="werkfactoren", answers={"work_related": "no"}
    )
    response_save(
        invitation=invitation,
        section="contact",
        answers={"contact_wish": "bedrijfsarts"},
        submit=True,
    )
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.COMPLETED
    assert invitation.response.submitted_at is not None
    with pytest.raises(LinkRefused, match="completed"):
        _open(invitation_token(invitation))


def test_a_link_of_tenant_a_opens_nothing_in_tenant_b(world, invitation):
    token = invitation_token(invitation)
    tenant, public_id = invitation_tenant(token)
    assert tenant == world.tenant_a
    with tenant_scope(world.tenant_b), pytest.raises(LinkRefused, match="unknown"):
        invitation_open(public_id)


def test_a_copy_is_a_draft_to_adapt_with_its_own_key(world, scope_a, triage):
    actor = scope_a.user(Role.TENANT_ADMIN)
    first = questionnaire_copy(actor=actor, questionnaire=triage)
    second = questionnaire_copy(actor=actor, questionnaire=triage)
    assert (first.key, second.key) == (
        "triage_ziekmelding-kopie",
        "triage_ziekmelding-kopie-2",
    )
    assert first.name == "Vragenlijst bij je ziekmelding (kopie)"
    assert first.copied_from == triage and first.tenant == world.tenant_a
    draft = first.versions.get()
    assert (draft.number, draft.published_at) == (1, None)
    assert draft.definition == triage.versions.get().definition
    assert AuditEvent.objects.filter(
        action="questionnaire_copy", object_id=first.pk, actor=actor
    ).exists()
    # the original is untouched, and tenant B has no copy
    assert triage.versions.count() == 1
    with tenant_scope(world.tenant_b):
        assert not Questionnaire.objects.filter(key__contains="kopie").exists()


def test_a_copy_of_a_long_key_still_fits(scope_a, triage):
    triage.key = "k" * 60
    triage.save()
    actor = scope_a.user(Role.TENANT_ADMIN)
    first = questionnaire_copy(actor=actor, questionnaire=triage)
    second = questionnaire_copy(actor=actor, questionnaire=triage)
    assert first.key == "k" * 54 + "-kopie"
    assert second.key == "k" * 52 + "-kopie-2"


def test_one_draft_at_a_time(scope_a, triage):
    actor = scope_a.user(Role.TENANT_ADMIN)
    definition = triage.versions.get().definition
    draft = questionnaire_version_draft(
        actor=actor, questionnaire=triage, definition=definition
    )
    with pytest.raises(ApplicationError, match="al een conceptversie"):
        questionnaire_version_draft(
            actor=actor, questionnaire=triage, definition=definition
        )
    questionnaire_version_delete(actor=actor, version=draft)
    assert triage.versions.count() == 1
    again = questionnaire_version_draft(
        actor=actor, questionnaire=triage, definition=definition
    )
    assert again.number == 2


def test_a_published_version_cannot_be_deleted(scope_a, triage):
    published = triage.versions.get()
    with pytest.raises(ApplicationError, match="gepubliceerde versie"):
        questionnaire_version_delete(
            actor=scope_a.user(Role.TENANT_ADMIN), version=published
        )
    assert triage.versions.filter(pk=published.pk).exists()
