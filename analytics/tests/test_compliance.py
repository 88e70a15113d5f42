"""The Poortwachter compliance figures, on hand-computed fixtures.

Year 2025, counted up to 30 June 2025 (``AS_OF``). Employer "Zorg" of a
fresh tenant has:

- case A (Logistiek), first sick day Mon 6 Jan: probleemanalyse due 16 Feb,
  done 10 Feb (on time); plan van aanpak due 2 Mar, done 5 Mar (3 days
  late); the 42e-weeksmelding (Oct) is not due yet.
- case B (Productie), first sick day Mon 3 Feb: probleemanalyse due 16 Mar
  and plan van aanpak due 30 Mar, neither done: missed by 106 and 92 days,
  and both overdue now.
- case C, 3-20 Mar, recovered before any step was due: nothing applies.
- another employer of the tenant, and another tenant, with a case like B.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from accounts.models import Role
from accounts.scoping import tenant_scope
from accounts.tests.factories import TenantFactory, UserFactory
from analytics.compliance import (
    COMPLIANCE_MILESTONES,
    cases_at_risk,
    compliance,
)
from analytics.periods import Period, Scope
from cases.models import CaseStatus
from cases.tests.factories import (
    AbsenceCaseFactory,
    EmployeeFactory,
    EmployerFactory,
    WorkabilityChangeFactory,
)
from documents.tests.conftest import (  # noqa: F401 (fixtures)
    complete_case,
    dossier,
    long_case,
    media_root,
)
from poortwachter.models import Task
from poortwachter.services import deadlines_refresh_for_case, task_complete

AS_OF = dt.date(2025, 6, 30)
YEAR = Period.year(2025)


def _case(employee, first_sick_day, **kwargs):
    case = AbsenceCaseFactory(
        employee=employee, first_sick_day=first_sick_day, **kwargs
    )
    WorkabilityChangeFactory(case=case)
    deadlines_refresh_for_case(case=case, today=AS_OF)
    return case


def _done(case, key, day):
    task = Task.objects.get(case=case, source="legal", key=key)
    task_complete(actor=UserFactory(), task=task, completed_on=day)


@pytest.fixture
def zorg(db):
    tenant = TenantFactory(slug="compliance-t")
    with tenant_scope(tenant):
        employer = EmployerFactory(tenant=tenant, name="Zorg")
        a = _case(
            EmployeeFactory(employer=employer, department="Logistiek"),
            dt.date(2025, 1, 6),
        )
        _done(a, "probleemanalyse", dt.date(2025, 2, 10))
        _done(a, "plan_van_aanpak", dt.date(2025, 3, 5))
        _case(
            EmployeeFactory(employer=employer, department="Productie"),
            dt.date(2025, 2, 3),
        )
        _case(
            EmployeeFactory(employer=employer, department="Productie"),
            dt.date(2025, 3, 3),
            recovery_date=dt.date(2025, 3, 20),
            status=CaseStatus.RECOVERED,
        )
        other = EmployerFactory(tenant=tenant, name="Elders")
        _case(EmployeeFactory(employer=other), dt.date(2025, 2, 3))
    stranger = TenantFactory(slug="compliance-other")
    with tenant_scope(stranger):
        _case(
            EmployeeFactory(employer=EmployerFactory(tenant=stranger)),
            dt.date(2025, 2, 3),
        )
    with tenant_scope(tenant):
        yield employer


def _by_code(figures):
    return {m.milestone: m for m in figures.milestones}


def _counts(milestone):
    return (milestone.due, milestone.on_time, milestone.late, milestone.missed)


def test_counts_on_time_late_and_missed_steps_of_the_employer(zorg):
    figures = compliance(Scope(zorg), YEAR, as_of=AS_OF)

    assert [m.milestone for m in figures.milestones] == list(COMPLIANCE_MILESTONES)
    milestones = _by_code(figures)
    pa = milestones["probleemanalyse"]
    assert _counts(pa) == (2, 1, 0, 1)
    assert pa.percentage_on_time == Decimal("50.00")
    assert pa.average_days_late == Decimal("106.00")
    pva = milestones["plan_van_aanpak"]
    assert _counts(pva) == (2, 0, 1, 1)
    assert pva.percentage_on_time == Decimal("0.00")
    assert pva.average_days_late == Decimal("47.50")  # (3 + 92) / 2
    # Not yet due by 30 June: no denominator, so no percentage.
    for code in ("uwv_42_week_melding", "eerstejaarsevaluatie", "wia_aanvraag"):
        assert milestones[code].due == 0
        assert milestones[code].percentage_on_time is None
        assert milestones[code].average_days_late is None
    assert figures.average_days_late == Decimal("67.00")  # (106 + 3 + 92) / 3
    assert figures.overdue_now == 2
    assert figures.open_long_cases == 0
    assert figures.at_risk_cases == 0


def test_department_scope_counts_only_its_employees(zorg):
    figures = compliance(Scope(zorg, "Logistiek"), YEAR, as_of=AS_OF)
    milestones = _by_code(figures)
    assert _counts(milestones["probleemanalyse"]) == (1, 1, 0, 0)
    assert milestones["plan_van_aanpak"].late == 1
    assert milestones["plan_van_aanpak"].average_days_late == Decimal("3.00")
    assert figures.overdue_now == 0
    assert compliance(Scope(zorg, "Onbekend"), YEAR, as_of=AS_OF).milestones[0].due == 0


def test_counted_days_stop_at_the_period_and_at_as_of(zorg):
    # January: nothing was due yet.
    january = compliance(Scope(zorg), Period.month(2025, 1), as_of=AS_OF)
    assert all(m.due == 0 for m in january.milestones)
    assert january.average_days_late is None
    # On 1 March only case A's probleemanalyse (16 Feb) was due; the plan van
    # aanpak done on 5 March was not done yet on 1 March, and B's steps had
    # not come up.
    early = compliance(Scope(zorg), YEAR, as_of=dt.date(2025, 3, 1))
    milestones = _by_code(early)
    assert _counts(milestones["probleemanalyse"]) == (1, 1, 0, 0)
    assert milestones["plan_van_aanpak"].due == 0
    # 2 March: A's plan van aanpak is due that very day and not done: undecided.
    on_the_day = compliance(Scope(zorg), YEAR, as_of=dt.date(2025, 3, 2))
    assert _counts(_by_code(on_the_day)["plan_van_aanpak"]) == (0, 0, 0, 0)
    # 3 March: now it is missed, one day late so far.
    pva = _by_code(compliance(Scope(zorg), YEAR, as_of=dt.date(2025, 3, 3)))[
        "plan_van_aanpak"
    ]
    assert (pva.due, pva.missed, pva.average_days_late) == (1, 1, Decimal("1.00"))


def test_recovered_case_closes_its_overdue_steps(zorg):
    from cases.models import AbsenceCase

    b = AbsenceCase.objects.get(
        employee__employer=zorg, first_sick_day=dt.date(2025, 2, 3)
    )
    b.recovery_date, b.status = dt.date(2025, 5, 1), CaseStatus.RECOVERED
    b.save()
    deadlines_refresh_for_case(case=b, today=AS_OF)

    figures = compliance(Scope(zorg), YEAR, as_of=AS_OF)
    # Its steps stay missed in 2025, late until the hersteldatum (1 May: 46
    # and 32 days), and nothing is overdue on a closed case.
    milestones = _by_code(figures)
    assert _counts(milestones["probleemanalyse"]) == (2, 1, 0, 1)
    assert milestones["probleemanalyse"].average_days_late == Decimal("46.00")
    assert milestones["plan_van_aanpak"].average_days_late == Decimal("17.50")
    assert figures.average_days_late == Decimal("27.00")  # (46 + 3 + 32) / 3
    assert figures.overdue_now == 0


# --- open long cases and their re-integratieverslag ---------------------------


def test_open_long_case_without_riv_parts_is_at_risk(
    scope_a, django_assert_max_num_queries
):
    w = scope_a
    today = dt.date(2026, 3, 1)
    for n in range(2):
        _long(w, n, today)
    period = Period.year(2026)
    with django_assert_max_num_queries(40) as few:
        figures = compliance(Scope(w.employer_a1), period, as_of=today)
    assert (figures.open_long_cases, figures.at_risk_cases) == (2, 2)

    at_risk = cases_at_risk(Scope(w.employer_a1), as_of=today)
    assert [item.case.employee.surname for item in at_risk] == ["Lang0", "Lang1"]
    assert "Er is geen ondertekend plan van aanpak." in at_risk[0].missing
    assert "Er is geen probleemanalyse van de bedrijfsarts." in at_risk[0].missing
    # Only the scope's cases, and the count of queries does not grow with them.
    assert cases_at_risk(Scope(w.employer_a2), as_of=today) == []
    for n in range(2, 6):
        _long(w, n, today)
    with django_assert_max_num_queries(len(few.captured_queries)):
        figures = compliance(Scope(w.employer_a1), period, as_of=today)
    assert (figures.open_long_cases, figures.at_risk_cases) == (6, 6)


def _long(w, n, today):
    employee = EmployeeFactory(employer=w.employer_a1, surname=f"Lang{n}")
    case = AbsenceCaseFactory(
        employee=employee, first_sick_day=dt.date(2025, 4, 1) + dt.timedelta(days=n)
    )
    WorkabilityChangeFactory(case=case)
    deadlines_refresh_for_case(case=case, today=today)
    return case


def test_open_long_case_with_a_complete_riv_is_not_at_risk(complete_case):  # noqa: F811
    w = complete_case
    deadlines_refresh_for_case(case=w.case, today=w.today)
    figures = compliance(Scope(w.employer_a1), Period.year(w.today.year), as_of=w.today)
    assert (figures.open_long_cases, figures.at_risk_cases) == (1, 0)
    assert cases_at_risk(Scope(w.employer_a1), as_of=w.today) == []

    # One evaluation started but never signed: the RIV is incomplete again.
    from documents.models import DocumentKind
    from documents.services import document_create

    document_create(
        actor=w.user(Role.CASEMANAGER), case=w.case, kind=DocumentKind.EVALUATIE
    )
    at_risk = cases_at_risk(Scope(w.employer_a1), as_of=w.today)
    assert [item.case for item in at_risk] == [w.case]
    assert any("nog een concept" in message for message in at_risk[0].missing)
