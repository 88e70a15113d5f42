"""The statistics pages: who gets them, the period form, exports and the
monthly report, through the real selectors."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from accounts.models import Role
from accounts.scoping import tenant_scope
from cases.models import AbsenceCase, CaseStatus
from cases.tests.factories import (
    AbsenceCaseFactory,
    EmployeeFactory,
    WorkabilityChangeFactory,
)
from documents.tests.helpers import flat, pdf_text
from poortwachter.services import deadlines_refresh_for_case

ALLOWED = ("hr", "regiehouder", "casemanager", "tenant_admin")
REFUSED = ("werknemer", "leidinggevende", "bedrijfsarts")


def index_url() -> str:
    return "/t/tenant-a/statistieken/"


def dashboard_url(employer, suffix: str = "") -> str:
    return f"/t/tenant-a/statistieken/werkgevers/{employer.pk}/{suffix}"


@pytest.mark.parametrize("role", ALLOWED)
def test_allowed_roles_see_the_index_and_the_dashboard(world, login, role):
    client = login(world.user(role))
    index = client.get(index_url())
    assert index.status_code == 200
    assert "A1 Bouw" in index.text
    page = client.get(dashboard_url(world.employer_a1))
    assert page.status_code == 200
    assert "Verzuimpercentage" in page.text
    assert 'role="img"' in page.text  # the charts are there


def test_index_lists_only_the_employers_of_the_membership(world, login):
    hr = login(world.user(Role.HR)).get(index_url()).text
    assert "A1 Bouw" in hr and "A2 Zorg" not in hr
    admin = login(world.user(Role.TENANT_ADMIN)).get(index_url()).text
    assert all(name in admin for name in ("A1 Bouw", "A2 Zorg", "A3 Transport"))


@pytest.mark.parametrize("role", REFUSED)
def test_other_roles_get_not_found(world, login, role):
    client = login(world.user(role))
    assert client.get(index_url()).status_code == 404
    assert client.get(dashboard_url(world.employer_a1)).status_code == 404
    assert client.get(dashboard_url(world.employer_a1, "export/")).status_code == 404
    assert client.get(dashboard_url(world.employer_a1, "rapport/")).status_code == 404


def test_nav_link_only_for_roles_that_read_statistics(world, login):
    assert "Verzuimcijfers" in login(world.user(Role.HR)).get("/t/tenant-a/").text
    manager_home = login(world.user(Role.LEIDINGGEVENDE)).get("/t/tenant-a/").text
    assert "/statistieken/" not in manager_home


def test_employer_outside_the_membership_or_tenant_is_not_found(world, login):
    client = login(world.user(Role.HR))
    assert client.get(dashboard_url(world.employer_a2)).status_code == 404
    assert client.get(dashboard_url(world.employer_b)).status_code == 404
    other = login(world.casemanager_b)
    assert other.get(index_url()).status_code == 404
    assert other.get(dashboard_url(world.employer_a1)).status_code == 404


def test_default_is_this_year_to_date_with_formulas_filled_in(world, login):
    today = timezone.localdate()
    page = login(world.user(Role.HR)).get(dashboard_url(world.employer_a1))
    text = page.text
    assert f"<strong>A1 Bouw</strong> · {today.year}" in text
    assert 'value="year" selected' in text
    # The three open cases of A1 since 1 October 2026 are sick days.
    assert "100 x " in text
    assert "Formule" in text
    # No departments at A1: no department select.
    assert 'name="department"' not in text


def test_month_and_department(world, login):
    with tenant_scope(world.tenant_a):
        EmployeeFactory(employer=world.employer_a1, department="Werkplaats")
    client = login(world.user(Role.HR))
    page = client.get(
        dashboard_url(world.employer_a1),
        {"kind": "month", "year": 2026, "month": 10, "department": "Werkplaats"},
    )
    assert page.status_code == 200
    assert 'name="department"' in page.text
    assert "A1 Bouw — Werkplaats</strong> · 2026-10" in page.text


@pytest.mark.parametrize(
    ("params", "message"),
    [
        (
            {"kind": "custom", "start": "2026-05-01", "end": "2026-04-01"},
            "Het einde van de periode ligt vóór het begin.",
        ),
        (
            {"kind": "custom", "start": "2020-01-01", "end": "2026-01-01"},
            "Een periode is hooguit drie jaar lang.",
        ),
        ({"kind": "custom", "start": "2026-05-01"}, "Vul een datum in."),
        ({"kind": "month", "year": "2026"}, "Kies een maand."),
        ({"kind": "year", "year": "twintig"}, "Voer een geheel getal in."),
        ({"kind": "year", "year": "1900"}, "2000"),
        ({"kind": "week", "year": "2026"}, "Selecteer een geldige keuze."),
        ({"kind": "year", "year": "2026", "department": "Nergens"}, "geldige keuze"),
        ({"kind": "year", "year": "2099"}, "Zorg ervoor dat deze waarde hoogstens"),
    ],
)
def test_bad_period_is_a_form_error_not_a_500(world, login, params, message):
    page = login(world.user(Role.HR)).get(dashboard_url(world.employer_a1), params)
    assert page.status_code == 400
    assert message in page.text
    assert "Kerncijfers" not in page.text  # no figures for a period that is wrong


def _long_case(employer, surname: str, today: dt.date) -> AbsenceCase:
    case = AbsenceCaseFactory(
        employee=EmployeeFactory(employer=employer, surname=surname),
        first_sick_day=today - dt.timedelta(days=320),
    )
    WorkabilityChangeFactory(case=case)
    deadlines_refresh_for_case(case=case, today=today)
    return case


def test_cases_at_risk_named_only_for_who_may_open_them(world, login):
    today = timezone.localdate()
    with tenant_scope(world.tenant_a):
        _long_case(world.employer_a1, "Risicovol", today)
    casemanager = login(world.user(Role.CASEMANAGER)).get(
        dashboard_url(world.employer_a1)
    )
    assert "Dossiers met risico op een loonsanctie" in casemanager.text
    assert "Risicovol" in casemanager.text
    admin = login(world.user(Role.TENANT_ADMIN)).get(dashboard_url(world.employer_a1))
    assert admin.status_code == 200
    assert "Risicovol" not in admin.text  # the count only
    assert "Risico op een loonsanctie" in admin.text


def test_frequent_absentees_are_counted_never_named(world, login):
    today = timezone.localdate()
    with tenant_scope(world.tenant_a):
        person = EmployeeFactory(employer=world.employer_a1, surname="Vaakziek")
        for months_ago in (1, 3, 5):
            first = today - dt.timedelta(days=30 * months_ago)
            case = AbsenceCaseFactory(
                employee=person,
                first_sick_day=first,
                recovery_date=first + dt.timedelta(days=3),
                status=CaseStatus.RECOVERED,
            )
            WorkabilityChangeFactory(case=case)
    page = login(world.user(Role.HR)).get(
        dashboard_url(world.employer_a1),
        {"kind": "custom", "start": f"{today.year - 1}-12-01", "end": str(today)},
    )
    assert page.status_code == 200
    assert re.search(
        r'Frequent verzuim</h3>\s*<p class="value"><span class="number">1</span>',
        page.text,
    )
    assert "Vaakziek" not in page.text


def test_dashboard_query_count_does_not_grow_with_cases(
    world, login, django_assert_max_num_queries
):
    today = timezone.localdate()
    with tenant_scope(world.tenant_a):
        _long_case(world.employer_a1, "Eerste", today)  # one at risk already
    client = login(world.user(Role.CASEMANAGER))
    url = dashboard_url(world.employer_a1)
    client.get(url)
    with django_assert_max_num_queries(70) as few:
        assert client.get(url).status_code == 200
    with tenant_scope(world.tenant_a):
        for n in range(6):
            _long_case(world.employer_a1, f"Groei{n}", today)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(url)
    assert "Groei5" in page.text  # listed, at no extra queries


# --- exports -----------------------------------------------------------------


def test_csv_of_one_figure(world, login):
    response = login(world.user(Role.HR)).get(
        dashboard_url(world.employer_a1, "export/"),
        {
            "kind": "month",
            "year": 2026,
            "month": 10,
            "format": "csv",
            "figure": "trend",
        },
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert (
        'filename="verzuimcijfers-a1-bouw-2026-10-trend.csv"'
        in response["Content-Disposition"]
    )
    rows = list(
        csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";")
    )
    assert rows[0] == ["Maand", "Verzuimpercentage (%)", "Zonder zwangerschap (%)"]
    assert rows[1][0] == "2026-10"
    assert "," in rows[1][1]  # a decimal comma in Dutch


def test_xlsx_of_the_whole_dashboard(world, login):
    response = login(world.user(Role.REGIEHOUDER)).get(
        dashboard_url(world.employer_a1, "export/"), {"format": "xlsx"}
    )
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames[:3] == [
        "Overzicht",
        "Verzuimpercentage",
        "Verzuimpercentage per maand",
    ]
    assert book["Overzicht"]["B1"].value == "A1 Bouw"
    employees = book["Nulverzuim"]["B2"].value
    assert isinstance(employees, int) and employees >= 3


@pytest.mark.parametrize(
    ("params", "status", "message"),
    [
        ({"format": "pdf"}, 400, "Kies als bestandsformaat csv of xlsx."),
        ({"format": "csv"}, 400, "Een CSV-bestand bevat één cijfer"),
        ({"format": "csv", "figure": "salaris"}, 404, "Dit cijfer bestaat niet."),
        (
            {"format": "xlsx", "kind": "custom", "start": "2026-02-01", "end": "x"},
            400,
            "De periode klopt niet",
        ),
    ],
)
def test_bad_export_requests_explain_themselves(world, login, params, status, message):
    response = login(world.user(Role.HR)).get(
        dashboard_url(world.employer_a1, "export/"), params
    )
    assert response.status_code == status
    assert message in response.text


# --- the monthly report --------------------------------------------------------


def test_monthly_report_pdf(world, login):
    response = login(world.user(Role.HR)).get(
        dashboard_url(world.employer_a1, "rapport/"), {"year": 2026, "month": 10}
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "verzuimrapport-a1-bouw-2026-10.pdf" in response["Content-Disposition"]
    text = flat(pdf_text(response.content))
    assert "Verzuimrapport 2026-10" in text
    assert "A1 Bouw" in text
    assert "Verzuimpercentage, laatste twaalf maanden" in text
    assert "Bijlage: definities en formules" in text


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"year": 2026, "month": 13}, "Selecteer een geldige keuze."),
        ({"year": 2099, "month": 1}, "Zorg ervoor dat deze waarde hoogstens"),
        ({"year": "", "month": 1}, "Dit veld is vereist."),
    ],
)
def test_bad_report_month_is_400(world, login, params, message):
    response = login(world.user(Role.HR)).get(
        dashboard_url(world.employer_a1, "rapport/"), params
    )
    assert response.status_code == 400
    assert message in response.text
