"""The nightly task: each tenant by its own policy, in its own scope."""

import datetime as dt

from django.conf import settings

from accounts.scoping import tenant_scope
from accounts.tests.factories import UserFactory
from cases.models import AbsenceCase
from cases.services import hersteldmelding_create, ziekmelding_create
from cases.tests.factories import EmployeeFactory
from privacy.models import RetentionRun
from privacy.selectors import retention_policy_for
from privacy.tasks import retention_run_nightly_task
from privacy.tests.conftest import make_case, make_employee, travel


def test_beat_runs_the_retention_task_nightly():
    entry = settings.CELERY_BEAT_SCHEDULE["privacy-retention-run"]
    assert entry["task"] == "privacy.tasks.retention_run_nightly_task"


def _b_case(world):
    """A case in tenant B that ended on 1 May 2023."""
    with tenant_scope(world.tenant_b):
        employee = EmployeeFactory(
            employer=world.employer_b, employment_start=dt.date(2020, 1, 1)
        )
        actor = UserFactory()
        with travel(dt.date(2023, 3, 6)):
            case = ziekmelding_create(
                actor=actor,
                employee=employee,
                first_sick_day=dt.date(2023, 3, 6),
                agreements="B-afspraak",
            )
        with travel(dt.date(2023, 5, 1)):
            hersteldmelding_create(
                actor=actor, case=case, effective_date=dt.date(2023, 5, 1)
            )
        policy = retention_policy_for(tenant=world.tenant_b)
        policy.case_data_months = 1
        policy.save()
    return case


def test_nightly_task_applies_each_tenants_own_policy(world):
    b_case = _b_case(world)
    with tenant_scope(world.tenant_a):
        a_case = make_case(world, make_employee(world))
    assert a_case.recovery_date == b_case.recovery_date == dt.date(2023, 5, 1)

    with travel(dt.date(2023, 7, 1)):
        processed = retention_run_nightly_task()

    assert processed == 1
    with tenant_scope(world.tenant_b):
        assert AbsenceCase.objects.get(pk=b_case.pk).agreements == ""
        assert RetentionRun.objects.get().cases == 1
    with tenant_scope(world.tenant_a):
        assert AbsenceCase.objects.get(pk=a_case.pk).agreements != ""
        run = RetentionRun.objects.get()
        assert (run.cases, run.tenant_id) == (0, world.tenant_a.pk)


def test_nightly_task_twice_does_the_work_once(world):
    _b_case(world)
    with travel(dt.date(2023, 7, 1)):
        assert retention_run_nightly_task() == 1
        assert retention_run_nightly_task() == 0


def test_inactive_tenant_is_skipped(world):
    b_case = _b_case(world)
    world.tenant_b.is_active = False
    world.tenant_b.save()
    with travel(dt.date(2023, 7, 1)):
        assert retention_run_nightly_task() == 0
    with tenant_scope(world.tenant_b):
        assert AbsenceCase.objects.get(pk=b_case.pk).agreements == "B-afspraak"
