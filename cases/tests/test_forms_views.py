"""The manager's flows in the browser: ziekmelding, hersteldmelding, contact notes."""

import datetime as dt
from unittest import mock

import pytest
from django.utils import timezone

from accounts.models import Role
from accounts.scoping import tenant_scope
from cases.medical_terms import medical_terms_in
from cases.models import AbsenceCase, CaseStatus, ContactNote
from cases.tests.factories import EmployeeFactory


@pytest.fixture(autouse=True)
def no_broker():
    with mock.patch("poortwachter.tasks.deadlines_refresh_case_task.delay"):
        yield


@pytest.fixture
def fresh_employee(world):
    with tenant_scope(world.tenant_a):
        return EmployeeFactory(
            employer=world.employer_a1,
            manager=world.user(Role.LEIDINGGEVENDE),
            surname="Nieuwkoop",
            employment_start=dt.date(2020, 1, 1),
        )


def _ziek(world, employee, **overrides):
    data = {
        "employee": employee.pk,
        "first_sick_day": timezone.localdate().isoformat(),
        "expected_duration": "days",
        "reachable_phone": "0612345678",
        "reachable_address": "",
        "accident_or_third_party": "False",
        "work_possible": "True",
        "agreements": "Ik bel vrijdag.",
    }
    data.update(overrides)
    return data


def test_manager_reports_sickness_in_one_form(world, login, fresh_employee):
    client = login(world.user(Role.LEIDINGGEVENDE))
    form = client.get("/t/tenant-a/ziekmelden/")
    assert form.status_code == 200
    assert "Nieuwkoop" in form.text
    assert "oorzaak" in form.text  # the form says not to ask about the cause
    response = client.post("/t/tenant-a/ziekmelden/", _ziek(world, fresh_employee))
    assert response.status_code == 302
    with tenant_scope(world.tenant_a):
        case = AbsenceCase.objects.get(employee=fresh_employee)
    assert case.work_possible is True
    assert case.reachable_phone == "0612345678"
    assert response["Location"] == f"/t/tenant-a/dossiers/{case.pk}/"


def test_ziekmelding_form_has_no_field_about_the_illness(world, login):
    page = login(world.user(Role.LEIDINGGEVENDE)).get("/t/tenant-a/ziekmelden/")
    for word in ("diagnose", "klacht", 'name="cause"', 'name="reason"'):
        assert word not in page.text


def test_ziekmelding_too_far_ahead_is_a_form_error(world, login, fresh_employee):
    client = login(world.user(Role.LEIDINGGEVENDE))
    later = (timezone.localdate() + dt.timedelta(days=5)).isoformat()
    response = client.post(
        "/t/tenant-a/ziekmelden/", _ziek(world, fresh_employee, first_sick_day=later)
    )
    assert response.status_code == 200
    assert "hoogstens één dag in de toekomst" in response.text
    with tenant_scope(world.tenant_a):
        assert not AbsenceCase.objects.filter(employee=fresh_employee).exists()


def test_manager_cannot_report_someone_outside_the_team(world, login, fresh_employee):
    client = login(world.user(Role.LEIDINGGEVENDE))
    response = client.post("/t/tenant-a/ziekmelden/", _ziek(world, world.a1_employee))
    assert response.status_code == 200
    assert "errorlist" in response.text
    with tenant_scope(world.tenant_a):
        assert AbsenceCase.objects.filter(employee=world.a1_employee).count() == 1


def test_employee_with_open_case_is_not_offered(world, login):
    page = login(world.user(Role.LEIDINGGEVENDE)).get("/t/tenant-a/ziekmelden/")
    assert world.team_employee.display_name not in page.text
    assert "Er is niemand die u nu ziek kunt melden" in page.text


def test_roles_without_reporting_get_an_empty_form(world, login):
    page = login(world.user(Role.BEDRIJFSARTS)).get("/t/tenant-a/ziekmelden/")
    assert "Er is niemand die u nu ziek kunt melden" in page.text


def test_partial_then_full_recovery(world, login):
    client = login(world.user(Role.LEIDINGGEVENDE))
    case = world.team_case
    url = f"/t/tenant-a/dossiers/{case.pk}/hersteldmelden/"
    assert client.get(url).status_code == 200
    response = client.post(
        url, {"kind": "partial", "effective_date": "2026-10-05", "percentage_fit": "40"}
    )
    assert response.status_code == 302
    with tenant_scope(world.tenant_a):
        case.refresh_from_db()
        assert case.status == CaseStatus.OPEN
        assert case.workability_changes.last().percentage_unfit == 60
    response = client.post(url, {"kind": "full", "effective_date": "2026-10-20"})
    assert response.status_code == 302
    with tenant_scope(world.tenant_a):
        case.refresh_from_db()
        assert case.status == CaseStatus.RECOVERED
    assert "al afgesloten" in client.get(url).text


def test_partial_recovery_needs_a_percentage(world, login):
    client = login(world.user(Role.LEIDINGGEVENDE))
    url = f"/t/tenant-a/dossiers/{world.team_case.pk}/hersteldmelden/"
    response = client.post(url, {"kind": "partial", "effective_date": "2026-10-05"})
    assert response.status_code == 200
    assert "voor hoeveel procent" in response.text
    response = client.post(
        url,
        {"kind": "partial", "effective_date": "2026-10-05", "percentage_fit": "100"},
    )
    assert "errorlist" in response.text


def test_recovery_before_first_sick_day_is_a_form_error(world, login):
    client = login(world.user(Role.LEIDINGGEVENDE))
    url = f"/t/tenant-a/dossiers/{world.team_case.pk}/hersteldmelden/"
    response = client.post(url, {"kind": "full", "effective_date": "2026-09-01"})
    assert response.status_code == 200
    assert "vóór de eerste ziektedag" in response.text


def test_bedrijfsarts_and_other_teams_cannot_report_recovery(world, login):
    url = f"/t/tenant-a/dossiers/{world.team_case.pk}/hersteldmelden/"
    assert login(world.user(Role.BEDRIJFSARTS)).get(url).status_code == 404
    other = f"/t/tenant-a/dossiers/{world.a1_case.pk}/hersteldmelden/"
    assert login(world.user(Role.LEIDINGGEVENDE)).get(other).status_code == 404


def test_medical_words_are_spotted_in_dutch_and_english():
    assert medical_terms_in("Hij heeft een hernia en slikt medicijnen") == [
        "hernia",
        "medicijnen",
    ]
    assert medical_terms_in("She is in hospital with a broken leg") == ["hospital"]
    assert medical_terms_in("Gebeld; maandag halve dagen aan het werk") == []


def test_contact_note_with_medical_words_warns_before_saving(world, login):
    client = login(world.user(Role.LEIDINGGEVENDE))
    url = f"/t/tenant-a/dossiers/{world.team_case.pk}/contactmoment/"
    data = {
        "contact_date": "2026-10-05",
        "channel": "phone",
        "with_whom": "werknemer",
        "summary": "Werknemer heeft een depressie en gaat naar de psycholoog.",
    }
    warned = client.post(url, data)
    assert warned.status_code == 200
    assert "mogelijk medische informatie" in warned.text
    assert "depressie" in warned.text
    with tenant_scope(world.tenant_a):
        assert not ContactNote.objects.filter(case=world.team_case).exists()
    saved = client.post(url, {**data, "confirm_no_medical": "on"})
    assert saved.status_code == 302


def test_plain_contact_note_saves_at_once(world, login):
    client = login(world.user(Role.LEIDINGGEVENDE))
    url = f"/t/tenant-a/dossiers/{world.team_case.pk}/contactmoment/"
    response = client.post(
        url,
        {
            "contact_date": "2026-10-05",
            "channel": "visit",
            "summary": "Bezoek thuis; volgende week starten met twee ochtenden.",
        },
    )
    assert response.status_code == 302
    page = client.get(f"/t/tenant-a/dossiers/{world.team_case.pk}/")
    assert "twee ochtenden" in page.text


def test_contact_note_in_the_future_is_refused(world, login):
    client = login(world.user(Role.LEIDINGGEVENDE))
    url = f"/t/tenant-a/dossiers/{world.team_case.pk}/contactmoment/"
    later = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    response = client.post(
        url, {"contact_date": later, "channel": "phone", "summary": "Gebeld."}
    )
    assert response.status_code == 200
    assert "toekomst" in response.text


def test_date_fields_default_to_today_in_iso_for_the_date_picker(
    world, login, fresh_employee
):
    page = login(world.user(Role.LEIDINGGEVENDE)).get("/t/tenant-a/ziekmelden/")
    assert f'value="{timezone.localdate().isoformat()}"' in page.text
