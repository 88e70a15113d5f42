"""Idempotency-Key: a retried POST gets the first answer and creates nothing
twice, also when the two requests arrive at the same moment."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.scoping import tenant_scope
from cases.models import AbsenceCase
from cases.tests.factories import EmployeeFactory
from integrations.models import IdempotencyRecord

TODAY = timezone.localdate()


@pytest.fixture
def employee(scope_a):
    return EmployeeFactory(employer=scope_a.employer_a1)


def _ziekmelding(client: APIClient, employee, key: str | None, day=TODAY):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key is not None else {}
    return client.post(
        "/api/v1/ziekmeldingen/",
        {"employee": employee.pk, "first_sick_day": day.isoformat()},
        format="json",
        **headers,
    )


def test_a_retry_returns_the_first_answer_and_creates_one_case(world, api, employee):
    client = api()
    first = _ziekmelding(client, employee, "melding-1")
    retry = _ziekmelding(client, employee, "melding-1")
    assert first.status_code == retry.status_code == 201
    assert retry.json() == first.json()
    assert retry["Location"] == first["Location"]
    assert retry["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first
    with tenant_scope(world.tenant_a):
        assert AbsenceCase.objects.filter(employee=employee).count() == 1


def test_the_same_key_for_another_request_is_refused(world, api, employee):
    client = api()
    assert _ziekmelding(client, employee, "melding-2").status_code == 201
    other_day = TODAY - timezone.timedelta(days=1)
    response = _ziekmelding(client, employee, "melding-2", day=other_day)
    assert response.status_code == 422
    assert response.json()["type"] == "urn:hervat:problem:idempotency-key-reused"


def test_an_error_is_not_kept_so_a_corrected_retry_runs(world, api, employee):
    client = api()
    future = TODAY + timezone.timedelta(days=9)
    assert _ziekmelding(client, employee, "melding-3", day=future).status_code == 400
    with tenant_scope(world.tenant_a):
        assert not IdempotencyRecord.objects.filter(key="melding-3").exists()
    # The same request again runs again (and fails again): nothing was made.
    assert _ziekmelding(client, employee, "melding-3", day=future).status_code == 400


def test_keys_are_per_caller(world, api, employee, make_key):
    """Two systems that happen to pick the same key do not see each other's answers."""
    first = _ziekmelding(api(), employee, "shared")
    second = _ziekmelding(api(), employee, "shared")
    assert first.status_code == 201
    assert second.status_code == 409  # the case exists: a real second attempt


def test_an_overlong_key_is_a_400(api, employee):
    response = _ziekmelding(api(), employee, "x" * 300)
    assert response.status_code == 400
    assert response.json()["errors"][0]["pointer"] == "Idempotency-Key"


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("with_key", [True, False])
def test_two_identical_posts_at_once_make_one_case(world, make_key, with_key):
    """Two threads, two database connections, one barrier: both requests are
    in flight together. With a key the second gets the first answer or
    'still running' (409); without one the open-case check and the unique
    index refuse the second (409). Either way: one case."""
    with tenant_scope(world.tenant_a):
        employee = EmployeeFactory(employer=world.employer_a1)
    secret = make_key()
    barrier = threading.Barrier(2)
    results: list[int] = []

    def post() -> None:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
        barrier.wait()
        try:
            response = _ziekmelding(client, employee, "race" if with_key else None)
            results.append(response.status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=post) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(results)[0] == 201
    assert len(results) == 2
    assert results.count(201) == 1 or (with_key and results == [201, 201])
    with tenant_scope(world.tenant_a):
        assert AbsenceCase.objects.filter(employee=employee).count() == 1


def test_old_answers_are_purged_by_the_hourly_job(world, api, employee):
    import time_machine
    from django.conf import settings

    from integrations.services import IDEMPOTENCY_TTL
    from integrations.tasks import idempotency_records_purge_task

    _ziekmelding(api(), employee, "old")
    assert idempotency_records_purge_task() == 0
    later = timezone.now() + IDEMPOTENCY_TTL + timezone.timedelta(minutes=1)
    with time_machine.travel(later):
        assert idempotency_records_purge_task() == 1
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "integrations.tasks.idempotency_records_purge_task" in tasks


def test_an_oversized_body_is_a_problem_not_a_crash(api, employee, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = api().post(
        "/api/v1/ziekmeldingen/",
        {
            "employee": employee.pk,
            "first_sick_day": "2026-11-20",
            "agreements": "x" * 2000,
        },
        format="json",
        HTTP_IDEMPOTENCY_KEY="big",
    )
    assert response.status_code == 413
    assert response["Content-Type"] == "application/problem+json"
