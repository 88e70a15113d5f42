"""Questionnaires in the tenant admin: copy and adapt, edit a draft as JSON
with a preview, publish; published versions stay as they are."""

import copy
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.middleware import ADMIN_TENANT_SESSION_KEY
from accounts.models import AuditEvent, Role
from accounts.scoping import tenant_scope
from tests.fixtures import verified_login
from triage.models import Questionnaire, QuestionnaireVersion
from triage.services import questionnaire_copy

LIST = "/beheer/triage/questionnaire/"


@pytest.fixture
def admin_client(world, login):
    client = login(world.user(Role.TENANT_ADMIN))
    client.get("/t/tenant-a/beheer/")
    return client


@pytest.fixture
def triage(world):
    with tenant_scope(world.tenant_a):
        return Questionnaire.objects.get(key="triage_ziekmelding")


@pytest.fixture
def draft(world, triage):
    with tenant_scope(world.tenant_a):
        duplicate = questionnaire_copy(
            actor=world.user(Role.TENANT_ADMIN), questionnaire=triage
        )
        return duplicate.versions.get()


def _version_url(version, action="change"):
    return f"/beheer/triage/questionnaireversion/{version.pk}/{action}/"


def _stored(world, version):
    with tenant_scope(world.tenant_a):
        return QuestionnaireVersion.objects.get(pk=version.pk)


def _edited(version, change):
    definition = copy.deepcopy(version.definition)
    change(definition)
    return definition


def test_the_list_shows_versions_and_drafts_in_constant_queries(
    world, admin_client, triage, django_assert_max_num_queries
):
    with CaptureQueriesContext(connection) as few:
        page = admin_client.get(LIST)
    assert page.status_code == 200
    for name in (
        "Vragenlijst bij je ziekmelding",
        "Jouw visie op je terugkeer naar werk",
        "Intake naar werk",
        "Vragenlijst werk en re-integratie",
    ):
        assert name in page.text
    with tenant_scope(world.tenant_a):
        for _ in range(5):
            questionnaire_copy(
                actor=world.user(Role.TENANT_ADMIN), questionnaire=triage
            )
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = admin_client.get(LIST)
    assert "triage_ziekmelding-kopie-5" in page.text
    # the shipped ones are published (version 1) without a draft, the copies
    # have a draft and nothing published
    rows = {row.key: row for row in page.context["cl"].result_list}
    assert rows["triage_ziekmelding"].newest_published_number == 1
    assert not rows["triage_ziekmelding"].draft_exists
    assert rows["triage_ziekmelding-kopie"].newest_published_number is None
    assert rows["triage_ziekmelding-kopie"].draft_exists


def test_copy_and_adapt_opens_a_draft_of_a_new_questionnaire(
    world, admin_client, triage
):
    page = admin_client.get(f"{LIST}{triage.pk}/change/")
    assert "Kopiëren en aanpassen" in page.text
    response = admin_client.post(f"{LIST}{triage.pk}/copy/")
    with tenant_scope(world.tenant_a):
        duplicate = Questionnaire.objects.get(key="triage_ziekmelding-kopie")
        draft = duplicate.versions.get()
    assert response.status_code == 302
    assert response["Location"] == _version_url(draft)
    assert duplicate.name == "Vragenlijst bij je ziekmelding (kopie)"
    assert duplicate.copied_from_id == triage.pk
    assert draft.published_at is None and draft.definition["key"] == triage.key
    page = admin_client.get(response["Location"])
    assert page.status_code == 200
    assert 'name="definition"' in page.text and 'name="_publish"' in page.text
    # the preview reads like the questionnaire: questions, type, medical
    assert "Wat zijn je klachten?" in page.text
    assert "<strong>ja</strong>" in page.text


def test_copying_needs_a_post(admin_client, triage):
    assert admin_client.get(f"{LIST}{triage.pk}/copy/").status_code == 405


def test_editing_a_draft_saves_it_through_the_service(world, admin_client, draft):
    definition = _edited(
        draft,
        lambda d: d["sections"][0]["questions"][0]["text"].update(
            nl="Kun je nu (een deel van) je werk doen?"
        ),
    )
    response = admin_client.post(
        _version_url(draft), {"definition": json.dumps(definition)}
    )
    assert response.status_code == 302
    assert _stored(world, draft).definition == definition
    with tenant_scope(world.tenant_a):
        assert AuditEvent.objects.filter(
            action="questionnaire_version_update", object_id=draft.pk
        ).exists()


def test_invalid_json_is_a_form_error_and_keeps_the_draft(world, admin_client, draft):
    response = admin_client.post(_version_url(draft), {"definition": '{"key": '})
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["definition"]
    # what was typed stays in the box, to be corrected
    assert response.context["adminform"].form["definition"].value() == '{"key": '
    assert _stored(world, draft).definition == draft.definition


def test_a_wrong_definition_says_what_is_wrong_and_keeps_the_draft(
    world, admin_client, draft
):
    broken = _edited(draft, lambda d: d["sections"][0]["questions"][0].pop("medical"))
    response = admin_client.post(
        _version_url(draft), {"definition": json.dumps(broken)}
    )
    assert response.status_code == 200
    (error,) = response.context["adminform"].form.errors["definition"]
    assert "question work_possible: must be classified medical true or false" in error
    assert _stored(world, draft).definition == draft.definition


def test_a_definition_of_the_wrong_shape_is_a_form_error(world, admin_client, draft):
    for text in ('["een", "lijst"]', '{"key": "x", "sections": "geen lijst"}', "null"):
        response = admin_client.post(_version_url(draft), {"definition": text})
        assert response.status_code == 200, text
        assert response.context["adminform"].form.errors, text
    assert _stored(world, draft).definition == draft.definition


def test_publishing_saves_and_freezes_the_draft(world, admin_client, draft):
    definition = _edited(draft, lambda d: d["title"].update(nl="Onze eigen triage"))
    response = admin_client.post(
        _version_url(draft), {"definition": json.dumps(definition), "_publish": "1"}
    )
    assert response.status_code == 302
    published = _stored(world, draft)
    assert published.published_at is not None
    assert published.definition["title"]["nl"] == "Onze eigen triage"
    page = admin_client.get(_version_url(draft))
    assert 'name="definition"' not in page.text and 'name="_publish"' not in page.text
    assert "Onze eigen triage" in page.text  # shown read-only


def test_a_published_version_cannot_be_changed_or_deleted(world, admin_client, triage):
    with tenant_scope(world.tenant_a):
        published = triage.versions.get()
    changed = _edited(published, lambda d: d["title"].update(nl="Anders"))
    response = admin_client.post(
        _version_url(published), {"definition": json.dumps(changed)}
    )
    assert response.status_code == 403
    assert (
        admin_client.post(
            _version_url(published, "delete"), {"post": "yes"}
        ).status_code
        == 403
    )
    assert _stored(world, published).definition == published.definition


def test_a_draft_can_be_deleted(world, admin_client, draft):
    response = admin_client.post(_version_url(draft, "delete"), {"post": "yes"})
    assert response.status_code == 302
    with tenant_scope(world.tenant_a):
        assert not QuestionnaireVersion.objects.filter(pk=draft.pk).exists()
        assert AuditEvent.objects.filter(
            action="questionnaire_version_delete", object_id=draft.pk
        ).exists()


def test_new_version_starts_a_draft_from_the_newest_version(
    world, admin_client, triage
):
    response = admin_client.post(f"{LIST}{triage.pk}/new-version/")
    with tenant_scope(world.tenant_a):
        draft = triage.versions.get(number=2)
        assert draft.published_at is None
        assert draft.definition == triage.versions.get(number=1).definition
    assert response["Location"] == _version_url(draft)
    # a second draft is refused with a message, not made
    response = admin_client.post(f"{LIST}{triage.pk}/new-version/", follow=True)
    assert "al een conceptversie" in response.text
    with tenant_scope(world.tenant_a):
        assert triage.versions.count() == 2


def test_another_tenants_questionnaire_is_not_found(world, admin_client):
    with tenant_scope(world.tenant_b):
        theirs = Questionnaire.objects.get(key="triage_ziekmelding")
        version = theirs.versions.get()
    assert admin_client.get(f"{LIST}{theirs.pk}/change/").status_code == 404
    assert admin_client.post(f"{LIST}{theirs.pk}/copy/").status_code == 404
    assert admin_client.post(f"{LIST}{theirs.pk}/new-version/").status_code == 404
    assert admin_client.get(_version_url(version)).status_code == 404
    with tenant_scope(world.tenant_b):
        assert theirs.versions.count() == 1
        assert not Questionnaire.objects.filter(key__contains="kopie").exists()
    with tenant_scope(world.tenant_a):
        assert not Questionnaire.objects.filter(key__contains="kopie").exists()


@pytest.mark.parametrize("role", [Role.REGIEHOUDER, Role.BEDRIJFSARTS, Role.HR])
def test_other_roles_cannot_reach_questionnaire_admin(world, client, triage, role):
    verified_login(client, world.user(role))
    session = client.session
    session[ADMIN_TENANT_SESSION_KEY] = world.tenant_a.pk
    session.save()
    assert client.get(LIST).status_code == 404
    assert client.post(f"{LIST}{triage.pk}/copy/").status_code == 404
    with tenant_scope(world.tenant_a):
        assert not Questionnaire.objects.filter(key__contains="kopie").exists()


def test_the_version_list_is_constant_in_queries(
    world, admin_client, triage, django_assert_max_num_queries
):
    versions = "/beheer/triage/questionnaireversion/"
    with CaptureQueriesContext(connection) as few:
        assert admin_client.get(versions).status_code == 200
    with tenant_scope(world.tenant_a):
        for _ in range(5):
            questionnaire_copy(
                actor=world.user(Role.TENANT_ADMIN), questionnaire=triage
            )
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = admin_client.get(versions)
    assert page.text.count("Concept") >= 5
