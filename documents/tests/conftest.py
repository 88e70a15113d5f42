"""Documents tests store their PDFs and scans in a per-test directory; shared
fixtures: a prepared case (``dossier``) and one in week 91 (``long_case``,
``complete_case``)."""

import datetime as dt

import pytest

from accounts.models import Role
from cases.tests.factories import ContactNoteFactory
from documents.models import DocumentKind
from documents.services import document_create, document_signatures_request
from documents.tests.helpers import sign_document
from poortwachter.services import chain_timeline


@pytest.fixture(autouse=True)
def media_root(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def dossier(scope_a):
    """Tenant A's own_case (the werknemer persona's own case) with the facts
    a plan van aanpak is prefilled from, and a probleemanalyse whose medical
    part holds ``MEDICAL_SECRET``. Runs inside tenant A's scope."""
    from decimal import Decimal

    from accounts.models import Role
    from documents.tests.factories import (
        ProbleemanalyseFactory,
        ProbleemanalyseMedicalFactory,
    )

    w = scope_a
    employee = w.own_employee
    employee.initials = "J.P."
    employee.surname_prefix = "de"
    employee.surname = "Vries"
    employee.birth_name = "Bakker"
    employee.job_title = "Timmerman"
    employee.job_description = "Maken en plaatsen van kozijnen op de bouwplaats."
    employee.contract_hours = Decimal("38.0")
    employee.bsn = "111222333"
    employee.save()
    employer = employee.employer
    employer.contact_name = "P. Pieterse"
    employer.contact_phone = "010-1234567"
    employer.save()
    case = w.own_case
    case.bedrijfsarts = w.user(Role.BEDRIJFSARTS)
    case.casemanager = w.user(Role.CASEMANAGER)
    case.save()
    analysis = ProbleemanalyseFactory(case=case, bedrijfsarts=case.bedrijfsarts)
    ProbleemanalyseMedicalFactory(probleemanalyse=analysis)
    w.case = case
    w.analysis = analysis
    return w


# --- a case in week 91, for the re-integratieverslag -----------------------

FIRST_SICK_DAY = dt.date(2024, 11, 4)


@pytest.fixture
def long_case(dossier):
    """A case in week 91 of sickness."""
    case = dossier.case
    case.first_sick_day = FIRST_SICK_DAY
    case.save()
    case.workability_changes.update(effective_date=FIRST_SICK_DAY)
    dossier.analysis.made_on = FIRST_SICK_DAY + dt.timedelta(days=38)
    dossier.analysis.save()
    _chain, timeline = chain_timeline(case=case)
    dossier.due = {m.code: m for m in timeline.milestones}
    dossier.today = dossier.due["eindevaluatie"].due + dt.timedelta(days=5)
    return dossier


@pytest.fixture
def complete_case(long_case):
    """Every part signed in time, an evaluation at least every six weeks."""
    w = long_case
    casemanager = w.user(Role.CASEMANAGER)
    analysis = document_create(
        actor=casemanager, case=w.case, kind=DocumentKind.PROBLEEMANALYSE
    )
    document_signatures_request(actor=casemanager, document=analysis)
    day = w.due["plan_van_aanpak"].due - dt.timedelta(days=2)
    sign_document(w, DocumentKind.PLAN_VAN_AANPAK, day)
    first_year = w.due["eerstejaarsevaluatie"]
    eind_due = w.due["eindevaluatie"].due
    first_year_done = False
    while True:
        day += dt.timedelta(days=40)
        if day >= eind_due - dt.timedelta(days=2):
            break
        if not first_year_done and first_year.opens <= day <= first_year.due:
            sign_document(w, DocumentKind.EERSTEJAARSEVALUATIE, day)
            first_year_done = True
        else:
            sign_document(w, DocumentKind.EVALUATIE, day)
    assert first_year_done
    sign_document(w, DocumentKind.EINDEVALUATIE, eind_due - dt.timedelta(days=1))
    for n in range(12):
        ContactNoteFactory(
            case=w.case,
            contact_date=FIRST_SICK_DAY + dt.timedelta(days=7 + 40 * n),
            with_whom="werknemer",
            summary=f"Voortgangsgesprek {n + 1}: werkhervatting besproken.",
        )
    return w
