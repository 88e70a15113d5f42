"""Route and the people who run a case."""

from unittest import mock

import pytest

from accounts.models import Role
from accounts.scoping import tenant_scope
from accounts.tests.factories import MembershipFactory, UserFactory
from poortwachter.models import Task, TaskStatus


@pytest.fixture(autouse=True)
def no_broker():
    with mock.patch("poortwachter.tasks.deadlines_refresh_case_task.delay"):
        yield


def _url(case):
    return f"/t/tenant-a/dossiers/{case.pk}/toewijzen/"


def test_casemanager_sets_route_and_people_and_tasks_follow(world, login):
    old = world.user(Role.CASEMANAGER)
    with tenant_scope(world.tenant_a):
        new = UserFactory(full_name="Nieuwe Casemanager")
        MembershipFactory(
            tenant=world.tenant_a,
            user=new,
            role=Role.CASEMANAGER,
            employers=[world.employer_a1],
        )
        case = world.a1_case
        case.casemanager = old
        case.save()
        task = Task.objects.create(
            tenant=world.tenant_a,
            case=case,
            source="manual",
            key="bel",
            title="Bellen",
            assignee_role="casemanager",
            assignee=old,
            due_date=case.first_sick_day,
            plan_by=case.first_sick_day,
        )
    client = login(world.user(Role.REGIEHOUDER))
    assert client.get(_url(case)).status_code == 200
    response = client.post(
        _url(case),
        {
            "route": "complex",
            "regiehouder": world.user(Role.REGIEHOUDER).pk,
            "casemanager": new.pk,
            "bedrijfsarts": world.user(Role.BEDRIJFSARTS).pk,
        },
    )
    assert response.status_code == 302
    with tenant_scope(world.tenant_a):
        case.refresh_from_db()
        task.refresh_from_db()
    assert case.route == "complex"
    assert case.casemanager == new
    assert task.assignee == new and task.status == TaskStatus.OPEN
    page = client.get(f"/t/tenant-a/dossiers/{case.pk}/")
    assert "Complex" in page.text and "Nieuwe Casemanager" in page.text


def test_person_without_the_role_is_refused(world, login):
    client = login(world.user(Role.REGIEHOUDER))
    response = client.post(
        _url(world.a1_case), {"route": "", "casemanager": world.user(Role.HR).pk}
    )
    assert response.status_code == 200
    assert "errorlist" in response.text


@pytest.mark.parametrize("role", ["leidinggevende", "hr", "bedrijfsarts", "werknemer"])
def test_only_case_runners_may_assign(world, login, role):
    assert login(world.user(role)).get(_url(world.team_case)).status_code == 404
