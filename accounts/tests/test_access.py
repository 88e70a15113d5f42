"""The access policy of DESIGN.md §4: who sees which employees and cases."""

import pytest
from django.db import IntegrityError, transaction
from guardian.shortcuts import assign_perm

from accounts.access import (
    Action,
    can,
    cases_visible_to,
    employees_visible_to,
    employers_visible_to,
)
from accounts.models import Role
from accounts.tests.factories import MembershipFactory, UserFactory


def _names(world, objs):
    lookup = {
        world.team_case.pk: "team_case",
        world.own_case.pk: "own_case",
        world.a1_case.pk: "a1_case",
        world.a2_case.pk: "a2_case",
        world.a3_case.pk: "a3_case",
    }
    return {lookup[o.pk] for o in objs}


EXPECTED_CASES = {
    Role.WERKNEMER: {"own_case"},
    Role.LEIDINGGEVENDE: {"team_case", "own_case"},
    Role.HR: {"team_case", "own_case", "a1_case"},
    Role.REGIEHOUDER: {"team_case", "own_case", "a1_case", "a2_case"},
    Role.CASEMANAGER: {"team_case", "own_case", "a1_case", "a2_case"},
    Role.BEDRIJFSARTS: {"team_case", "a3_case"},
    Role.TENANT_ADMIN: set(),
    # A koppeling (API key) with no employer on its membership covers none.
    Role.KOPPELING: set(),
}


@pytest.mark.parametrize("role", list(Role))
def test_cases_visible_per_role(scope_a, role):
    user = scope_a.user(role.value)
    assert _names(scope_a, cases_visible_to(user)) == EXPECTED_CASES[role]


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        (Role.WERKNEMER, {"own"}),
        (Role.LEIDINGGEVENDE, {"team", "own"}),
        (Role.HR, {"team", "own", "a1"}),
        (Role.REGIEHOUDER, {"team", "own", "a1", "a2"}),
        (Role.CASEMANAGER, {"team", "own", "a1", "a2"}),
        (Role.BEDRIJFSARTS, {"team", "a3"}),
        (Role.TENANT_ADMIN, {"team", "own", "a1", "a2", "a3"}),
    ],
)
def test_employees_visible_per_role(scope_a, role, expected):
    w = scope_a
    lookup = {
        w.team_employee.pk: "team",
        w.own_employee.pk: "own",
        w.a1_employee.pk: "a1",
        w.a2_case.employee_id: "a2",
        w.a3_case.employee_id: "a3",
    }
    visible = {lookup[e.pk] for e in employees_visible_to(w.user(role.value))}
    assert visible == expected


def test_hr_sees_only_own_employer(scope_a):
    employers = set(employers_visible_to(scope_a.user(Role.HR)))
    assert employers == {scope_a.employer_a1}


def test_casemanager_sees_assigned_employers_only(scope_a):
    employers = set(employers_visible_to(scope_a.user(Role.CASEMANAGER)))
    assert employers == {scope_a.employer_a1, scope_a.employer_a2}


def test_guardian_grant_adds_exactly_one_case(scope_a):
    user = scope_a.user(Role.LEIDINGGEVENDE)
    before = set(cases_visible_to(user))
    assign_perm("cases.view_absencecase", user, scope_a.a3_case)
    after = set(cases_visible_to(user))
    assert after - before == {scope_a.a3_case}
    assert scope_a.a3_case.employee in set(employees_visible_to(user))


def test_guardian_grant_gives_no_medical_access(scope_a):
    user = scope_a.user(Role.HR)
    assign_perm("cases.view_absencecase", user, scope_a.a3_case)
    assert can(user, Action.VIEW, scope_a.a3_case)
    assert not can(user, Action.VIEW_MEDICAL, scope_a.a3_case)


@pytest.mark.parametrize(
    ("persona", "allowed"),
    [
        ("bedrijfsarts", True),
        ("casemanager_td", True),
        ("casemanager", False),
        ("regiehouder", False),
        ("hr", False),
        ("leidinggevende", False),
        ("werknemer", False),
        ("tenant_admin", False),
    ],
)
def test_medical_access_only_for_bedrijfsarts_and_taakdelegatie(
    scope_a, persona, allowed
):
    assert can(scope_a.user(persona), Action.VIEW_MEDICAL, scope_a.team_case) is allowed


def test_bedrijfsarts_cannot_open_unassigned_case(scope_a):
    user = scope_a.user(Role.BEDRIJFSARTS)
    assert not can(user, Action.VIEW, scope_a.a1_case)
    assert not can(user, Action.VIEW_MEDICAL, scope_a.a1_case)


@pytest.mark.parametrize(
    ("persona", "allowed"),
    [
        ("leidinggevende", True),
        ("hr", True),
        ("regiehouder", True),
        ("casemanager", True),
        ("bedrijfsarts", False),
        ("werknemer", False),
        ("tenant_admin", False),
    ],
)
def test_who_may_report_sickness(scope_a, persona, allowed):
    assert can(scope_a.user(persona), Action.ZIEKMELDING, scope_a.team_employee) is (
        allowed
    )


def test_manager_cannot_report_for_someone_outside_the_team(scope_a):
    assert not can(
        scope_a.user(Role.LEIDINGGEVENDE), Action.ZIEKMELDING, scope_a.a1_employee
    )


def test_nothing_of_tenant_a_is_visible_from_tenant_b(world):
    from accounts.scoping import tenant_scope

    with tenant_scope(world.tenant_b):
        user = world.casemanager_b
        assert set(cases_visible_to(user)) == {world.b_case}
        # A tenant A user has no membership in B: nothing at all.
        assert not cases_visible_to(world.user(Role.CASEMANAGER)).exists()
        assert not can(world.casemanager_b, Action.VIEW, world.a1_case)


def test_taakdelegatie_is_only_for_casemanagers(scope_a):
    with pytest.raises(IntegrityError), transaction.atomic():
        MembershipFactory(
            tenant=scope_a.tenant_a,
            user=UserFactory(),
            role=Role.REGIEHOUDER,
            taakdelegatie=True,
        )


def test_visibility_costs_constant_queries(scope_a, django_assert_max_num_queries):
    user = scope_a.user(Role.CASEMANAGER)
    with django_assert_max_num_queries(2):
        list(cases_visible_to(user))
