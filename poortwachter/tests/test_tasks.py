"""Celery with a real worker and Redis; concurrent refreshes on PostgreSQL."""

import datetime as dt
import threading
import time
from unittest import mock

import pytest
from celery.contrib.testing.worker import start_worker
from django.core import mail
from django.db import connection
from django.utils import timezone

from accounts.models import Membership, Role
from accounts.scoping import tenant_scope
from accounts.tests.factories import TenantFactory, UserFactory
from cases.services import hersteldmelding_create, ziekmelding_create
from cases.tests.factories import EmployeeFactory, EmployerFactory
from config.celery import app
from poortwachter.models import CaseTimeline, Task, TaskStatus
from poortwachter.notifications import tasks_notify_overdue, tasks_send_digest
from poortwachter.services import deadlines_refresh_for_case, timelines_refresh


def _wait_for(check, seconds=30):
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "the worker did not do the work in time"
        time.sleep(0.2)


@pytest.fixture
def tenant_with_people(transactional_db):
    tenant = TenantFactory(slug="celery-t")
    with tenant_scope(tenant):
        employer = EmployerFactory(tenant=tenant)
        manager = UserFactory()
        Membership.objects.create(tenant=tenant, user=manager, role=Role.LEIDINGGEVENDE)
        employees = [
            EmployeeFactory(employer=employer, manager=manager) for _ in range(3)
        ]
    return tenant, manager, employees


def test_worker_creates_tasks_on_ziekmelding_and_closes_them_on_recovery(
    tenant_with_people,
):
    tenant, manager, employees = tenant_with_people
    today = timezone.localdate()
    with start_worker(app, perform_ping_check=False, shutdown_timeout=10):
        with tenant_scope(tenant):
            case = ziekmelding_create(
                actor=manager,
                employee=employees[0],
                first_sick_day=today - dt.timedelta(days=3),
            )
        # the worker runs outside this thread's scope: it enters it itself
        with tenant_scope(tenant):
            _wait_for(
                lambda: Task.objects.filter(case=case, key="probleemanalyse").exists()
            )
            assert not CaseTimeline.objects.get(case=case).stale
            hersteldmelding_create(actor=manager, case=case, effective_date=today)
        with tenant_scope(tenant):
            _wait_for(
                lambda: (
                    not Task.objects.filter(case=case, status=TaskStatus.OPEN).exists()
                )
            )
            assert Task.objects.get(case=case, key="probleemanalyse").status == (
                TaskStatus.NOT_APPLICABLE
            )


def test_two_refreshes_at_once_create_no_duplicates(tenant_with_people):
    tenant, manager, employees = tenant_with_people
    today = timezone.localdate()
    with tenant_scope(tenant):
        for employee in employees:
            ziekmelding_create(
                actor=manager, employee=employee, first_sick_day=today - dt.timedelta(2)
            )
    barrier = threading.Barrier(2)
    errors = []

    def run():
        try:
            with tenant_scope(tenant):
                barrier.wait(timeout=10)
                timelines_refresh(today=today)
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    with tenant_scope(tenant):
        keys = list(Task.objects.values_list("case_id", "source", "key", "round"))
        assert len(keys) == len(set(keys))
        per_case = {case_id for case_id, *_ in keys}
        assert len(per_case) == 3
        before = len(keys)
        timelines_refresh(today=today)
        for case_id in per_case:
            from cases.models import AbsenceCase

            deadlines_refresh_for_case(
                case=AbsenceCase.objects.get(pk=case_id), today=today
            )
        assert Task.objects.count() == before


def test_digest_and_overdue_mail_reach_the_assignee_once(scope_a):
    w = scope_a
    user = w.user(Role.CASEMANAGER)
    user.preferred_language = "en"
    user.save()
    today = dt.date(2026, 11, 20)
    for key, due in (("late", today - dt.timedelta(days=2)), ("now", today)):
        Task.objects.create(
            tenant=w.tenant_a,
            case=w.a1_case,
            source="manual",
            key=key,
            title=f"Taak {key}",
            assignee_role=Role.CASEMANAGER,
            assignee=user,
            due_date=due,
            plan_by=due,
        )
    assert tasks_send_digest(today=today) == 1
    digest = mail.outbox[-1]
    assert digest.to == [user.email]
    assert "2 tasks for today" in digest.subject
    assert "Overdue" in digest.body and "Taak late" in digest.body
    assert w.a1_case.employee.display_name in digest.body
    assert w.a1_case.employee.bsn not in digest.body
    assert tasks_notify_overdue(today=today) == 1
    assert "Taak late" in mail.outbox[-1].body
    assert "Taak now" not in mail.outbox[-1].body
    assert tasks_notify_overdue(today=today) == 0  # only once per task


def test_nightly_run_fans_out_batches_that_a_real_worker_refreshes(tenant_with_people):
    from poortwachter.tasks import timelines_refresh_nightly_task

    tenant, manager, employees = tenant_with_people
    today = timezone.localdate()
    # Only the nightly run may refresh these: the per-event enqueue is muted.
    with (
        tenant_scope(tenant),
        mock.patch("poortwachter.tasks.deadlines_refresh_case_task.delay"),
    ):
        cases = [
            ziekmelding_create(
                actor=manager, employee=e, first_sick_day=today - dt.timedelta(days=1)
            )
            for e in employees
        ]
    with start_worker(app, perform_ping_check=False, shutdown_timeout=10):
        assert timelines_refresh_nightly_task() >= 1
        with tenant_scope(tenant):
            _wait_for(
                lambda: (
                    CaseTimeline.objects.filter(
                        case__in=cases, stale=False, refreshed_at__isnull=False
                    ).count()
                    == len(cases)
                )
            )
            assert (
                Task.objects.filter(case__in=cases, key="probleemanalyse").count() == 3
            )
