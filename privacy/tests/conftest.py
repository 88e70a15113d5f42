"""Closed cases full of personal and medical data, made the way people make
them (through the services), at the dates they happened.

Every string in ``PERSONAL`` is unique to these cases, so a raw scan of every
table shows whether anything of them is left. Medical text is encrypted at
rest: whether it is gone is checked on the medical models instead.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from PIL import Image

from accounts.models import Membership, Role, Tenant
from accounts.tests.factories import MembershipFactory, UserFactory
from cases.models import AbsenceCase, Employee, Employer
from cases.services import (
    contact_note_create,
    employee_upsert,
    hersteldmelding_create,
    intervention_create,
    intervention_update,
    ziekmelding_create,
)
from poortwachter.models import Fml, Task, TaskSource

AMSTERDAM = ZoneInfo("Europe/Amsterdam")

FIRST_SICK_DAY = dt.date(2023, 3, 6)
RECOVERY_DATE = dt.date(2023, 5, 1)
EMPLOYMENT_END = dt.date(2023, 6, 30)
# 24 months (the default) after the end of the case and of the employment.
PAST_PERIOD = dt.date(2025, 7, 15)
WITHIN_PERIOD = dt.date(2025, 4, 15)

BSN = "123456782"
PERSONAL = {
    "first_name": "Zebulon",
    "surname": "Quirijnsma",
    "email": "zebulon.quirijnsma@werk.test",
    "phone": "0612340001",
    "job_title": "Functie-GEHEIM-kraanmachinist",
    "bsn_masked": "******782",
    "agreements": "Afspraak-GEHEIM-tuinhuis",
    "reachable_address": "Geheimstraat 7, Ergens",
    "reachable_phone": "0698760002",
    "note_summary": "Contact-GEHEIM-tuinhek",
    "note_with_whom": "Partner Ymkje",
    "intervention_notes": "Interventie-GEHEIM-coaching",
    "intervention_provider": "Coachbureau-GEHEIM",
    "task_title": "Taak-GEHEIM-bel-Zebulon",
    "task_note": "Taaknotitie-GEHEIM",
    "location": "Locatie-GEHEIM-spreekkamer",
    "limitations": "Beperking-GEHEIM-tillen",
    "prognosis": "Prognose-GEHEIM",
    "advice": "Advies-GEHEIM",
    "fml_remarks": "FML-GEHEIM-opmerking",
    "triage_plain": "Triage-GEHEIM-werkplek",
    "routing_reason": "Route-GEHEIM-besluit",
    "signer": "Z. Quirijnsma-Handtekening",
}
MEDICAL = {
    "consult": "Consult-GEHEIM-migraine",
    "anamnesis": "Anamnese-GEHEIM-hernia",
    "triage_medical": "Triage-GEHEIM-burn-out",
}


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=AMSTERDAM)


def travel(day: dt.date):
    return time_machine.travel(at(day), tick=False)


def tables_containing(texts: list[str]) -> dict[str, list[str]]:
    """``{text: [tables]}`` for each text found anywhere in the database,
    by a raw scan of every row of every table (as text)."""
    found: dict[str, list[str]] = {}
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f'SELECT t::text FROM "{table}" t')  # noqa: S608
            rows = "\n".join(row[0] for row in cursor.fetchall()).lower()
            for text in texts:
                if text.lower() in rows:
                    found.setdefault(text, []).append(table)
    return found


@dataclass
class Dossier:
    tenant: Tenant
    employer: Employer
    employee: Employee
    case: AbsenceCase
    cases: list[AbsenceCase] = field(default_factory=list)
    access_log_ids: list[int] = field(default_factory=list)
    world: object = None

    def user(self, role: str):
        return self.world.user(role)


def _png() -> SimpleUploadedFile:
    image = Image.new("RGB", (620, 877), "white")
    out = io.BytesIO()
    image.save(out, "PNG")
    return SimpleUploadedFile("scan.png", out.getvalue(), content_type="image/png")


def make_employee(w, *, number: str = "Z-1", **extra) -> Employee:
    """Through the upsert, so the audit trail holds the names like in life."""
    fields = {
        "bsn": BSN,
        "initials": "Z.",
        "first_name": PERSONAL["first_name"],
        "surname": PERSONAL["surname"],
        "date_of_birth": dt.date(1981, 2, 3),
        "email": PERSONAL["email"],
        "phone": PERSONAL["phone"],
        "job_title": PERSONAL["job_title"],
        "contract_hours": Decimal("24.0"),
        "employment_start": dt.date(2020, 1, 1),
        **extra,
    }
    with travel(dt.date(2022, 1, 3)):
        employee, _created = employee_upsert(
            actor=w.user(Role.TENANT_ADMIN),
            employer=w.employer_a1,
            personnel_number=number,
            fields=fields,
        )
    return employee


def make_case(
    w,
    employee: Employee,
    *,
    first_sick_day: dt.date = FIRST_SICK_DAY,
    recovery: dt.date | None = RECOVERY_DATE,
    partial: bool = True,
) -> AbsenceCase:
    """A case with free text; recovered on ``recovery`` (open when None)."""
    casemanager = w.user(Role.CASEMANAGER)
    with travel(first_sick_day):
        case = ziekmelding_create(
            actor=w.user(Role.LEIDINGGEVENDE),
            employee=employee,
            first_sick_day=first_sick_day,
            reachable_phone=PERSONAL["reachable_phone"],
            reachable_address=PERSONAL["reachable_address"],
            agreements=PERSONAL["agreements"],
        )
    case.casemanager = casemanager
    case.bedrijfsarts = w.user(Role.BEDRIJFSARTS)
    case.save()
    if partial:
        day = first_sick_day + dt.timedelta(days=14)
        with travel(day):
            hersteldmelding_create(
                actor=casemanager,
                case=case,
                effective_date=day,
                percentage_fit=50,
                hours_worked=12.0,
            )
    if recovery is not None:
        with travel(recovery):
            hersteldmelding_create(
                actor=casemanager, case=case, effective_date=recovery
            )
    case.refresh_from_db()
    return case


def fill_case(w, case: AbsenceCase) -> list[int]:
    """Everything a case can hold, written while it was open; returns the
    ids of the access-log rows the bedrijfsarts' reads left."""
    from documents.models import DocumentKind
    from documents.services import (
        document_create,
        document_scan_attach,
        document_sign,
        document_signatures_request,
    )
    from poortwachter.models import MedicalAccessLog
    from poortwachter.selectors import consult_medical_get
    from poortwachter.services import (
        appointment_plan,
        consult_record,
        probleemanalyse_record,
    )
    from triage.models import Questionnaire, RoutingDecision
    from triage.services import invitation_create, response_save, routing_decide

    casemanager = w.user(Role.CASEMANAGER)
    bedrijfsarts = w.user(Role.BEDRIJFSARTS)
    day = case.first_sick_day + dt.timedelta(days=3)
    with travel(day):
        contact_note_create(
            actor=casemanager,
            case=case,
            contact_date=day,
            channel="phone",
            summary=PERSONAL["note_summary"],
            with_whom=PERSONAL["note_with_whom"],
        )
        intervention = intervention_create(
            actor=casemanager,
            case=case,
            kind="coaching",
            provider="Coach B.V.",
            requested_on=day,
            cost=Decimal("450.00"),
            status="aangevraagd",
            notes="Eerste aanvraag",
        )
        intervention_update(
            actor=casemanager,
            intervention=intervention,
            kind="coaching",
            requested_on=day,
            cost=Decimal("450.00"),
            status="lopend",
            provider=PERSONAL["intervention_provider"],
            notes=PERSONAL["intervention_notes"],
        )
        Task.objects.create(
            tenant_id=case.tenant_id,
            case=case,
            source=TaskSource.MANUAL,
            key="handmatig-1",
            title=PERSONAL["task_title"],
            note=PERSONAL["task_note"],
            assignee_role=Role.CASEMANAGER,
            due_date=day,
            plan_by=day,
        )
        appointment_plan(
            actor=casemanager,
            case=case,
            kind="spreekuur",
            date=day + dt.timedelta(days=4),
            start_time=dt.time(10, 0),
            end_time=dt.time(10, 30),
            location=PERSONAL["location"],
            now=at(day),
        )
        invitation = invitation_create(
            actor=casemanager,
            case=case,
            questionnaire=Questionnaire.objects.get(key="triage_ziekmelding"),
        )
        response_save(
            invitation=invitation,
            section="werk",
            answers={
                "work_possible": "other",
                "what_works": PERSONAL["triage_plain"],
                "expected_duration": "month",
                "workability": 5,
            },
        )
        response_save(
            invitation=invitation,
            section="werkfactoren",
            answers={"work_related": "partly"},
        )
        response_save(
            invitation=invitation,
            section="gezondheid",
            answers={"complaints": MEDICAL["triage_medical"], "treatment": "yes"},
        )
        response_save(
            invitation=invitation,
            section="contact",
            answers={"contact_wish": "casemanager"},
            submit=True,
        )
        decision = RoutingDecision.objects.get(case=case)
        other = "regulier" if decision.proposed_route == "complex" else "complex"
        routing_decide(
            actor=casemanager,
            decision=decision,
            route=other,
            early_consult=False,
            interventions=[],
            reason=PERSONAL["routing_reason"],
        )
    made_on = case.first_sick_day + dt.timedelta(days=20)
    with travel(made_on):
        consult = consult_record(
            actor=bedrijfsarts,
            case=case,
            held_on=made_on,
            kind="spreekuur",
            notes=MEDICAL["consult"],
        )
        probleemanalyse_record(
            actor=bedrijfsarts,
            case=case,
            kind="eerste",
            made_on=made_on,
            limitations=PERSONAL["limitations"],
            prognosis=PERSONAL["prognosis"],
            advice=PERSONAL["advice"],
            anamnesis=MEDICAL["anamnesis"],
        )
        Fml.objects.create(
            tenant_id=case.tenant_id,
            case=case,
            made_on=made_on,
            bedrijfsarts=bedrijfsarts,
            catalogue_version="test",
            entries={"1.1": {"levels": [1], "note": "x"}},
            remarks=PERSONAL["fml_remarks"],
        )
        consult_medical_get(
            actor=bedrijfsarts, consult_id=consult.pk, remote_addr="10.0.0.1"
        )
        plan = document_create(
            actor=casemanager, case=case, kind=DocumentKind.PLAN_VAN_AANPAK
        )
        document_signatures_request(actor=casemanager, document=plan)
        document_sign(
            actor=w.user(Role.HR),
            document=plan,
            party="werkgever",
            name="H. R. Adviseur",
            now=at(made_on),
        )
        document_sign(
            actor=case.employee.user,
            document=plan,
            party="werknemer",
            name=PERSONAL["signer"],
            now=at(made_on),
        )
        scanned = document_create(
            actor=casemanager, case=case, kind=DocumentKind.EVALUATIE
        )
        document_signatures_request(actor=casemanager, document=scanned)
        document_scan_attach(
            actor=w.user(Role.HR),
            document=scanned,
            scan=_png(),
            werkgever_name="H. R. Adviseur",
            werknemer_name=PERSONAL["signer"],
            signed_on=made_on,
            today=made_on,
        )
    return list(
        MedicalAccessLog.objects.filter(employee=case.employee).values_list(
            "pk", flat=True
        )
    )


@pytest.fixture(autouse=True)
def media_root(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def light(scope_a) -> Dossier:
    """An employee still in service with one closed case holding free text
    (no documents, no medical data): quick to make."""
    w = scope_a
    employee = make_employee(w)
    case = make_case(w, employee)
    return Dossier(
        tenant=w.tenant_a,
        employer=w.employer_a1,
        employee=employee,
        case=case,
        cases=[case],
        world=w,
    )


@pytest.fixture
def full(scope_a) -> Dossier:
    """An employee who left on 30 June 2023, with a login of their own, and
    one closed case holding everything: notes, interventions, tasks, an
    appointment, a questionnaire with a routing decision, a consult, a
    probleemanalyse, an FML, a signed plan van aanpak and a scanned
    evaluation, and a read of the medical notes in the access log."""
    w = scope_a
    account = UserFactory(
        email=PERSONAL["email"],
        full_name=f"{PERSONAL['first_name']} {PERSONAL['surname']}",
    )
    MembershipFactory(tenant=w.tenant_a, user=account, role=Role.WERKNEMER)
    employee = make_employee(w, employment_end=EMPLOYMENT_END)
    employee.user = account
    employee.save()
    case = make_case(w, employee, recovery=None)
    log_ids = fill_case(w, case)
    with travel(RECOVERY_DATE):
        hersteldmelding_create(
            actor=w.user(Role.CASEMANAGER), case=case, effective_date=RECOVERY_DATE
        )
    case.refresh_from_db()
    assert Membership.objects.filter(user=account).exists()
    return Dossier(
        tenant=w.tenant_a,
        employer=w.employer_a1,
        employee=employee,
        case=case,
        cases=[case],
        access_log_ids=log_ids,
        world=w,
    )
