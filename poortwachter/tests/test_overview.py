"""HR's overview of its employer."""

import datetime as dt

from django.utils import timezone

from accounts.models import Role
from accounts.scoping import tenant_scope
from cases.models import AbsenceCase
from cases.tests.factories import AbsenceCaseFactory, EmployeeFactory
from poortwachter.services import deadlines_refresh_for_case

URL = "/t/tenant-a/overzicht/"


def _refresh_all(world):
    today = timezone.localdate()
    with tenant_scope(world.tenant_a):
        for case in AbsenceCase.objects.all():
            deadlines_refresh_for_case(case=case, today=today)


def test_hr_sees_open_cases_of_own_employer_with_next_step(world, login):
    _refresh_all(world)
    page = login(world.user(Role.HR)).get(URL)
    assert page.status_code == 200
    assert world.a1_employee.display_name in page.text
    assert world.a2_case.employee.display_name not in page.text  # other employer
    assert "Volgende wettelijke stap" in page.text
    # the world's cases started 1 Oct 2026: the PA (11 Nov) is overdue
    assert "wettelijke stappen zijn verlopen" in page.text


def test_case_nearing_week_42_is_flagged(world, login):
    today = timezone.localdate()
    with tenant_scope(world.tenant_a):
        employee = EmployeeFactory(employer=world.employer_a1, surname="Tweeenveertig")
        case = AbsenceCaseFactory(
            employee=employee, first_sick_day=today - dt.timedelta(days=280)
        )
        deadlines_refresh_for_case(case=case, today=today)
    page = login(world.user(Role.HR)).get(URL)
    section = page.text[page.text.index("Binnenkort week 42") :]
    assert "Tweeenveertig" in section.split("Recente ziekmeldingen")[0]


def test_overview_query_count_does_not_grow(
    world, login, django_assert_max_num_queries
):
    _refresh_all(world)
    client = login(world.user(Role.HR))
    client.get(URL)
    with django_assert_max_num_queries(15) as few:
        client.get(URL)
    today = timezone.localdate()
    with tenant_scope(world.tenant_a):
        for n in range(10):
            employee = EmployeeFactory(
                employer=world.employer_a1, personnel_number=f"O{n}"
            )
            case = AbsenceCaseFactory(employee=employee, first_sick_day=today)
            deadlines_refresh_for_case(case=case, today=today)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(URL)


def test_manager_has_no_overview_link_but_sees_only_own_team(world, login):
    page = login(world.user(Role.LEIDINGGEVENDE)).get(URL)
    assert page.status_code == 200
    assert world.a1_employee.display_name not in page.text
