"""A correction of old data deletes the snapshots it can change, no more."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from analytics.models import FigureSnapshot
from analytics.periods import Period
from analytics.tests.conftest import case, d, employee
from cases.models import AbsenceCase
from cases.tests.factories import EmployerFactory, WorkabilityChangeFactory
from poortwachter.models import Task, TaskSource, TaskStatus

TODAY = dt.datetime(2025, 12, 10, 12, tzinfo=dt.UTC)
PERIODS = [
    Period.month(2025, 4),
    Period.month(2025, 5),
    Period.month(2025, 6),
    Period.month(2025, 7),
    Period.quarter(2025, 2),
    Period.year(2024),
]


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(TODAY, tick=False):
        yield


def _store(employer, department: str = "") -> None:
    """A snapshot of every period in PERIODS (replacing what is there)."""
    FigureSnapshot.objects.filter(employer=employer, department=department).delete()
    FigureSnapshot.objects.bulk_create(
        FigureSnapshot(
            tenant_id=employer.tenant_id,
            employer=employer,
            department=department,
            period_kind=period.kind.value,
            period_start=period.start,
            period_end=period.end,
            data={},
            computed_at=timezone.now(),
        )
        for period in PERIODS
    )


def _left(employer) -> list[str]:
    """The snapshots still there, as 'start..end'."""
    return sorted(
        f"{start}..{end}"
        for start, end in FigureSnapshot.objects.filter(employer=employer)
        .order_by()
        .values_list("period_start", "period_end")
    )


def _ending_before(day: str) -> list[str]:
    return sorted(
        f"{p.start}..{p.end}" for p in PERIODS if p.end < dt.date.fromisoformat(day)
    )


def test_backdated_workability_change_deletes_from_its_date(employer):
    sick = case(employee(employer), "2025-05-20")
    neighbour = EmployerFactory(tenant=employer.tenant, name="Buren B.V.")
    _store(employer)
    _store(employer, "Magazijn")
    _store(neighbour)
    WorkabilityChangeFactory(
        case=sick, effective_date=d("2025-06-15"), percentage_unfit=50
    )
    # Periods ending on or after 15 June go, for the whole employer and its
    # departments: June, July, Q2. April, May and 2024 stay.
    assert _left(employer) == sorted(_ending_before("2025-06-15") * 2)
    assert len(_left(neighbour)) == len(PERIODS)


def test_moving_a_first_sick_day_counts_the_old_and_the_new_date(employer):
    sick = case(employee(employer), "2025-06-10", "2025-06-20")
    _store(employer)
    sick.first_sick_day = d("2025-05-15")
    sick.save()
    assert _left(employer) == _ending_before("2025-05-15")
    _store(employer)
    sick.first_sick_day = d("2025-06-01")  # later again: from the old 15 May
    sick.save()
    assert _left(employer) == _ending_before("2025-05-15")


def test_saving_a_case_without_a_statistic_change_deletes_nothing(employer):
    sick = case(employee(employer), "2025-06-10", "2025-06-20")
    _store(employer)
    sick.agreements = "Wekelijks bellen."
    sick.save()
    AbsenceCase.objects.get(pk=sick.pk).save()
    assert len(_left(employer)) == len(PERIODS)


def test_todays_ziekmelding_touches_no_closed_period(employer):
    person = employee(employer)
    _store(employer)
    case(person, "2025-12-10")
    assert len(_left(employer)) == len(PERIODS)


def test_contract_hours_and_department_change_every_period_employed(employer):
    person = employee(employer, start="2025-05-01")
    _store(employer)
    person.contract_hours = Decimal("20")
    person.save()
    assert _left(employer) == _ending_before("2025-05-01")
    _store(employer)
    person.department = "Kantoor"
    person.save()
    assert _left(employer) == _ending_before("2025-05-01")


def test_employment_end_change_deletes_from_the_earlier_end(employer):
    person = employee(employer, start="2020-01-01", end="2025-07-31")
    _store(employer)
    person.employment_end = d("2025-06-10")
    person.save()
    assert _left(employer) == _ending_before("2025-06-10")


def test_new_employee_counts_from_employment_start(employer):
    _store(employer)
    employee(employer, start="2025-07-01")
    assert _left(employer) == _ending_before("2025-07-01")


def test_fulltime_hours_change_deletes_every_snapshot_of_the_employer(employer):
    _store(employer)
    employer.name = "Andere naam B.V."
    employer.save()
    assert len(_left(employer)) == len(PERIODS)
    employer.fulltime_hours = Decimal("36")
    employer.save()
    assert _left(employer) == []


def test_completing_a_legal_task_late_deletes_from_its_due_date(employer):
    sick = case(employee(employer), "2025-04-01")
    task = Task.objects.create(
        tenant=employer.tenant,
        case=sick,
        source=TaskSource.LEGAL,
        key="probleemanalyse",
        title="Probleemanalyse",
        assignee_role="bedrijfsarts",
        due_date=d("2025-05-12"),
        plan_by=d("2025-05-12"),
    )
    _store(employer)
    task.snooze_reason = "wacht op afspraak"
    task.save()
    assert len(_left(employer)) == len(PERIODS)
    task.status = TaskStatus.DONE
    task.completed_at = timezone.now()
    task.save()
    assert _left(employer) == _ending_before("2025-05-12")


def test_deleting_a_case_deletes_from_its_first_sick_day(employer):
    sick = case(employee(employer), "2025-06-10", "2025-06-20")
    _store(employer)
    sick.workability_changes.all().delete()
    sick.delete()
    assert _left(employer) == _ending_before("2025-06-10")


def test_bulk_employee_writes_invalidate_too(employer):
    from cases.services import employee_upsert

    fields = {"surname": "Vries", "employment_start": d("2025-06-01")}
    _store(employer)
    _person, created = employee_upsert(
        actor=None, employer=employer, personnel_number="N-1", fields=fields
    )
    assert created
    assert _left(employer) == _ending_before("2025-06-01")
    _store(employer)
    employee_upsert(
        actor=None,
        employer=employer,
        personnel_number="N-1",
        fields={**fields, "surname": "de Vries"},
    )
    assert len(_left(employer)) == len(PERIODS)  # a name is no statistic
    employee_upsert(
        actor=None,
        employer=employer,
        personnel_number="N-1",
        fields={**fields, "contract_hours": Decimal("24")},
    )
    assert _left(employer) == _ending_before("2025-06-01")


def test_probleemanalyse_deletes_from_the_employees_first_sick_day(employer):
    from accounts.tests.factories import UserFactory
    from poortwachter.models import Probleemanalyse

    person = employee(employer)
    case(person, "2025-04-07", "2025-04-10")
    sick = case(person, "2025-05-05")
    _store(employer)
    Probleemanalyse.objects.create(
        tenant=employer.tenant,
        case=sick,
        kind="eerste",
        made_on=d("2025-07-01"),
        bedrijfsarts=UserFactory(),
        limitations="-",
        advice="-",
    )
    # The plan van aanpak's due date moved; it lies after 7 April, the first
    # sick day of this employee's earliest case.
    assert _left(employer) == _ending_before("2025-04-07")
