"""ziekmelding_create and hersteldmelding_create: every validation rule."""

import datetime as dt

import pytest
from django.db import IntegrityError, connection, transaction

from accounts.models import AuditEvent, Role
from cases.models import AbsenceCase, CaseStatus
from cases.services import hersteldmelding_create, ziekmelding_create
from cases.tests.factories import AbsenceCaseFactory, EmployeeFactory
from core.exceptions import ApplicationError

TODAY = dt.date(2026, 11, 20)


@pytest.fixture
def employee(scope_a):
    return EmployeeFactory(
        employer=scope_a.employer_a1,
        employment_start=dt.date(2024, 3, 1),
        personnel_number="ZM-1",
    )


@pytest.fixture
def actor(scope_a):
    return scope_a.user(Role.LEIDINGGEVENDE)


def report(actor, employee, first_sick_day, **kwargs):
    return ziekmelding_create(
        actor=actor,
        employee=employee,
        first_sick_day=first_sick_day,
        today=TODAY,
        **kwargs,
    )


def recover(actor, case, day, pct=100):
    return hersteldmelding_create(
        actor=actor, case=case, effective_date=day, percentage_fit=pct, today=TODAY
    )


# --- ziekmelding ------------------------------------------------------------


def test_ziekmelding_opens_case_fully_unfit_with_audit_event(actor, employee):
    case = report(actor, employee, TODAY, agreements=" Bellen op vrijdag ")
    assert case.status == CaseStatus.OPEN
    assert case.agreements == "Bellen op vrijdag"
    assert [c.percentage_unfit for c in case.workability_changes.all()] == [100]
    event = AuditEvent.objects.get(object_id=case.pk, action="ziekmelding_create")
    assert event.actor == actor


def test_first_sick_day_may_be_tomorrow(actor, employee):
    case = report(actor, employee, TODAY + dt.timedelta(days=1))
    assert case.first_sick_day == dt.date(2026, 11, 21)


def test_first_sick_day_more_than_one_day_ahead_is_refused(actor, employee):
    with pytest.raises(ApplicationError, match="toekomst") as exc:
        report(actor, employee, TODAY + dt.timedelta(days=2))
    assert exc.value.field == "first_sick_day"
    assert not AbsenceCase.objects.filter(employee=employee).exists()


def test_first_sick_day_before_employment_is_refused(actor, employee):
    with pytest.raises(ApplicationError, match="in dienst"):
        report(actor, employee, dt.date(2024, 2, 29))


def test_first_sick_day_after_employment_end_is_refused(actor, employee):
    employee.employment_end = dt.date(2026, 6, 30)
    employee.save()
    with pytest.raises(ApplicationError, match="uit dienst"):
        report(actor, employee, dt.date(2026, 7, 1))


def test_second_open_case_is_refused_and_first_kept(actor, employee):
    first = report(actor, employee, dt.date(2026, 11, 1))
    with pytest.raises(ApplicationError, match="al een open verzuimdossier") as exc:
        report(actor, employee, dt.date(2026, 11, 10))
    assert exc.value.field == "employee"
    assert list(AbsenceCase.objects.filter(employee=employee)) == [first]


def test_database_refuses_a_second_open_case_too(scope_a, employee):
    AbsenceCaseFactory(employee=employee)
    with pytest.raises(IntegrityError), transaction.atomic():
        AbsenceCaseFactory(employee=employee)


def test_unknown_expected_duration_is_refused(actor, employee):
    with pytest.raises(ApplicationError) as exc:
        report(actor, employee, TODAY, expected_duration="forever")
    assert exc.value.field == "expected_duration"


def test_relapse_within_27_fit_days_is_linked_for_samentelling(actor, employee):
    first = report(actor, employee, dt.date(2026, 9, 1))
    recover(actor, first, dt.date(2026, 9, 20))
    second = report(actor, employee, dt.date(2026, 9, 20) + dt.timedelta(days=27))
    assert second.previous_case == first


def test_relapse_after_28_fit_days_starts_a_new_case(actor, employee):
    first = report(actor, employee, dt.date(2026, 9, 1))
    recover(actor, first, dt.date(2026, 9, 20))
    second = report(actor, employee, dt.date(2026, 9, 20) + dt.timedelta(days=28))
    assert second.previous_case is None


@pytest.mark.parametrize("day", [dt.date(2026, 9, 10), dt.date(2026, 9, 20)])
def test_first_sick_day_not_after_earlier_recovery_is_refused(actor, employee, day):
    first = report(actor, employee, dt.date(2026, 9, 1))
    recover(actor, first, dt.date(2026, 9, 20))
    with pytest.raises(ApplicationError, match="na de vorige hersteldatum"):
        report(actor, employee, day)


# --- hersteldmelding --------------------------------------------------------


@pytest.fixture
def case(actor, employee):
    return report(actor, employee, dt.date(2026, 11, 2))


def test_full_recovery_closes_case_with_recovery_date(actor, case):
    recover(actor, case, dt.date(2026, 11, 9))
    case.refresh_from_db()
    assert case.status == CaseStatus.RECOVERED
    assert case.recovery_date == dt.date(2026, 11, 9)
    assert case.workability_changes.last().percentage_unfit == 0


def test_partial_recovery_keeps_case_open(actor, case):
    change = recover(actor, case, dt.date(2026, 11, 9), pct=40)
    case.refresh_from_db()
    assert case.status == CaseStatus.OPEN
    assert change.percentage_unfit == 60


def test_partial_recovery_may_start_on_first_sick_day(actor, case):
    change = recover(actor, case, case.first_sick_day, pct=50)
    assert change.effective_date == case.first_sick_day


def test_recovery_before_first_sick_day_is_refused(actor, case):
    with pytest.raises(ApplicationError, match="vóór de eerste ziektedag") as exc:
        recover(actor, case, dt.date(2026, 11, 1))
    assert exc.value.field == "effective_date"


def test_full_recovery_on_first_sick_day_is_refused(actor, case):
    with pytest.raises(ApplicationError, match="na de eerste ziektedag"):
        recover(actor, case, case.first_sick_day)


@pytest.mark.parametrize("pct", [-1, 101, 50.5])
def test_percentage_outside_0_to_100_is_refused(actor, case, pct):
    with pytest.raises(ApplicationError, match="tussen 0 en 100") as exc:
        recover(actor, case, dt.date(2026, 11, 9), pct=pct)
    assert exc.value.field == "percentage_fit"


@pytest.mark.parametrize("pct", [0, 100])
def test_percentage_bounds_are_accepted(actor, case, pct):
    recover(actor, case, dt.date(2026, 11, 9), pct=pct)


def test_recovery_more_than_one_day_ahead_is_refused(actor, case):
    with pytest.raises(ApplicationError, match="toekomst"):
        recover(actor, case, TODAY + dt.timedelta(days=2))


def test_recovery_of_closed_case_is_refused(actor, case):
    recover(actor, case, dt.date(2026, 11, 9))
    with pytest.raises(ApplicationError, match="afgesloten"):
        recover(actor, case, dt.date(2026, 11, 10))


def test_change_before_an_earlier_change_is_refused(actor, case):
    recover(actor, case, dt.date(2026, 11, 10), pct=50)
    with pytest.raises(ApplicationError, match="al een wijziging"):
        recover(actor, case, dt.date(2026, 11, 9), pct=80)
    assert case.workability_changes.count() == 2


def test_bsn_is_not_stored_in_plain_text(employee):
    with connection.cursor() as cursor:
        cursor.execute("SELECT bsn FROM cases_employee WHERE id = %s", [employee.pk])
        (stored,) = cursor.fetchone()
    assert "111222333" not in stored
    employee.refresh_from_db()
    assert employee.bsn == "111222333"
    assert employee.bsn_masked == "******333"
