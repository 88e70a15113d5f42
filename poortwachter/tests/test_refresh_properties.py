"""Property test on PostgreSQL: refreshing a chain twice writes the same rows."""

import datetime as dt
from itertools import count
from unittest import mock

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.models import Role
from cases.services import hersteldmelding_create, ziekmelding_create
from cases.tests.factories import EmployeeFactory
from poortwachter.models import Deadline, Task
from poortwachter.services import deadlines_refresh_for_case

TODAY = dt.date(2026, 11, 20)
_numbers = count()


def _rows(case):
    return (
        sorted(
            Deadline.objects.filter(case=case).values_list(
                "milestone", "due_date", "plan_by", "applies"
            )
        ),
        sorted(
            Task.objects.filter(case=case).values_list(
                "id", "key", "round", "due_date", "plan_by", "status", "assignee_id"
            )
        ),
    )


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    sick_days=st.integers(min_value=1, max_value=600),
    partial=st.one_of(st.none(), st.integers(min_value=1, max_value=99)),
    recovered_after=st.one_of(st.none(), st.integers(min_value=1, max_value=40)),
)
def test_refresh_twice_gives_the_same_rows(
    scope_a, sick_days, partial, recovered_after
):
    w = scope_a
    actor = w.user(Role.LEIDINGGEVENDE)
    employee = EmployeeFactory(
        employer=w.employer_a1, personnel_number=f"H-{next(_numbers)}"
    )
    first_sick_day = TODAY - dt.timedelta(days=sick_days)
    with mock.patch("poortwachter.tasks.deadlines_refresh_case_task.delay"):
        case = ziekmelding_create(
            actor=actor, employee=employee, first_sick_day=first_sick_day, today=TODAY
        )
        if partial and sick_days > 2:
            hersteldmelding_create(
                actor=actor,
                case=case,
                effective_date=first_sick_day + dt.timedelta(days=1),
                percentage_fit=partial,
                today=TODAY,
            )
        if recovered_after and recovered_after < sick_days:
            hersteldmelding_create(
                actor=actor,
                case=case,
                effective_date=first_sick_day + dt.timedelta(days=recovered_after),
                today=TODAY,
            )
    deadlines_refresh_for_case(case=case, today=TODAY)
    once = _rows(case)
    deadlines_refresh_for_case(case=case, today=TODAY)
    assert _rows(case) == once
    assert once[0]  # every chain gets its deadlines
