"""Consults: the facts are case data, the notes are medical."""

import pytest
from django.db import connection

from accounts.models import Role
from accounts.scoping import tenant_scope
from poortwachter.models import Consult, MedicalAccessLog

NOTES = "Klachten van angst en slapeloosheid; verwezen naar psycholoog"


@pytest.fixture
def consult(world, login):
    client = login(world.user(Role.BEDRIJFSARTS))
    url = f"/t/tenant-a/dossiers/{world.team_case.pk}/consult/"
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "held_on": "2026-11-16",
            "kind": "spreekuur",
            "next_consult_on": "2026-12-07",
            "notes": NOTES,
        },
    )
    assert response.status_code == 302, response.text[:1000]
    with tenant_scope(world.tenant_a):
        return Consult.objects.get(case=world.team_case)


@pytest.mark.parametrize("role", ["leidinggevende", "hr", "regiehouder", "casemanager"])
def test_employer_side_sees_that_a_consult_took_place_not_its_notes(
    world, consult, login, role
):
    client = login(world.user(role))
    page = client.get(f"/t/tenant-a/dossiers/{world.team_case.pk}/")
    assert page.status_code == 200
    assert "16 Nov 2026" in page.text
    assert "7 Dec 2026" in page.text
    assert "slapeloosheid" not in page.text
    assert "Aantekeningen bekijken" not in page.text
    notes_url = f"/t/tenant-a/consulten/{consult.pk}/medisch/"
    assert client.get(notes_url).status_code == 404
    with tenant_scope(world.tenant_a):
        assert not MedicalAccessLog.objects.exists()


def test_physician_reads_the_notes_and_the_read_is_logged(world, consult, login):
    for user in (world.user(Role.BEDRIJFSARTS), world.user("casemanager_td")):
        page = login(user).get(f"/t/tenant-a/consulten/{consult.pk}/medisch/")
        assert page.status_code == 200
        assert NOTES in page.text
        assert page["Cache-Control"] == "no-store"
    with tenant_scope(world.tenant_a):
        logs = list(MedicalAccessLog.objects.order_by("id"))
    assert [log.record_type for log in logs] == ["consult_medical"] * 2
    assert [log.role for log in logs] == [Role.BEDRIJFSARTS, Role.CASEMANAGER]
    assert {log.employee_id for log in logs} == {world.team_case.employee_id}


def test_consult_notes_are_encrypted_at_rest(world, consult):
    with tenant_scope(world.tenant_a), connection.cursor() as cursor:
        cursor.execute("SELECT notes FROM poortwachter_consultmedical")
        (stored,) = cursor.fetchone()
    assert "slapeloosheid" not in stored


def test_next_consult_before_this_one_is_a_form_error(world, login):
    client = login(world.user(Role.BEDRIJFSARTS))
    response = client.post(
        f"/t/tenant-a/dossiers/{world.team_case.pk}/consult/",
        {"held_on": "2026-11-16", "kind": "video", "next_consult_on": "2026-11-10"},
    )
    assert response.status_code == 200
    assert "Het volgende consult ligt na dit consult." in response.text
    with tenant_scope(world.tenant_a):
        assert not Consult.objects.exists()
