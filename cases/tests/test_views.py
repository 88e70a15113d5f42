"""Each role's home page shows what the role may see, and nothing else."""

import pytest

from accounts.models import Role
from accounts.scoping import tenant_scope
from cases.tests.factories import EmployeeFactory

HOME = "/t/tenant-a/"


def test_manager_sees_own_team_with_status(world, login):
    page = login(world.user(Role.LEIDINGGEVENDE)).get(HOME)
    assert page.status_code == 200
    assert world.team_employee.display_name in page.text
    assert "Ziek sinds" in page.text
    assert world.a1_employee.display_name not in page.text


def test_werknemer_sees_only_own_case(world, login):
    page = login(world.user(Role.WERKNEMER)).get(HOME)
    assert page.status_code == 200
    assert f"/t/tenant-a/dossiers/{world.own_case.pk}/" in page.text
    assert f"/dossiers/{world.team_case.pk}/" not in page.text


@pytest.mark.parametrize(
    ("role", "visible", "hidden"),
    [
        (Role.HR, ["a1_case"], ["a2_case", "a3_case"]),
        (Role.CASEMANAGER, ["a1_case", "a2_case"], ["a3_case"]),
        (Role.REGIEHOUDER, ["a1_case", "a2_case"], ["a3_case"]),
        (Role.BEDRIJFSARTS, ["a3_case", "team_case"], ["a1_case", "a2_case"]),
    ],
)
def test_case_roles_see_their_cases(world, login, role, visible, hidden):
    page = login(world.user(role.value)).get(HOME, follow=True)
    assert page.status_code == 200
    for name in visible:
        assert f"/dossiers/{getattr(world, name).pk}/" in page.text, name
    for name in hidden:
        assert f"/dossiers/{getattr(world, name).pk}/" not in page.text, name


def test_tenant_admin_sees_employers_but_no_cases(world, login):
    page = login(world.user(Role.TENANT_ADMIN)).get(HOME)
    assert page.status_code == 200
    assert world.employer_a3.name in page.text
    assert "/dossiers/" not in page.text


def test_tenant_admin_cannot_open_a_case(world, login):
    client = login(world.user(Role.TENANT_ADMIN))
    assert client.get(f"/t/tenant-a/dossiers/{world.a1_case.pk}/").status_code == 404


def test_manager_cannot_open_case_outside_team(world, login):
    client = login(world.user(Role.LEIDINGGEVENDE))
    assert client.get(f"/t/tenant-a/dossiers/{world.a1_case.pk}/").status_code == 404
    assert client.get(f"/t/tenant-a/dossiers/{world.team_case.pk}/").status_code == 200


def test_employee_page_shows_masked_bsn_only(world, login):
    page = login(world.user(Role.HR)).get(
        f"/t/tenant-a/werknemers/{world.a1_employee.pk}/"
    )
    assert "******333" in page.text
    assert "111222333" not in page.text


def test_team_page_query_count_does_not_grow_with_rows(
    world, login, django_assert_max_num_queries
):
    client = login(world.user(Role.LEIDINGGEVENDE))
    client.get(HOME)  # warm the session
    # 9: session, user, the verified authenticator (django-otp), tenant,
    # scope, membership, count, page, scope reset.
    with django_assert_max_num_queries(9) as small:
        client.get(HOME)
    with tenant_scope(world.tenant_a):
        EmployeeFactory.create_batch(
            30, employer=world.employer_a1, manager=world.user(Role.LEIDINGGEVENDE)
        )
    with django_assert_max_num_queries(len(small.captured_queries)):
        page = client.get(HOME)
    assert page.status_code == 200


def test_case_list_is_paginated(world, login):
    from cases.tests.factories import AbsenceCaseFactory

    with tenant_scope(world.tenant_a):
        AbsenceCaseFactory.create_batch(55, employee__employer=world.employer_a2)
    client = login(world.user(Role.REGIEHOUDER))
    first = client.get(HOME)
    assert "Pagina 1 van 2" in first.text
    second = client.get(HOME + "?page=2")
    assert second.status_code == 200
    assert "Pagina 2 van 2" in second.text


def test_case_list_query_count_is_constant(world, login, django_assert_max_num_queries):
    from cases.tests.factories import AbsenceCaseFactory

    client = login(world.user(Role.REGIEHOUDER))
    client.get(HOME)
    with django_assert_max_num_queries(10) as small:
        client.get(HOME)
    with tenant_scope(world.tenant_a):
        AbsenceCaseFactory.create_batch(20, employee__employer=world.employer_a2)
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(HOME)


def test_english_speaker_gets_english_pages(world, login):
    user = world.user(Role.LEIDINGGEVENDE)
    user.preferred_language = "en"
    user.save()
    page = login(user).get(HOME)
    assert '<html lang="en">' in page.text
