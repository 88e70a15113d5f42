"""A case in week 91 with every part of the re-integratieverslag signed (one
evaluation on a paper scan), a signed 42-week report, and medical data in
every medical model, whose text must never reach an export."""

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from accounts.models import Role
from documents.models import DocumentKind
from documents.services import (
    document_create,
    document_scan_attach,
    document_sign,
    document_signatures_request,
)
from documents.tests import conftest as documents_fixtures
from documents.tests.helpers import sign_document

# Fixtures of the documents app, shared rather than copied.
dossier = documents_fixtures.dossier
long_case = documents_fixtures.long_case
media_root = documents_fixtures.media_root

BSN = "111222333"
CONSULT_SECRET = "Consult-notitie-GEHEIM-migraine"
TRIAGE_SECRET = "Triage-antwoord-GEHEIM-burn-out"


def _png_scan() -> SimpleUploadedFile:
    image = Image.new("RGB", (1240, 1754), "white")
    out = io.BytesIO()
    image.save(out, "PNG")
    return SimpleUploadedFile("scan.png", out.getvalue(), content_type="image/png")


def _medical_everywhere(w):
    """ConsultMedical and triage medical answers on the case (the dossier
    fixture already holds ProbleemanalyseMedical with MEDICAL_SECRET)."""
    from poortwachter.services import consult_record
    from triage.models import Questionnaire
    from triage.services import invitation_create, response_save

    consult_record(
        actor=w.user(Role.BEDRIJFSARTS),
        case=w.case,
        held_on=dt.date(2024, 12, 2),
        kind="spreekuur",
        notes=CONSULT_SECRET,
        today=dt.date(2026, 11, 20),
    )
    invitation = invitation_create(
        actor=w.user(Role.REGIEHOUDER),
        case=w.case,
        questionnaire=Questionnaire.objects.get(key="triage_ziekmelding"),
    )
    response_save(
        invitation=invitation,
        section="gezondheid",
        answers={"complaints": TRIAGE_SECRET, "treatment": "yes"},
    )


@pytest.fixture
def complete_facts(dossier):
    """The dossier with everything UWV asks for the 42-week report."""
    w = dossier
    employer = w.case.employee.employer
    employer.loonheffingennummer = "123456789L01"
    employer.eigenrisicodrager_zw = True
    employer.save()
    employee = w.case.employee
    employee.date_of_birth = dt.date(1980, 5, 17)
    employee.save()
    return w


@pytest.fixture
def uwv_case(complete_facts, long_case):
    """Week 91: probleemanalyse, plan van aanpak, two evaluations (one signed
    on a paper scan), the eerstejaarsevaluatie and the eindevaluatie signed,
    the 42-week report signed by the employer."""
    w = long_case
    casemanager = w.user(Role.CASEMANAGER)
    _medical_everywhere(w)
    melding = document_create(
        actor=casemanager, case=w.case, kind=DocumentKind.UWV_42_WEEK_MELDING
    )
    document_signatures_request(actor=casemanager, document=melding)
    document_sign(
        actor=w.user(Role.HR),
        document=melding,
        party="werkgever",
        name="H. R. Adviseur",
        now=dt.datetime(2025, 8, 20, 10, 0, tzinfo=dt.UTC),
    )
    analysis = document_create(
        actor=casemanager, case=w.case, kind=DocumentKind.PROBLEEMANALYSE
    )
    document_signatures_request(actor=casemanager, document=analysis)
    w.parts = {
        "probleemanalyse": analysis,
        "plan-van-aanpak": sign_document(
            w, DocumentKind.PLAN_VAN_AANPAK, dt.date(2024, 12, 20)
        ),
        "evaluatie": sign_document(w, DocumentKind.EVALUATIE, dt.date(2025, 1, 28)),
        "eerstejaarsevaluatie": sign_document(
            w, DocumentKind.EERSTEJAARSEVALUATIE, dt.date(2025, 10, 20)
        ),
        "eindevaluatie": sign_document(
            w, DocumentKind.EINDEVALUATIE, dt.date(2026, 7, 20)
        ),
    }
    scanned = document_create(
        actor=casemanager, case=w.case, kind=DocumentKind.EVALUATIE
    )
    document_signatures_request(actor=casemanager, document=scanned)
    w.parts["evaluatie-scan"] = document_scan_attach(
        actor=w.user(Role.HR),
        document=scanned,
        scan=_png_scan(),
        werkgever_name="H. R. Adviseur",
        werknemer_name="J.P. de Vries",
        signed_on=timezone.localdate(),
    )
    w.melding = melding
    for document in [melding, *w.parts.values()]:
        document.refresh_from_db()
    return w
