"""PostgreSQL connection loss in the middle of a request: a clean error page,
nothing half-written, and the next request works.

The request's own backend is terminated with ``pg_terminate_backend`` from a
second connection, from inside the ziekmelding's transaction (after the case
and its workability change are written, before the audit event), the way a
database restart or a network cut would hit it.
"""

from __future__ import annotations

import time

import psycopg
import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent, Role
from accounts.scoping import tenant_scope
from cases.models import AbsenceCase, WorkabilityChange
from cases.signals import case_reported
from cases.tests.factories import EmployeeFactory
from poortwachter.models import CaseTimeline
from tests.fixtures import verified_login

FORM = {
    "expected_duration": "unknown",
    "accident_or_third_party": "False",
    "work_possible": "False",
}


def _terminate_own_backend() -> None:
    """Kill this connection's PostgreSQL backend from another connection and
    wait until it is gone."""
    pid = connection.connection.info.backend_pid
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    params.pop("prepare_threshold", None)
    with psycopg.connect(**params, autocommit=True) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [pid])
        deadline = time.monotonic() + 10
        while other.execute(
            "SELECT 1 FROM pg_stat_activity WHERE pid = %s", [pid]
        ).fetchone():
            assert time.monotonic() < deadline
            time.sleep(0.02)


@pytest.fixture
def cut_the_database_on_ziekmelding():
    def cut(sender, case, **kwargs):
        _terminate_own_backend()

    case_reported.connect(cut, dispatch_uid="reliability-cut")
    try:
        yield
    finally:
        case_reported.disconnect(dispatch_uid="reliability-cut")


def _employee(world, surname):
    with tenant_scope(world.tenant_a):
        return EmployeeFactory(
            employer=world.employer_a1,
            manager=world.user(Role.LEIDINGGEVENDE),
            surname=surname,
        )


@pytest.mark.django_db(transaction=True)
def test_connection_lost_mid_ziekmelding_gives_a_clean_page_and_writes_nothing(
    world, cut_the_database_on_ziekmelding, caplog
):
    employee = _employee(world, "Verbroken")
    client = Client(raise_request_exception=False)
    verified_login(client, world.user(Role.LEIDINGGEVENDE))
    url = reverse("cases:ziekmelding", kwargs={"tenant_slug": "tenant-a"})
    response = client.post(
        url,
        {**FORM, "employee": employee.pk, "first_sick_day": timezone.localdate()},
    )

    assert response.status_code == 500
    page = response.content.decode()
    assert "Er ging iets mis" in page
    assert "Something went wrong" in page
    for leak in ("Traceback", "OperationalError", "psycopg", "Verbroken", "SELECT"):
        assert leak not in page
    assert "OperationalError" in caplog.text or "terminat" in caplog.text

    # Nothing half-written: no case, no workability change, no timeline, no
    # audit event; the whole transaction was rolled back.
    with tenant_scope(world.tenant_a):
        assert not AbsenceCase.objects.filter(employee=employee).exists()
        assert not WorkabilityChange.objects.filter(case__employee=employee).exists()
        assert not CaseTimeline.objects.filter(case__employee=employee).exists()
        assert not AuditEvent.objects.filter(action="ziekmelding_create").exists()


@pytest.mark.django_db(transaction=True)
def test_the_request_after_a_lost_connection_works(
    world, cut_the_database_on_ziekmelding
):
    first, second = _employee(world, "Eerste"), _employee(world, "Tweede")
    client = Client(raise_request_exception=False)
    verified_login(client, world.user(Role.LEIDINGGEVENDE))
    url = reverse("cases:ziekmelding", kwargs={"tenant_slug": "tenant-a"})
    today = timezone.localdate()
    assert (
        client.post(url, {**FORM, "employee": first.pk, "first_sick_day": today})
    ).status_code == 500
    case_reported.disconnect(dispatch_uid="reliability-cut")

    # CONN_HEALTH_CHECKS: the broken connection is replaced, not reused.
    response = client.post(
        url, {**FORM, "employee": second.pk, "first_sick_day": today}
    )
    assert response.status_code == 302
    assert client.get(response["Location"]).status_code == 200
    with tenant_scope(world.tenant_a):
        assert AbsenceCase.objects.filter(employee=second).count() == 1
        assert not AbsenceCase.objects.filter(employee=first).exists()


@pytest.mark.django_db(transaction=True)
def test_connection_lost_mid_api_ziekmelding_is_a_500_problem(
    world, cut_the_database_on_ziekmelding
):
    from integrations.models import ApiKeyScope
    from integrations.services import api_key_create

    employee = _employee(world, "Koppelbreuk")
    with tenant_scope(world.tenant_a):
        _key, secret = api_key_create(
            actor=world.user(Role.TENANT_ADMIN),
            tenant=world.tenant_a,
            name="Salarissysteem",
            scope=ApiKeyScope.WRITE,
            employers=[],
            all_employers=True,
            rate_limit_per_minute=600,
        )
    client = Client(raise_request_exception=False)
    response = client.post(
        "/api/v1/ziekmeldingen/",
        {
            "employer": world.employer_a1.pk,
            "personnel_number": employee.personnel_number,
            "first_sick_day": timezone.localdate().isoformat(),
        },
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {secret}",
        HTTP_IDEMPOTENCY_KEY="cut-1",
    )
    assert response.status_code == 500
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["type"] == "urn:hervat:problem:server-error"
    assert "psycopg" not in response.content.decode()
    with tenant_scope(world.tenant_a):
        assert not AbsenceCase.objects.filter(employee=employee).exists()
    # The Idempotency-Key was released: the retry runs (and succeeds).
    case_reported.disconnect(dispatch_uid="reliability-cut")
    retry = client.post(
        "/api/v1/ziekmeldingen/",
        {
            "employer": world.employer_a1.pk,
            "personnel_number": employee.personnel_number,
            "first_sick_day": timezone.localdate().isoformat(),
        },
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {secret}",
        HTTP_IDEMPOTENCY_KEY="cut-1",
    )
    assert retry.status_code == 201, retry.content
