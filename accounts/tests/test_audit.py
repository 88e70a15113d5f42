"""The audit trail: every change of case data records its fields before and
after, and nothing medical (nor a full BSN) is ever copied into it."""

import datetime as dt
import json
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import DatabaseError, connection, transaction

from accounts.audit import audit_changes, audit_snapshot, audit_value
from accounts.models import AuditEvent, Role
from accounts.scoping import tenant_scope
from accounts.services import audit_event_record, audit_events_purge
from cases.models import Employee, InterventionKind, InterventionStatus
from cases.services import (
    case_assign,
    contact_note_create,
    employee_upsert,
    hersteldmelding_create,
    intervention_create,
    intervention_update,
    ziekmelding_create,
)
from documents.models import DocumentKind
from documents.services import (
    document_create,
    document_sign,
    document_signatures_request,
    document_update,
)
from poortwachter.models import ConsultMedical, Task, TaskSource
from poortwachter.services import (
    consult_record,
    fml_record,
    probleemanalyse_record,
    task_complete,
    task_reassign,
    task_snooze,
)
from triage.models import Questionnaire
from triage.services import invitation_create, response_save, routing_decide

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
BSN = "111222333"
NEW_BSN = "123456782"
# Text a person might type that is medical; none of it may reach the trail.
MEDICAL = {
    "agreements": "Belt na het bezoek aan de neuroloog",
    "contact": "Vertelt over zijn hernia en de pijnstillers",
    "intervention": "Psycholoog vanwege angststoornis",
    "intervention_update": "Traject bij psycholoog verlengd wegens paniekaanvallen",
    "task_note": "Uitslag MRI besproken met werknemer",
    "snooze": "Wacht op de MRI-uitslag van het ziekenhuis",
    "anamnesis": "Angststoornis sinds voorjaar, slaapt slecht",
    "assessment": "Depressieve klachten, matig ernstig",
    "treatment": "Sertraline 50 mg, verwezen naar GGZ",
    "consult": "Hoofdpijn en slapeloosheid, bloeddruk verhoogd",
    "fml": "Beperkt door rugklachten (hernia L5)",
    "document": "Ik heb een burn-out en wil rustig opbouwen",
    "questionnaire": "Migraine met aura sinds twee weken",
    "routing_reason": "Besproken met bedrijfsarts: burn-out, daarom complex",
}
MEDICAL_WORDS = (
    "neuroloog",
    "hernia",
    "pijnstillers",
    "angststoornis",
    "paniekaanvallen",
    "MRI",
    "ziekenhuis",
    "depressieve",
    "sertraline",
    "GGZ",
    "hoofdpijn",
    "slapeloosheid",
    "bloeddruk",
    "rugklachten",
    "burn-out",
    "migraine",
    "Kliniek",
)


def test_a_free_text_field_is_a_digest_that_shows_whether_it_changed(scope_a):
    note_model = scope_a.team_case.contact_notes.model
    first = audit_value(note_model, "summary", MEDICAL["contact"])
    again = audit_value(note_model, "summary", MEDICAL["contact"])
    other = audit_value(note_model, "summary", "Gaat beter")
    assert first["redacted"] is True
    assert first == again != other
    assert "hernia" not in json.dumps(first)
    assert audit_value(note_model, "summary", "") == ""


def test_bsn_is_masked_and_every_field_of_a_medical_model_is_redacted(scope_a):
    assert audit_value(Employee, "bsn", BSN) == "******333"
    value = audit_value(ConsultMedical, "notes", MEDICAL["consult"])
    assert value["redacted"] is True


def test_changes_list_only_what_differs_with_before_and_after(scope_a):
    case = scope_a.team_case
    before = audit_snapshot(case, ("route", "work_possible", "regiehouder"))
    case.route = "complex"
    case.regiehouder = scope_a.user(Role.REGIEHOUDER)
    assert audit_changes(case, before) == {
        "route": {"before": "", "after": "complex"},
        "regiehouder": {"before": None, "after": scope_a.user(Role.REGIEHOUDER).pk},
    }


@pytest.fixture
def story(scope_a):
    """A case from ziekmelding to recovery, written through the services,
    with medical text wherever a person could type it."""
    w = scope_a
    regiehouder, casemanager = w.user(Role.REGIEHOUDER), w.user(Role.CASEMANAGER)
    arts = w.user(Role.BEDRIJFSARTS)
    with time_machine.travel(
        dt.datetime(2026, 10, 5, 10, tzinfo=AMSTERDAM), tick=False
    ):
        employee, _ = employee_upsert(
            actor=w.user(Role.TENANT_ADMIN),
            employer=w.employer_a1,
            personnel_number="AUD-1",
            fields={
                "surname": "Audit",
                "first_name": "Anna",
                "email": "anna@werknemer.test",
                "bsn": BSN,
                "employment_start": dt.date(2020, 1, 1),
                "manager": w.user(Role.LEIDINGGEVENDE),
            },
        )
        employee_upsert(
            actor=w.user(Role.TENANT_ADMIN),
            employer=w.employer_a1,
            personnel_number="AUD-1",
            fields={"bsn": NEW_BSN},
        )
        case = ziekmelding_create(
            actor=w.user(Role.LEIDINGGEVENDE),
            employee=employee,
            first_sick_day=dt.date(2026, 10, 1),
            reachable_address="Kliniek De Linde, kamer 12",
            agreements=MEDICAL["agreements"],
        )
        case_assign(
            actor=regiehouder,
            case=case,
            route="regulier",
            regiehouder=regiehouder,
            casemanager=casemanager,
            bedrijfsarts=arts,
        )
        contact_note_create(
            actor=w.user(Role.LEIDINGGEVENDE),
            case=case,
            contact_date=dt.date(2026, 10, 2),
            channel="phone",
            summary=MEDICAL["contact"],
        )
        intervention = intervention_create(
            actor=casemanager,
            case=case,
            kind=InterventionKind.PSYCHISCH,
            requested_on=dt.date(2026, 10, 2),
            status=InterventionStatus.AANGEVRAAGD,
            notes=MEDICAL["intervention"],
        )
        intervention_update(
            actor=casemanager,
            intervention=intervention,
            kind=InterventionKind.PSYCHISCH,
            requested_on=dt.date(2026, 10, 2),
            status=InterventionStatus.LOPEND,
            start_date=dt.date(2026, 10, 5),
            notes=MEDICAL["intervention_update"],
        )
        task = Task.objects.create(
            tenant=w.tenant_a,
            case=case,
            source=TaskSource.MANUAL,
            key="bellen",
            title="Werknemer bellen",
            assignee_role=Role.CASEMANAGER,
            assignee=casemanager,
            due_date=dt.date(2026, 10, 9),
            plan_by=dt.date(2026, 10, 9),
        )
        task_snooze(
            actor=casemanager,
            task=task,
            until=dt.date(2026, 10, 8),
            reason=MEDICAL["snooze"],
        )
        task_reassign(actor=casemanager, task=task, assignee=regiehouder)
        task_complete(actor=regiehouder, task=task, note=MEDICAL["task_note"])
        probleemanalyse_record(
            actor=arts,
            case=case,
            kind="eerste",
            made_on=dt.date(2026, 10, 5),
            limitations="Kan geen zware lasten tillen",
            advice="Start met aangepast werk",
            anamnesis=MEDICAL["anamnesis"],
            assessment=MEDICAL["assessment"],
            treatment=MEDICAL["treatment"],
        )
        consult_record(
            actor=arts,
            case=case,
            held_on=dt.date(2026, 10, 5),
            kind="spreekuur",
            notes=MEDICAL["consult"],
        )
        fml_record(
            actor=arts,
            case=case,
            made_on=dt.date(2026, 10, 5),
            entries={},
            remarks=MEDICAL["fml"],
        )
        document = document_create(
            actor=casemanager, case=case, kind=DocumentKind.PLAN_VAN_AANPAK
        )
        document_update(
            actor=casemanager,
            document=document,
            data={"visie_werknemer": MEDICAL["document"]},
        )
        document_signatures_request(actor=casemanager, document=document)
        document_sign(
            actor=casemanager, document=document, party="werkgever", name="C. Manager"
        )
        invitation = invitation_create(
            actor=regiehouder,
            case=case,
            questionnaire=Questionnaire.objects.get(key="triage_ziekmelding"),
        )
        response_save(
            invitation=invitation,
            section="gezondheid",
            answers={"complaints": MEDICAL["questionnaire"]},
        )
        hersteldmelding_create(
            actor=w.user(Role.LEIDINGGEVENDE),
            case=case,
            effective_date=dt.date(2026, 10, 6),
        )
    return case


def test_no_medical_text_and_no_full_bsn_anywhere_in_the_trail(story):
    events = list(AuditEvent.objects.all())
    assert len(events) >= 18
    dump = json.dumps([event.data for event in events], ensure_ascii=False)
    for text in MEDICAL.values():
        assert text not in dump
    for word in MEDICAL_WORDS:
        assert word.lower() not in dump.lower(), word
    assert BSN not in dump
    assert NEW_BSN not in dump


def test_each_change_of_the_story_is_recorded_with_before_and_after(story):
    case = story
    trail = {
        event.action: event
        for event in AuditEvent.objects.filter(case_id=case.pk).order_by("pk")
    }
    assert {
        "ziekmelding_create",
        "case_assign",
        "contact_note_create",
        "intervention_create",
        "intervention_update",
        "task_snooze",
        "task_reassign",
        "task_complete",
        "probleemanalyse_record",
        "consult_record",
        "fml_record",
        "document_create",
        "document_update",
        "document_signatures_request",
        "document_sign",
        "hersteldmelding_create",
    } <= set(trail)

    created = trail["ziekmelding_create"].data["changes"]
    assert created["first_sick_day"] == {"before": None, "after": "2026-10-01"}
    assert created["agreements"]["after"]["redacted"] is True
    assert created["reachable_address"]["after"]["redacted"] is True

    assigned = trail["case_assign"].data["changes"]
    assert assigned["route"] == {"before": "", "after": "regulier"}
    assert assigned["bedrijfsarts"]["before"] is None
    assert assigned["bedrijfsarts"]["after"] == case.bedrijfsarts_id

    note = trail["contact_note_create"].data["changes"]
    assert note["channel"] == {"before": None, "after": "phone"}
    assert note["summary"]["after"]["redacted"] is True

    updated = trail["intervention_update"].data["changes"]
    assert updated["status"] == {"before": "aangevraagd", "after": "lopend"}
    assert updated["notes"]["before"] != updated["notes"]["after"]

    assert trail["task_snooze"].data["changes"]["snoozed_until"] == {
        "before": None,
        "after": "2026-10-08",
    }
    assert trail["task_snooze"].data["changes"]["snooze_reason"]["after"]["redacted"]
    reassigned = trail["task_reassign"].data["changes"]["assignee"]
    assert reassigned["before"] != reassigned["after"]
    assert trail["task_complete"].data["changes"]["status"] == {
        "before": "open",
        "after": "done",
    }

    analysis = trail["probleemanalyse_record"].data["changes"]
    assert analysis["kind"] == {"before": None, "after": "eerste"}
    for name in ("anamnesis", "assessment", "treatment"):
        assert analysis[f"medical.{name}"]["after"]["redacted"] is True
    assert trail["consult_record"].data["changes"]["medical.notes"]["after"]["redacted"]
    assert trail["fml_record"].data["changes"]["remarks"]["after"]["redacted"]

    assert trail["document_signatures_request"].data["changes"]["status"] == {
        "before": "concept",
        "after": "ter_ondertekening",
    }
    signed = trail["document_sign"].data["changes"]
    assert signed["signature.party"] == {"before": None, "after": "werkgever"}

    recovered = trail["hersteldmelding_create"].data["changes"]
    assert recovered["status"] == {"before": "open", "after": "recovered"}
    assert recovered["recovery_date"] == {"before": None, "after": "2026-10-06"}


def test_employee_changes_show_the_bsn_masked(story):
    event = AuditEvent.objects.filter(action="employee_update").get()
    assert event.data["changes"]["bsn"] == {
        "before": "******333",
        "after": "******782",
    }


def test_routing_decision_records_before_and_after_without_the_reason(scope_a, story):
    # The story's questionnaire was left half-done; decide on a full one.
    from triage.tests.test_routing import CONFLICT_AND_WAITING, _submit

    with time_machine.travel(
        dt.datetime(2026, 10, 5, 11, tzinfo=AMSTERDAM), tick=False
    ):
        decision = _submit(
            scope_a.team_case,
            {**CONFLICT_AND_WAITING, "complaints": MEDICAL["questionnaire"]},
            scope_a.user(Role.REGIEHOUDER),
        )
        routing_decide(
            actor=scope_a.user(Role.REGIEHOUDER),
            decision=decision,
            route="regulier",
            early_consult=False,
            interventions=[],
            reason=MEDICAL["routing_reason"],
        )
    event = AuditEvent.objects.get(action="routing_decide")
    changes = event.data["changes"]
    assert changes["decided_route"] == {"before": "", "after": "regulier"}
    assert changes["outcome"]["after"] == "overridden"
    assert changes["reason"]["after"]["redacted"] is True
    assert event.case_id == scope_a.team_case.pk
    dump = json.dumps([e.data for e in AuditEvent.objects.all()], ensure_ascii=False)
    assert "Migraine" not in dump
    assert "burn-out" not in dump


# --- the audit trail page of one case (privacy officer) ---------------------------


@pytest.fixture
def officer(world, login):
    from accounts.models import Membership

    Membership.objects.filter(pk=world.memberships[Role.TENANT_ADMIN].pk).update(
        privacy_officer=True
    )
    client = login(world.user(Role.TENANT_ADMIN))
    assert client.get("/t/tenant-a/beheer/").status_code == 302
    return client


def test_privacy_officer_finds_the_case_and_reads_its_trail_without_medical_text(
    story, officer
):
    case = story
    found = officer.get("/beheer/accounts/auditevent/", {"employee": "AUD-1"})
    assert found.status_code == 200
    assert f"?case={case.pk}" in found.text
    page = officer.get("/beheer/accounts/auditevent/", {"case": case.pk})
    assert page.status_code == 200
    for action in ("ziekmelding_create", "task_snooze", "consult_record"):
        assert action in page.text
    assert "(afgeschermd)" in page.text
    assert "aangevraagd" in page.text and "lopend" in page.text
    for word in MEDICAL_WORDS:
        assert word.lower() not in page.text.lower(), word


def test_trail_page_query_count_does_not_grow_with_events(
    story, officer, django_assert_max_num_queries
):
    case = story
    url = "/beheer/accounts/auditevent/"
    with django_assert_max_num_queries(20) as counted:
        officer.get(url, {"case": case.pk})
    for day in range(5):
        contact_note_create(
            actor=case.regiehouder,
            case=case,
            contact_date=dt.date(2026, 10, 1) + dt.timedelta(days=day),
            channel="phone",
            summary="Gebeld",
            today=dt.date(2026, 10, 6),
        )
    with django_assert_max_num_queries(len(counted.captured_queries)):
        officer.get(url, {"case": case.pk})


def test_trail_is_for_privacy_officers_only(story, world, login):
    case = story
    client = login(world.user(Role.TENANT_ADMIN))
    client.get("/t/tenant-a/beheer/")
    assert "auditevent" not in client.get("/beheer/").text
    url = "/beheer/accounts/auditevent/"
    assert client.get(url, {"case": case.pk}).status_code == 403


def test_another_tenants_case_is_a_404(story, world, officer):
    response = officer.get("/beheer/accounts/auditevent/", {"case": world.b_case.pk})
    assert response.status_code == 404


# --- the trail is append-only in the database -------------------------------


def _event(world) -> AuditEvent:
    with tenant_scope(world.tenant_a):
        return audit_event_record(
            actor=world.user(Role.HR),
            action="employee_update",
            obj=world.a1_employee,
            changes={"job_title": {"before": "Kok", "after": "Chef-kok"}},
        )


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE accounts_auditevent SET action = 'employee_create'",
        "UPDATE accounts_auditevent SET occurred_at = occurred_at - interval '1 day'",
        """UPDATE accounts_auditevent SET data = '{"changes": {}}'""",
        "UPDATE accounts_auditevent SET actor_id = "
        "(SELECT max(u.id) FROM accounts_user u WHERE u.id <> actor_id)",
        "DELETE FROM accounts_auditevent",
    ],
)
def test_database_refuses_to_rewrite_or_delete_the_trail(world, statement):
    event = _event(world)
    with (
        pytest.raises(DatabaseError, match="append-only"),
        tenant_scope(world.tenant_a),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement + " WHERE id = %s", [event.pk])
    with tenant_scope(world.tenant_a):
        event.refresh_from_db()
    assert event.action == "employee_update"
    assert event.data["changes"]["job_title"]["after"] == "Chef-kok"


def test_retention_may_blank_the_content_and_purge_expired_events(world):
    """What retention does still works: the content emptied, the account
    unlinked, and expired events deleted through the one purge helper."""
    event = _event(world)
    with tenant_scope(world.tenant_a):
        AuditEvent.objects.filter(pk=event.pk).update(data={}, actor=None)
        event.refresh_from_db()
        assert (event.data, event.actor_id) == ({}, None)
        assert audit_events_purge(AuditEvent.objects.filter(pk=event.pk)) == 1
        assert not AuditEvent.objects.filter(pk=event.pk).exists()
        # The purge said so for its own statement only.
        other = _event(world)
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            AuditEvent.objects.filter(pk=other.pk).delete()
