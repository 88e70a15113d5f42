"""Which domain facts become which events, what their payload holds, and that
medical data never does."""

import datetime as dt
import json

import pytest
import time_machine

from accounts.models import Role
from cases.models import CaseStatus
from cases.services import hersteldmelding_create
from documents.models import DocumentKind
from documents.services import document_create, document_signatures_request
from integrations.webhooks import payloads
from integrations.webhooks.models import (
    SUBSCRIBABLE_EVENTS,
    WebhookDelivery,
    WebhookEvent,
)
from integrations.webhooks.services import (
    endpoint_create,
    endpoint_update,
    task_overdue_events_record,
)
from integrations.webhooks.tests.conftest import START, first_attempt
from poortwachter.models import Task, TaskStatus
from poortwachter.services import (
    consult_record,
    deadlines_refresh_for_case,
    fml_record,
    probleemanalyse_record,
    task_complete,
)
from triage.models import Questionnaire
from triage.services import invitation_create, response_save

DAY = dt.timedelta(days=1)

CASE_FIELDS = {
    "case_id",
    "case_reference",
    "employee_id",
    "personnel_number",
    "employer_id",
    "first_sick_day",
}
TASK_FIELDS = CASE_FIELDS | {
    "task_id",
    "task_key",
    "task_source",
    "task_round",
    "assignee_role",
    "due_date",
}
RECOVERY_FIELDS = CASE_FIELDS | {
    "effective_date",
    "percentage_fit",
    "percentage_unfit",
    "hours_worked",
}
# Every field a payload may carry, per type: a new field is a decision.
ALLOWED = {
    "case.created": CASE_FIELDS | {"reported_at"},
    "case.partially_recovered": RECOVERY_FIELDS,
    "case.recovered": RECOVERY_FIELDS | {"recovery_date"},
    "document.signed": CASE_FIELDS
    | {"document_id", "document_kind", "document_version", "sha256", "signed_at"},
    "task.completed": TASK_FIELDS | {"completed_at"},
    "task.overdue": TASK_FIELDS,
}


def _events():
    return {event.type: event.payload for event in WebhookEvent.objects.all()}


def test_a_ziekmelding_is_case_created_with_ids_and_dates(
    scope_a, endpoint, ziekmelding
):
    with time_machine.travel(START, tick=False):
        case = ziekmelding()
    (event,) = WebhookEvent.objects.all()
    assert event.event_id == payloads.event_id_for(f"case.created:{case.pk}")
    employee = case.employee
    assert event.payload == {
        "id": str(event.event_id),
        "type": "case.created",
        "created_at": "2026-11-20T08:00:00Z",
        "tenant": "tenant-a",
        "data": {
            "case_id": case.pk,
            "case_reference": f"VZ-{case.pk:06d}",
            "employee_id": employee.pk,
            "personnel_number": employee.personnel_number,
            "employer_id": scope_a.employer_a1.pk,
            "first_sick_day": "2026-11-20",
            "reported_at": "2026-11-20T08:00:00Z",
        },
    }
    (delivery,) = WebhookDelivery.objects.all()
    assert delivery.endpoint == endpoint


def test_partial_and_full_recovery_are_separate_events(scope_a, endpoint, ziekmelding):
    actor = scope_a.user(Role.LEIDINGGEVENDE)
    with time_machine.travel(START, tick=False) as clock:
        case = ziekmelding()
        clock.shift(2 * DAY)
        hersteldmelding_create(
            actor=actor,
            case=case,
            effective_date=dt.date(2026, 11, 22),
            percentage_fit=40,
            hours_worked=15,
        )
        clock.shift(5 * DAY)
        hersteldmelding_create(
            actor=actor, case=case, effective_date=dt.date(2026, 11, 27)
        )
    events = _events()
    partial = events["case.partially_recovered"]["data"]
    assert partial["effective_date"] == "2026-11-22"
    assert (partial["percentage_fit"], partial["percentage_unfit"]) == (40, 60)
    assert partial["hours_worked"] == "15.0"
    assert "recovery_date" not in partial
    full = events["case.recovered"]["data"]
    assert full["recovery_date"] == full["effective_date"] == "2026-11-27"
    assert (full["percentage_fit"], full["percentage_unfit"]) == (100, 0)


def test_only_subscribed_active_endpoints_of_the_tenant_get_the_event(
    world, scope_a, receiver, ziekmelding
):
    admin = scope_a.user(Role.TENANT_ADMIN)
    wanted, _secret = endpoint_create(
        actor=admin,
        tenant=scope_a.tenant_a,
        name="HR",
        url=receiver.url,
        events=["case.created"],
    )
    endpoint_create(
        actor=admin,
        tenant=scope_a.tenant_a,
        name="Salaris",
        url=receiver.url,
        events=["case.recovered"],
    )
    paused, _secret = endpoint_create(
        actor=admin,
        tenant=scope_a.tenant_a,
        name="Oud",
        url=receiver.url,
        events=["case.created"],
    )
    endpoint_update(
        actor=admin,
        endpoint=paused,
        name="Oud",
        url=receiver.url,
        events=["case.created"],
        is_active=False,
    )
    ziekmelding()
    assert [d.endpoint for d in WebhookDelivery.objects.all()] == [wanted]


def test_no_endpoint_no_event(scope_a, ziekmelding):
    ziekmelding()
    assert not WebhookEvent.objects.exists()


def test_task_overdue_is_recorded_once_per_task(scope_a, endpoint, ziekmelding):
    with time_machine.travel(START, tick=False):
        case = ziekmelding()
        deadlines_refresh_for_case(case=case, today=START.date())
    task = Task.objects.filter(status=TaskStatus.OPEN).order_by("due_date").first()
    after = task.due_date + DAY
    with time_machine.travel(after, tick=False):
        first = task_overdue_events_record(tenant=scope_a.tenant_a, today=after)
        again = task_overdue_events_record(tenant=scope_a.tenant_a, today=after)
    assert first >= 1
    assert again == 0
    overdue = WebhookEvent.objects.filter(type="task.overdue")
    assert overdue.count() == first
    data = next(
        e.payload["data"] for e in overdue if e.payload["data"]["task_id"] == task.pk
    )
    assert data["due_date"] == task.due_date.isoformat()
    assert data["task_key"] == task.key


# --- medical data never leaves -----------------------------------------------

CONSULT_NOTES = "Consult: depressieve klachten en burn-out, sertraline gestart"
PA_ANAMNESIS = "Anamnese: hernia nuclei pulposi L5-S1 met uitstraling"
PA_ASSESSMENT = "Oordeel: radiculair syndroom links"
PA_TREATMENT = "Behandeling: neurochirurg verwijst naar MRI"
FML_NOTE = "FML-toelichting: geen nachtdiensten wegens medicatie"
FML_REMARKS = "FML-opmerking: beperkt belastbaar door rugklachten"
TRIAGE_COMPLAINTS = "Triage-antwoord: migraine en slapeloosheid sinds maanden"
AGREEMENTS = "Afspraak: werknemer heeft hernia, belt na bezoek huisarts"
MEDICAL = [
    CONSULT_NOTES,
    PA_ANAMNESIS,
    PA_ASSESSMENT,
    PA_TREATMENT,
    FML_NOTE,
    FML_REMARKS,
    TRIAGE_COMPLAINTS,
    AGREEMENTS,
]
# Words of those texts that would betray a leak even if cut or re-encoded.
MEDICAL_WORDS = ["depressie", "sertraline", "hernia", "radiculair", "MRI", "migraine"]


def _medical_case(scope_a, ziekmelding):
    """A fresh ziekmelding, then every kind of medical data on it."""
    case = ziekmelding(agreements=AGREEMENTS, reachable_address="Ziekenhuislaan 1")
    bedrijfsarts = scope_a.user(Role.BEDRIJFSARTS)
    case.bedrijfsarts = bedrijfsarts
    case.casemanager = scope_a.user(Role.CASEMANAGER)
    case.save(update_fields=["bedrijfsarts", "casemanager"])
    today = START.date()
    consult_record(
        actor=bedrijfsarts,
        case=case,
        held_on=today,
        kind="spreekuur",
        notes=CONSULT_NOTES,
        today=today,
    )
    probleemanalyse_record(
        actor=bedrijfsarts,
        case=case,
        kind="eerste",
        made_on=today,
        limitations="Niet tillen boven 5 kilo.",
        advice="Halve dagen administratief werk.",
        anamnesis=PA_ANAMNESIS,
        assessment=PA_ASSESSMENT,
        treatment=PA_TREATMENT,
        today=today,
    )
    fml_record(
        actor=bedrijfsarts,
        case=case,
        made_on=today,
        entries={"I.8": {"levels": [3], "note": FML_NOTE}},
        remarks=FML_REMARKS,
        today=today,
    )
    invitation = invitation_create(
        actor=scope_a.user(Role.REGIEHOUDER),
        case=case,
        questionnaire=Questionnaire.objects.get(key="triage_ziekmelding"),
    )
    response_save(
        invitation=invitation,
        section="gezondheid",
        answers={"complaints": TRIAGE_COMPLAINTS, "treatment": "yes"},
    )
    return case


def test_medical_data_never_appears_in_any_webhook_payload(
    scope_a, endpoint, receiver, ziekmelding, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    casemanager = scope_a.user(Role.CASEMANAGER)
    with time_machine.travel(START, tick=False) as clock:
        case = _medical_case(scope_a, ziekmelding)
        deadlines_refresh_for_case(case=case, today=START.date())
        clock.shift(DAY)
        hersteldmelding_create(
            actor=scope_a.user(Role.LEIDINGGEVENDE),
            case=case,
            effective_date=dt.date(2026, 11, 21),
            percentage_fit=50,
        )
        document = document_create(
            actor=casemanager, case=case, kind=DocumentKind.PROBLEEMANALYSE
        )
        document_signatures_request(actor=casemanager, document=document)
        open_tasks = Task.objects.filter(case=case, status=TaskStatus.OPEN)
        task_complete(actor=casemanager, task=open_tasks.order_by("due_date").first())
        late = open_tasks.order_by("due_date").first().due_date + DAY
        clock.move_to(dt.datetime.combine(late, dt.time(9), tzinfo=dt.UTC))
        assert task_overdue_events_record(tenant=scope_a.tenant_a, today=late) >= 1
        hersteldmelding_create(
            actor=scope_a.user(Role.LEIDINGGEVENDE), case=case, effective_date=late
        )
    case.refresh_from_db()
    assert case.status == CaseStatus.RECOVERED

    events = list(WebhookEvent.objects.all())
    assert {event.type for event in events} == {e.value for e in SUBSCRIBABLE_EVENTS}
    for event in events:
        assert set(event.payload["data"]) <= ALLOWED[event.type], event.type
    for delivery in WebhookDelivery.objects.all():
        assert first_attempt(delivery) == "delivered"
    sent = [request.body.decode() for request in receiver.requests]
    assert len(sent) == len(events)
    stored = [json.dumps(event.payload, ensure_ascii=False) for event in events]
    employee = case.employee
    for text in sent + stored:
        for secret in MEDICAL:
            assert secret not in text
        for word in MEDICAL_WORDS:
            assert word.lower() not in text.lower(), word
        assert employee.bsn not in text
        assert employee.surname not in text
        assert "Ziekenhuislaan" not in text


@pytest.mark.parametrize("event_type", ["case.created", "case.recovered"])
def test_event_ids_are_stable_per_fact(event_type):
    assert payloads.event_id_for(f"{event_type}:7") == payloads.event_id_for(
        f"{event_type}:7"
    )
    assert payloads.event_id_for(f"{event_type}:7") != payloads.event_id_for(
        f"{event_type}:8"
    )
