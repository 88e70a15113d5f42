"""Interventions on a case: the regiehouder and casemanager record them,
everyone on the case sees them."""

import pytest

from accounts.models import AuditEvent, Role
from accounts.scoping import tenant_scope
from cases.models import Intervention, InterventionStatus


def _form(**overrides):
    data = {
        "kind": "werkplekonderzoek",
        "provider": "Ergo Advies BV",
        "requested_on": "2026-11-10",
        "start_date": "2026-11-17",
        "end_date": "",
        "cost": "850.00",
        "status": "lopend",
        "notes": "Aanpassing bureauwerkplek bekijken.",
    }
    data.update(overrides)
    return data


@pytest.fixture
def intervention(world, login):
    client = login(world.user(Role.CASEMANAGER))
    url = f"/t/tenant-a/dossiers/{world.a1_case.pk}/interventies/nieuw/"
    assert client.get(url).status_code == 200
    response = client.post(url, _form())
    assert response.status_code == 302, response.text[:1000]
    with tenant_scope(world.tenant_a):
        return Intervention.objects.get(case=world.a1_case)


def test_casemanager_records_an_intervention_and_hr_sees_it(world, intervention, login):
    assert intervention.provider == "Ergo Advies BV"
    assert str(intervention.cost) == "850.00"
    page = login(world.user(Role.HR)).get(f"/t/tenant-a/dossiers/{world.a1_case.pk}/")
    assert "Werkplekonderzoek" in page.text
    assert "Ergo Advies BV" in page.text
    assert "/interventies/" not in page.text  # HR reads, does not edit
    with tenant_scope(world.tenant_a):
        assert AuditEvent.objects.filter(action="intervention_create").count() == 1


def test_completing_needs_an_end_date_and_keeps_the_saved_one(
    world, intervention, login
):
    client = login(world.user(Role.REGIEHOUDER))
    url = f"/t/tenant-a/dossiers/{world.a1_case.pk}/interventies/{intervention.pk}/"
    form = client.get(url)
    assert 'value="Ergo Advies BV"' in form.text
    response = client.post(url, _form(status="afgerond"))
    assert response.status_code == 200
    assert "Een afgeronde interventie heeft een einddatum." in response.text
    with tenant_scope(world.tenant_a):
        intervention.refresh_from_db()
    assert intervention.status == InterventionStatus.LOPEND
    response = client.post(url, _form(status="afgerond", end_date="2026-11-20"))
    assert response.status_code == 302
    with tenant_scope(world.tenant_a):
        intervention.refresh_from_db()
        assert intervention.status == InterventionStatus.AFGEROND
        event = AuditEvent.objects.get(action="intervention_update")
    assert event.data["changes"]["status"] == {"before": "lopend", "after": "afgerond"}
    assert event.data["changes"]["end_date"] == {"before": None, "after": "2026-11-20"}
    assert event.case_id == intervention.case_id


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"end_date": "2026-11-01"}, "De einddatum ligt vóór de startdatum."),
        ({"requested_on": "2099-01-01"}, "De aanvraagdatum ligt in de toekomst."),
        ({"cost": "-5"}, "errorlist"),
        ({"kind": "toverij"}, "errorlist"),
    ],
)
def test_bad_input_is_a_form_error(world, login, overrides, message):
    client = login(world.user(Role.CASEMANAGER))
    url = f"/t/tenant-a/dossiers/{world.a1_case.pk}/interventies/nieuw/"
    response = client.post(url, _form(**overrides))
    assert response.status_code == 200
    assert message in response.text
    with tenant_scope(world.tenant_a):
        assert not Intervention.objects.exists()


def test_only_case_runners_record_interventions(world, intervention, login):
    new = f"/t/tenant-a/dossiers/{world.a1_case.pk}/interventies/nieuw/"
    edit = f"/t/tenant-a/dossiers/{world.a1_case.pk}/interventies/{intervention.pk}/"
    for role in ("hr", "bedrijfsarts", "leidinggevende", "werknemer"):
        client = login(world.user(role))
        assert client.get(new).status_code == 404, role
        assert client.post(edit, _form(provider="x")).status_code == 404, role
    # the same intervention under another case's URL, and from another tenant
    wrong = f"/t/tenant-a/dossiers/{world.a2_case.pk}/interventies/{intervention.pk}/"
    assert login(world.user(Role.CASEMANAGER)).get(wrong).status_code == 404
    foreign = f"/t/tenant-b/dossiers/{world.a1_case.pk}/interventies/{intervention.pk}/"
    assert login(world.casemanager_b).get(foreign).status_code == 404
