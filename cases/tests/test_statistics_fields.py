"""The fields the statistics need, where they are maintained: an employer's
full-time hours in the tenant admin, an employee's department in the admin,
the file import, AFAS and the REST API."""

from __future__ import annotations

from decimal import Decimal

import pytest

from accounts.models import Role
from accounts.scoping import tenant_scope
from cases.models import Employee, Employer
from integrations.afas.mapping import DEFAULT_FIELD_MAP, source_rows
from integrations.imports.tests.helpers import (
    HEADERS,
    csv_bytes,
    dry_run,
    person,
    real_run,
)


@pytest.fixture
def admin_client(world, login):
    client = login(world.user(Role.TENANT_ADMIN))
    assert client.get("/t/tenant-a/beheer/").status_code == 302  # picks the tenant
    return client


def _employer_form(world, **overrides):
    with tenant_scope(world.tenant_a):
        employer = world.employer_a1
    data = {"name": employer.name, "kvk_number": employer.kvk_number}
    data.update(overrides)
    return employer, data


def test_tenant_admin_sets_the_fulltime_hours_of_an_employer(world, admin_client):
    employer, data = _employer_form(world, fulltime_hours="36,5")
    url = f"/beheer/cases/employer/{employer.pk}/change/"
    assert "voltijd uren per week" in admin_client.get(url).text.lower()
    response = admin_client.post(url, data)
    assert response.status_code == 302
    with tenant_scope(world.tenant_a):
        assert Employer.objects.get(pk=employer.pk).fulltime_hours == Decimal("36.5")


@pytest.mark.parametrize("value", ["0", "61", "veertig"])
def test_fulltime_hours_outside_1_to_60_is_a_clear_form_error(
    world, admin_client, value
):
    employer, data = _employer_form(world, fulltime_hours=value)
    response = admin_client.post(f"/beheer/cases/employer/{employer.pk}/change/", data)
    assert response.status_code == 200
    assert "is een getal van 1 tot en met 60" in response.text
    with tenant_scope(world.tenant_a):
        assert Employer.objects.get(pk=employer.pk).fulltime_hours == 40


def test_new_employer_without_fulltime_hours_gets_40(world, admin_client):
    response = admin_client.post(
        "/beheer/cases/employer/add/", {"name": "Voltijd B.V."}
    )
    assert response.status_code == 302
    with tenant_scope(world.tenant_a):
        assert Employer.objects.get(name="Voltijd B.V.").fulltime_hours == 40


def test_tenant_admin_sets_the_department_of_an_employee(world, admin_client):
    response = admin_client.post(
        "/beheer/cases/employee/add/",
        {
            "employer": world.employer_a2.pk,
            "personnel_number": "AFD-1",
            "surname": "Afdeling",
            "department": "Thuiszorg",
            "preferred_language": "nl",
            "employment_start": "2025-01-01",
            "vangnet_category": "",
        },
    )
    assert response.status_code == 302
    with tenant_scope(world.tenant_a):
        assert Employee.objects.get(personnel_number="AFD-1").department == (
            "Thuiszorg"
        )


@pytest.mark.parametrize("header", ["Afdeling", "department"])
def test_import_maps_plans_and_writes_the_department_column(scope_a, header):
    existing = scope_a.a1_employee
    moved = person(
        existing.personnel_number,
        **{
            "Roepnaam": existing.first_name,
            "Voorletters": existing.initials,
            "Tussenvoegsel": "",
            "Achternaam": existing.surname,
            "Datum in dienst": "01-01-2020",
            header: "Magazijn",
        },
    )
    rows = [person("301", **{header: "Magazijn"}), person("302"), moved]
    run = dry_run(scope_a, csv_bytes(rows, headers=[*HEADERS, header]))
    assert run.columns["department"] == header
    assert run.error_count == 0
    (update,) = run.report["updates"]
    assert update["changes"]["department"] == ["", "Magazijn"]

    real_run(scope_a, run)
    assert Employee.objects.get(personnel_number="301").department == "Magazijn"
    assert Employee.objects.get(personnel_number="302").department == ""
    existing.refresh_from_db()
    assert existing.department == "Magazijn"


def test_import_of_a_too_long_department_is_a_row_error(scope_a):
    rows = [person("303", Afdeling="x" * 101)]
    run = dry_run(scope_a, csv_bytes(rows, headers=[*HEADERS, "Afdeling"]))
    assert run.error_count == 1
    assert not Employee.objects.filter(personnel_number="303").exists()


def test_afas_field_afdeling_fills_the_department():
    rows, columns = source_rows(
        [{"Medewerker": "1", "Afdeling": "Verkoop "}], DEFAULT_FIELD_MAP
    )
    assert columns["department"] == "Afdeling"
    assert rows[0].values["department"] == "Verkoop"


def test_api_reads_and_writes_the_department(world, api):
    client = api()
    url = f"/api/v1/employers/{world.employer_a2.pk}/employees/API-7/"
    created = client.put(
        url,
        {"surname": "Api", "employment_start": "2021-01-01", "department": "ICT"},
        format="json",
    )
    assert created.status_code == 201, created.content
    assert created.json()["department"] == "ICT"
    moved = client.put(url, {"department": "Financiën"}, format="json")
    assert moved.json()["department"] == "Financiën"
    listed = client.get("/api/v1/employees/?personnel_number=API-7").json()
    assert listed["results"][0]["department"] == "Financiën"
    too_long = client.put(url, {"department": "x" * 101}, format="json")
    assert too_long.status_code == 400
    assert too_long["Content-Type"].startswith("application/problem+json")
