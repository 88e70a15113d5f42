"""Small builders for the statistics tests: employees and cases by dates."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from accounts.scoping import tenant_scope
from accounts.tests.factories import TenantFactory
from cases.models import AbsenceCase, CaseStatus, Employee, Employer
from cases.tests.factories import (
    AbsenceCaseFactory,
    EmployeeFactory,
    EmployerFactory,
    WorkabilityChangeFactory,
)


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def employee(
    employer: Employer,
    *,
    start: str = "2020-01-01",
    end: str | None = None,
    hours: str | None = "40",
    department: str = "",
) -> Employee:
    return EmployeeFactory(
        employer=employer,
        employment_start=d(start),
        employment_end=d(end) if end else None,
        contract_hours=Decimal(hours) if hours is not None else None,
        department=department,
    )


def case(
    person: Employee,
    first: str,
    recovery: str | None = None,
    *,
    changes: tuple[tuple[str, int], ...] = (),
    **fields,
) -> AbsenceCase:
    """A case from ``first`` (100 % unfit) to ``recovery`` (first day fully
    recovered; open when None), with extra ``(date, percentage)`` changes."""
    sick = AbsenceCaseFactory(
        employee=person,
        first_sick_day=d(first),
        recovery_date=d(recovery) if recovery else None,
        status=CaseStatus.RECOVERED if recovery else CaseStatus.OPEN,
        **fields,
    )
    WorkabilityChangeFactory(case=sick, effective_date=d(first), percentage_unfit=100)
    for day, percentage in changes:
        WorkabilityChangeFactory(
            case=sick, effective_date=d(day), percentage_unfit=percentage
        )
    if recovery:
        WorkabilityChangeFactory(
            case=sick, effective_date=d(recovery), percentage_unfit=0
        )
    return sick


@pytest.fixture
def tenant(db):
    return TenantFactory(slug="figures-a")


@pytest.fixture
def other_tenant(db):
    return TenantFactory(slug="figures-b")


@pytest.fixture
def employer(tenant):
    """An employer of ``tenant``; the test body runs in ``tenant``'s scope."""
    with tenant_scope(tenant):
        yield EmployerFactory(tenant=tenant, name="Statistiek B.V.")
