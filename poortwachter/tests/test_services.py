"""Deadlines and tasks in the database: generation, idempotency, lifecycle."""

import datetime as dt
from unittest import mock

import pytest
from django.db import connection
from django.utils import timezone

from accounts.models import Role
from accounts.scoping import tenant_scope
from accounts.tests.factories import TenantFactory
from cases.models import AbsenceCase
from cases.services import (
    employee_facts_changed,
    hersteldmelding_create,
    ziekmelding_create,
)
from cases.tests.factories import EmployeeFactory
from poortwachter.models import CaseTimeline, Deadline, ProtocolStep, Task, TaskStatus
from poortwachter.protocol import DEFAULT_PROTOCOL
from poortwachter.rules import RULES_VERSION
from poortwachter.selectors import cases_needing_refresh
from poortwachter.services import (
    PLANNING_HORIZON_DAYS,
    deadlines_refresh_for_case,
    protocol_changed,
    task_complete,
    timelines_refresh,
)

TODAY = dt.date(2026, 11, 20)
FSD = dt.date(2026, 11, 2)  # a Monday


@pytest.fixture
def setup(scope_a):
    w = scope_a
    employee = EmployeeFactory(
        employer=w.employer_a1,
        manager=w.user(Role.LEIDINGGEVENDE),
        personnel_number="PW-1",
    )
    return w, employee


@pytest.fixture(autouse=True)
def no_broker():
    """Unit tests run the refresh directly; enqueueing is tested separately."""
    with mock.patch("poortwachter.tasks.deadlines_refresh_case_task.delay") as delay:
        yield delay


def report(w, employee, first_sick_day=FSD):
    case = ziekmelding_create(
        actor=w.user(Role.LEIDINGGEVENDE),
        employee=employee,
        first_sick_day=first_sick_day,
        today=TODAY,
    )
    AbsenceCase.objects.filter(pk=case.pk).update(
        regiehouder=w.user(Role.REGIEHOUDER),
        casemanager=w.user(Role.CASEMANAGER),
        bedrijfsarts=w.user(Role.BEDRIJFSARTS),
    )
    case.refresh_from_db()
    return case


def refresh(case, today=TODAY):
    return deadlines_refresh_for_case(case=case, today=today)


def tasks(case, **filters):
    return {(t.key, t.round): t for t in Task.objects.filter(case=case, **filters)}


def rows(case):
    return (
        sorted(
            Deadline.objects.filter(case=case).values_list(
                "milestone", "due_date", "plan_by", "applies"
            )
        ),
        sorted(
            Task.objects.filter(case=case).values_list(
                "id", "key", "round", "due_date", "status", "assignee_id"
            )
        ),
    )


def test_ziekmelding_gets_every_legal_deadline_and_task(setup):
    w, employee = setup
    case = report(w, employee)
    state = refresh(case)
    assert state.outcome == "open_single_period"
    assert state.rules_version == RULES_VERSION
    deadlines = {d.milestone: d for d in Deadline.objects.filter(case=case)}
    assert deadlines["probleemanalyse"].due_date == FSD + dt.timedelta(days=41)
    assert deadlines["uwv_42_week_melding"].due_date == dt.date(2027, 8, 23)
    legal = tasks(case, source="legal")
    assert legal[("probleemanalyse", 0)].assignee == w.user(Role.BEDRIJFSARTS)
    assert legal[("plan_van_aanpak", 0)].assignee == w.user(Role.REGIEHOUDER)
    assert legal[("uwv_42_week_melding", 0)].assignee == w.user(Role.HR)
    assert ("wage_period_last_day", 0) not in legal  # informational, no task


def test_protocol_tasks_follow_the_default_protocol(setup):
    w, employee = setup
    case = report(w, employee)
    refresh(case)
    protocol = tasks(case, source="protocol")
    call = protocol[("contact_werknemer", 0)]
    assert call.assignee == w.user(Role.CASEMANAGER)
    assert call.due_date == dt.date(2026, 11, 24)  # 2 working days after 20 Nov
    weekly = sorted(r for k, r in protocol if k == "contact_wekelijks")
    assert weekly  # weekly contact, for the manager
    assert protocol[("contact_wekelijks", weekly[0])].assignee == w.user(
        Role.LEIDINGGEVENDE
    )
    horizon = TODAY + dt.timedelta(days=PLANNING_HORIZON_DAYS)
    assert all(
        t.due_date <= horizon
        for (k, _), t in protocol.items()
        if k == "contact_wekelijks"
    )
    assert CaseTimeline.objects.get(case=case).next_review_on is not None


def test_refresh_twice_gives_the_same_rows(setup):
    w, employee = setup
    case = report(w, employee)
    refresh(case)
    first = rows(case)
    refresh(case)
    assert rows(case) == first


def test_full_recovery_closes_open_tasks_but_not_done_ones(setup):
    w, employee = setup
    case = report(w, employee)
    refresh(case)
    call = Task.objects.get(case=case, key="contact_werknemer")
    task_complete(actor=w.user(Role.CASEMANAGER), task=call, completed_on=TODAY)
    hersteldmelding_create(
        actor=w.user(Role.LEIDINGGEVENDE), case=case, effective_date=TODAY, today=TODAY
    )
    refresh(case)
    statuses = {t.key: t.status for t in Task.objects.filter(case=case, round=0)}
    assert statuses["contact_werknemer"] == TaskStatus.DONE
    assert statuses["probleemanalyse"] == TaskStatus.NOT_APPLICABLE
    assert not Task.objects.filter(case=case, status=TaskStatus.OPEN).exists()
    assert not Deadline.objects.get(case=case, milestone="probleemanalyse").applies
    assert CaseTimeline.objects.get(case=case).is_open is False


def test_relapse_within_four_weeks_reopens_the_chain(setup):
    w, employee = setup
    case = report(w, employee, first_sick_day=dt.date(2026, 10, 1))
    refresh(case)
    hersteldmelding_create(
        actor=w.user(Role.LEIDINGGEVENDE),
        case=case,
        effective_date=dt.date(2026, 10, 20),
        today=TODAY,
    )
    refresh(case)
    pa = Task.objects.get(case=case, key="probleemanalyse")
    assert pa.status == TaskStatus.NOT_APPLICABLE
    relapse = report(w, employee, first_sick_day=dt.date(2026, 11, 5))  # 16 fit days
    assert relapse.previous_case == case
    refresh(relapse)
    pa.refresh_from_db()
    assert pa.status == TaskStatus.OPEN
    # 19 sick days before the gap; day 42 is 23 days into the relapse
    assert pa.due_date == dt.date(2026, 11, 27)
    assert not Task.objects.filter(case=relapse).exists()  # the chain's root holds them
    assert CaseTimeline.objects.get(case=case).outcome == "combined_period"


def test_relapse_after_four_weeks_is_a_new_case_with_its_own_tasks(setup):
    w, employee = setup
    case = report(w, employee, first_sick_day=dt.date(2026, 9, 1))
    refresh(case)
    hersteldmelding_create(
        actor=w.user(Role.LEIDINGGEVENDE),
        case=case,
        effective_date=dt.date(2026, 9, 10),
        today=TODAY,
    )
    refresh(case)
    new = report(w, employee, first_sick_day=dt.date(2026, 10, 8))  # 28 fit days
    assert new.previous_case is None
    refresh(new)
    assert Task.objects.get(case=new, key="probleemanalyse").due_date == dt.date(
        2026, 11, 18
    )
    assert Task.objects.get(case=case, key="probleemanalyse").status == "not_applicable"


def test_late_probleemanalyse_moves_the_plan_van_aanpak(setup):
    w, employee = setup
    case = report(w, employee, first_sick_day=dt.date(2026, 9, 1))
    refresh(case)
    pa = Task.objects.get(case=case, key="probleemanalyse")
    assert pa.due_date == dt.date(2026, 10, 12)
    task_complete(
        actor=w.user(Role.BEDRIJFSARTS), task=pa, completed_on=dt.date(2026, 10, 20)
    )
    refresh(case)
    pva = Task.objects.get(case=case, key="plan_van_aanpak")
    assert pva.due_date == dt.date(2026, 11, 3)  # PA date + 14


def test_completing_a_done_task_again_is_refused(setup):
    from core.exceptions import ApplicationError

    w, employee = setup
    case = report(w, employee)
    refresh(case)
    task = Task.objects.get(case=case, key="contact_werknemer")
    task_complete(actor=w.user(Role.CASEMANAGER), task=task)
    with pytest.raises(ApplicationError, match="al afgerond"):
        task_complete(actor=w.user(Role.CASEMANAGER), task=task)
    with pytest.raises(ApplicationError, match="toekomst"):
        other = Task.objects.get(case=case, key="probleemanalyse")
        task_complete(
            actor=w.user(Role.BEDRIJFSARTS),
            task=other,
            completed_on=timezone.localdate() + dt.timedelta(days=3),
        )


def test_protocol_change_applies_to_open_tasks_only(setup):
    w, employee = setup
    case = report(w, employee)
    refresh(case)
    done = Task.objects.get(case=case, key="triage_vragenlijst")
    task_complete(actor=w.user(Role.REGIEHOUDER), task=done)
    ProtocolStep.objects.filter(
        code__in=["triage_vragenlijst", "triage_dag_11"]
    ).update(is_active=False)
    ProtocolStep.objects.filter(code="contact_werknemer").update(offset=1)
    assert protocol_changed(tenant=w.tenant_a) == 1  # the one open timeline
    assert case.pk in cases_needing_refresh(today=TODAY, stale_only=True)
    timelines_refresh(today=TODAY, stale_only=True)
    by_key = {t.key: t for t in Task.objects.filter(case=case, round=0)}
    assert by_key["triage_vragenlijst"].status == TaskStatus.DONE
    assert by_key["triage_dag_11"].status == TaskStatus.NOT_APPLICABLE
    assert by_key["contact_werknemer"].due_date == dt.date(2026, 11, 23)


def test_every_new_tenant_gets_the_default_protocol(db):
    tenant = TenantFactory(slug="nieuw")
    with tenant_scope(tenant):
        codes = set(ProtocolStep.objects.values_list("code", flat=True))
    assert codes == {step.code for step in DEFAULT_PROTOCOL}


def test_employment_end_makes_ziek_uit_dienst(setup):
    w, employee = setup
    case = report(w, employee, first_sick_day=dt.date(2026, 8, 3))
    refresh(case)
    employee.employment_end = dt.date(2026, 11, 30)
    employee.save()
    employee_facts_changed(employee=employee)
    assert CaseTimeline.objects.get(case=case).stale
    timelines_refresh(today=TODAY, stale_only=True)
    state = CaseTimeline.objects.get(case=case)
    assert state.outcome == "ziek_uit_dienst"
    zud = Task.objects.get(case=case, key="ziek_uit_dienst_melding")
    assert zud.due_date == dt.date(2026, 11, 30)
    assert Task.objects.get(case=case, key="uwv_42_week_melding").status == (
        TaskStatus.NOT_APPLICABLE
    )


def test_inconsistent_facts_are_recorded_not_raised(setup):
    w, employee = setup
    case = report(w, employee, first_sick_day=dt.date(2026, 10, 1))
    refresh(case)
    employee.employment_end = dt.date(2026, 9, 1)  # before the first sick day
    employee.save()
    state = refresh(case)
    assert "employment_end" in state.error
    assert Task.objects.filter(case=case, status="open").exists()  # untouched


def test_ziekmelding_marks_the_timeline_stale_in_its_transaction(
    setup, django_capture_on_commit_callbacks, no_broker
):
    w, employee = setup
    with django_capture_on_commit_callbacks(execute=True):
        case = report(w, employee)
    assert CaseTimeline.objects.get(case=case).stale
    no_broker.assert_called_once_with(case.pk, case.tenant_id)


def test_broker_down_loses_nothing(
    setup, django_capture_on_commit_callbacks, no_broker
):
    w, employee = setup
    no_broker.side_effect = ConnectionError("redis is down")
    with django_capture_on_commit_callbacks(execute=True):
        case = report(w, employee)
    assert AbsenceCase.objects.filter(pk=case.pk).exists()
    assert list(cases_needing_refresh(today=TODAY, stale_only=True)) == [case.pk]
    timelines_refresh(today=TODAY, stale_only=True)
    assert Task.objects.filter(case=case, key="probleemanalyse").exists()
    assert not CaseTimeline.objects.get(case=case).stale


def test_nightly_selection_follows_changed_and_due_chains_only(setup):
    w, employee = setup
    quiet = report(w, employee)
    refresh(quiet)
    other = EmployeeFactory(employer=w.employer_a1, personnel_number="PW-2")
    due = report(w, other)
    refresh(due)
    CaseTimeline.objects.filter(case=quiet).update(
        next_review_on=TODAY + dt.timedelta(days=3)
    )
    CaseTimeline.objects.filter(case=due).update(next_review_on=TODAY)
    mine = {quiet.pk, due.pk}
    assert set(cases_needing_refresh(today=TODAY)) & mine == {due.pk}
    CaseTimeline.objects.filter(case=quiet).update(rules_version="old")
    assert set(cases_needing_refresh(today=TODAY)) & mine == mine
    # the world's cases have no timeline yet, so they are picked up too
    assert scope_a_open_cases_without_timeline(w) <= set(
        cases_needing_refresh(today=TODAY)
    )


def scope_a_open_cases_without_timeline(w):
    return {w.team_case.pk, w.own_case.pk, w.a1_case.pk, w.a2_case.pk, w.a3_case.pk}


def test_bsn_and_medical_free_text_never_reach_the_task_rows(setup):
    w, employee = setup
    case = report(w, employee)
    refresh(case)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT title FROM poortwachter_task WHERE case_id = %s", [case.pk]
        )
        titles = " ".join(row[0] for row in cursor.fetchall())
    assert employee.bsn not in titles


def test_batch_refresh_query_count_does_not_grow_with_cases(
    setup, django_assert_max_num_queries
):
    from poortwachter.services import deadlines_refresh_for_cases

    w, employee = setup
    first = report(w, employee)
    with django_assert_max_num_queries(30) as few:
        deadlines_refresh_for_cases(case_ids=[first.pk], today=TODAY)
    many = []
    for n in range(8):
        other = EmployeeFactory(employer=w.employer_a2, personnel_number=f"B-{n}")
        many.append(report(w, other))
    with django_assert_max_num_queries(len(few.captured_queries)):
        deadlines_refresh_for_cases(case_ids=[c.pk for c in many], today=TODAY)
    assert (
        Task.objects.filter(case__in=[first, *many], key="probleemanalyse").count() == 9
    )


def test_timeline_command_prints_deadlines_and_tasks(setup):
    from io import StringIO

    from django.core.management import call_command

    w, employee = setup
    case = report(w, employee)
    refresh(case)
    out = StringIO()
    call_command("poortwachter_timeline", str(case.pk), stdout=out)
    text = out.getvalue()
    assert employee.display_name in text
    assert "Probleemanalyse bedrijfsarts" in text
    assert "13-12-2026" in text  # day 42 of a case from 2 Nov 2026
    assert "Werknemer bellen over de ziekmelding" in text


def test_timeline_command_rejects_an_unknown_case(db):
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match="bestaat niet"):
        call_command("poortwachter_timeline", "999999")


def test_old_case_does_not_fill_the_queue_with_stale_protocol_chores(setup):
    """A case first seen long after its start gets its legal tasks (overdue,
    so someone looks) but not protocol chores older than the lookback."""
    w, employee = setup
    case = report(w, employee, first_sick_day=dt.date(2026, 6, 1))
    refresh(case)
    keys = set(Task.objects.filter(case=case).values_list("key", flat=True))
    assert {"probleemanalyse", "plan_van_aanpak"} <= keys  # legal, overdue
    assert "triage_dag_11" not in keys  # protocol, 5 months ago
    assert "bijstelling_probleemanalyse" in keys  # protocol, still ahead
    weekly = Task.objects.filter(case=case, key="contact_wekelijks")
    assert weekly.exists()
    assert all(t.due_date >= TODAY - dt.timedelta(days=14) for t in weekly)
