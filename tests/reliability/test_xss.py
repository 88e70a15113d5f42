"""HTML and script typed into any free-text field come back as text: escaped
in every page that shows them, and literal text in the generated PDF
(WeasyPrint never sees them as markup).

The payloads go in the way users type them, through the real forms: the
manager's ziekmelding (agreements, address) and contact note, the
casemanager's intervention and plan van aanpak, the bedrijfsarts' advice,
the employee's questionnaire answer; and in names that arrive by import or
API (employee, employer).
"""

from __future__ import annotations

import io

import pytest
from django.test import Client
from django.utils import timezone
from pypdf import PdfReader

from accounts.models import Role
from accounts.scoping import tenant_scope
from cases.models import AbsenceCase
from cases.tests.factories import EmployeeFactory
from documents.models import Document, DocumentKind
from documents.services import document_create, document_render
from tests.fixtures import verified_login
from triage.links import invitation_token
from triage.models import Questionnaire
from triage.services import invitation_create

SCRIPT = "<script>alert(1)</script>"
ATTR = '"><img src=x onerror=alert(1)>'
# What must never reach a page unescaped.
RAW = ("<script>alert(1)", "<img src=x onerror=alert(1)>")
ESCAPED_SCRIPT = "&lt;script&gt;alert(1)&lt;/script&gt;"
ESCAPED_ATTR = "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"

T = "/t/tenant-a"


@pytest.fixture(autouse=True)
def media_root(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"


def _client(world, role: str) -> Client:
    client = Client()
    verified_login(client, world.user(role))
    return client


def _ok(response) -> None:
    assert response.status_code in (200, 302), (
        response.status_code,
        response.content[:2000],
    )
    if response.status_code == 200:
        assert 'class="errorlist' not in response.content.decode(), response.content


@pytest.fixture
def hostile_case(world) -> AbsenceCase:
    """A case whose every free-text field a user can type holds a payload."""
    today = timezone.localdate()
    with tenant_scope(world.tenant_a):
        employer = world.employer_a1
        employer.name = f"Bouw {ATTR}"
        employer.save()
        employee = EmployeeFactory(
            employer=employer,
            manager=world.user(Role.LEIDINGGEVENDE),
            first_name=SCRIPT,
            surname=ATTR,
            initials="X.",
            job_title=SCRIPT,
            personnel_number="XSS-1",
        )
    manager = _client(world, Role.LEIDINGGEVENDE)
    _ok(
        manager.post(
            f"{T}/ziekmelden/",
            {
                "employee": employee.pk,
                "first_sick_day": today.isoformat(),
                "expected_duration": "unknown",
                "accident_or_third_party": "False",
                "work_possible": "False",
                "agreements": SCRIPT,
                "reachable_address": ATTR,
                "reachable_phone": "<b>06</b>",
            },
        )
    )
    with tenant_scope(world.tenant_a):
        case = AbsenceCase.objects.get(employee=employee)
        case.casemanager = world.user(Role.CASEMANAGER)
        case.bedrijfsarts = world.user(Role.BEDRIJFSARTS)
        case.save()
    _ok(
        manager.post(
            f"{T}/dossiers/{case.pk}/contactmoment/",
            {
                "contact_date": today.isoformat(),
                "channel": "phone",
                "with_whom": ATTR,
                "summary": f"Afgesproken: {SCRIPT}",
                "confirm_no_medical": "on",
            },
        )
    )
    casemanager = _client(world, Role.CASEMANAGER)
    _ok(
        casemanager.post(
            f"{T}/dossiers/{case.pk}/interventies/nieuw/",
            {
                "kind": "coaching",
                "provider": ATTR,
                "requested_on": today.isoformat(),
                "status": "aangevraagd",
                "notes": SCRIPT,
            },
        )
    )
    physician = _client(world, Role.BEDRIJFSARTS)
    _ok(
        physician.post(
            f"{T}/dossiers/{case.pk}/probleemanalyse/",
            {
                "kind": "eerste",
                "made_on": today.isoformat(),
                "limitations": SCRIPT,
                "prognosis": ATTR,
                "advice": SCRIPT,
                "anamnesis": SCRIPT,
                "assessment": ATTR,
                "treatment": "-",
            },
        )
    )
    return case


@pytest.fixture
def hostile_plan(world, hostile_case) -> Document:
    with tenant_scope(world.tenant_a):
        plan = document_create(
            actor=world.user(Role.CASEMANAGER),
            case=hostile_case,
            kind=DocumentKind.PLAN_VAN_AANPAK,
        )
    casemanager = _client(world, Role.CASEMANAGER)
    _ok(
        casemanager.post(
            f"{T}/documenten/{plan.pk}/bewerken/",
            {
                "werknemer_naam": f"{SCRIPT} {ATTR}",
                "werknemer_geboortenaam": ATTR,
                "werkgever_naam": ATTR,
                "werkgever_contactpersoon": SCRIPT,
                "bedrijfsarts_naam": "Dr. K. Smit",
                "arbodienst_naam": "Arbodienst A",
                "functie_naam": SCRIPT,
                "functie_omschrijving": SCRIPT,
                "functie_uren": "38",
                "visie_werknemer": SCRIPT,
                "visie_werkgever": ATTR,
                "einddoelen": ["eigen_functie"],
                "einddoel_anders": "",
                "contact_naam": ATTR,
                "contact_telefoon": "010-1234567",
                "contact_email": "casemanager@tenant-a.test",
                "afspraken-TOTAL_FORMS": "1",
                "afspraken-INITIAL_FORMS": "0",
                "afspraken-MIN_NUM_FORMS": "0",
                "afspraken-MAX_NUM_FORMS": "60",
                "afspraken-0-probleemveld": "arbeidsinhoud",
                "afspraken-0-activiteit": SCRIPT,
                "afspraken-0-wie": "werknemer",
                "afspraken-0-planning": ATTR,
            },
        )
    )
    return plan


def _assert_escaped(html: str, where: str) -> None:
    for raw in RAW:
        assert raw not in html, f"{raw!r} unescaped on {where}"


def test_payloads_are_escaped_on_every_page_that_shows_them(
    world, hostile_case, hostile_plan
):
    case = hostile_case
    pages = {
        Role.LEIDINGGEVENDE: [
            f"{T}/",
            f"{T}/ziekmelden/",
            f"{T}/dossiers/{case.pk}/",
            f"{T}/werknemers/{case.employee_id}/",
        ],
        Role.CASEMANAGER: [
            f"{T}/",
            f"{T}/dossiers/{case.pk}/",
            f"{T}/dossiers/{case.pk}/termijnen/",
            f"{T}/dossiers/{case.pk}/documenten/",
            f"{T}/documenten/{hostile_plan.pk}/",
            f"{T}/documenten/{hostile_plan.pk}/bewerken/",
            f"{T}/dossiers/{case.pk}/interventies/nieuw/",
            f"{T}/taken/",
            f"{T}/werkgevers/{world.employer_a1.pk}/",
        ],
        Role.HR: [f"{T}/", f"{T}/dossiers/{case.pk}/", f"{T}/overzicht/"],
        Role.BEDRIJFSARTS: [
            f"{T}/mijn-dossiers/",
            f"{T}/dossiers/{case.pk}/",
            f"{T}/dossiers/{case.pk}/probleemanalyse/",
        ],
    }
    shown = ""
    for role, urls in pages.items():
        client = _client(world, role)
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, (role, url, response.status_code)
            html = response.content.decode()
            _assert_escaped(html, f"{url} as {role}")
            shown += html
    # The payloads were on those pages, as text.
    assert ESCAPED_SCRIPT in shown
    assert ESCAPED_ATTR in shown


def _pdf_text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return " ".join(
        " ".join((page.extract_text() or "").split()) for page in reader.pages
    )


def test_payloads_are_literal_text_in_the_pdf(world, hostile_plan):
    with tenant_scope(world.tenant_a):
        rendered = document_render(document=hostile_plan)
        pdf = rendered.pdf.read()
    text = _pdf_text(pdf)
    compact = text.replace(" ", "")
    # WeasyPrint laid the markup out as characters: had it parsed it, the
    # script would be gone and an <img> would have been fetched (and refused).
    assert SCRIPT.replace(" ", "") in compact
    assert ATTR.replace(" ", "") in compact


def test_a_questionnaire_answer_is_escaped_for_the_staff_and_the_employee(
    world, client
):
    with tenant_scope(world.tenant_a):
        triage = Questionnaire.objects.get(key="triage_ziekmelding")
        invitation = invitation_create(
            actor=world.user(Role.REGIEHOUDER),
            case=world.a1_case,
            questionnaire=triage,
        )
    page = f"/vragenlijst/{invitation_token(invitation)}/werk/"
    saved = client.post(
        page,
        {
            "work_possible": "yes",  # so "what works" is asked
            "expected_duration": "longer",
            "workability": "3",
            "what_works": f"{SCRIPT} {ATTR}",
            "action": "next",
        },
    )
    assert saved.status_code == 302, saved.content[:2000]
    back = client.get(page)
    _assert_escaped(back.content.decode(), "the questionnaire page")
    base = page.removesuffix("werk/")
    client.post(f"{base}werkfactoren/", {"work_related": "no", "action": "next"})
    client.post(f"{base}gezondheid/", {"action": "next"})
    done = client.post(
        f"{base}contact/", {"contact_wish": "nothing", "action": "submit"}
    )
    assert done.status_code == 302
    staff = _client(world, Role.REGIEHOUDER).get(f"{T}/vragenlijsten/{invitation.pk}/")
    assert staff.status_code == 200
    _assert_escaped(staff.content.decode(), "the answers page")
    assert ESCAPED_SCRIPT in staff.content.decode()
