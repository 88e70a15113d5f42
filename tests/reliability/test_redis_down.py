"""Redis down: a ziekmelding is still saved and answered, and its follow-up
work (deadlines, tasks, the confirmation mails, the triage questionnaire, the
webhook) happens exactly once when Redis is back.

A real ``redis-server`` on a spare port is the broker and the cache; the test
kills it (SIGKILL), reports sickness through the portal and the API, starts
it again and lets a real worker run the beat sweeps.
"""

from __future__ import annotations

import datetime as dt
import time

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import Role
from accounts.scoping import tenant_scope
from cases.models import AbsenceCase, WorkabilityChange
from cases.tests.factories import EmployeeFactory
from core.enqueue import broker_breaker
from integrations.models import ApiKeyScope
from integrations.notifications.models import NotificationSent
from integrations.notifications.tasks import notifications_sweep_task
from integrations.services import api_key_create
from integrations.webhooks.models import DeliveryStatus, WebhookDelivery
from integrations.webhooks.services import endpoint_create
from integrations.webhooks.tasks import deliveries_sweep_task
from poortwachter.models import CaseTimeline, Deadline, Task
from poortwachter.tasks import timelines_refresh_stale_task
from tests.fixtures import verified_login
from tests.reliability.conftest import real_worker, wait_until
from triage.models import Invitation
from triage.tasks import invitations_sweep_task

SWEEPS = (
    timelines_refresh_stale_task,
    notifications_sweep_task,
    invitations_sweep_task,
    deliveries_sweep_task,
)


def _employee(world, surname: str, **kwargs):
    with tenant_scope(world.tenant_a):
        return EmployeeFactory(
            employer=world.employer_a1,
            manager=world.user(Role.LEIDINGGEVENDE),
            surname=surname,
            preferred_language="nl",
            **kwargs,
        )


def _api_client(world) -> APIClient:
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
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return client


@pytest.mark.django_db(transaction=True)
def test_ziekmelding_while_redis_is_down_is_saved_and_followed_up_once_it_is_back(
    world, broker_and_cache_on, receiver, client, mailoutbox, caplog
):
    redis_server = broker_and_cache_on
    with tenant_scope(world.tenant_a):
        endpoint_create(
            actor=world.user(Role.TENANT_ADMIN),
            tenant=world.tenant_a,
            name="HR",
            url=receiver.url,
            events=["case.created"],
        )
    portal_employee = _employee(world, "Portaal")
    api_employee = _employee(world, "Koppeling", personnel_number="HR-0815")
    api = _api_client(world)
    today = timezone.localdate()

    redis_server.stop()

    # The manager's ziekmelding through the portal.
    verified_login(client, world.user(Role.LEIDINGGEVENDE))
    started = time.monotonic()
    response = client.post(
        reverse("cases:ziekmelding", kwargs={"tenant_slug": "tenant-a"}),
        {
            "employee": portal_employee.pk,
            "first_sick_day": today.isoformat(),
            "expected_duration": "unknown",
            "accident_or_third_party": "False",
            "work_possible": "False",
        },
    )
    elapsed = time.monotonic() - started
    assert response.status_code == 302, response.content
    with tenant_scope(world.tenant_a):
        portal_case = AbsenceCase.objects.get(employee=portal_employee)
    assert response["Location"].endswith(f"/dossiers/{portal_case.pk}/")
    # The first refused publish stops the others (core.enqueue).
    assert elapsed < 3, f"the ziekmelding took {elapsed:.1f} s with Redis down"
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "is ziek gemeld" in page.content.decode()

    # An HR system's ziekmelding through the API: its rate limit counter
    # lives in the (unreachable) cache.
    response = api.post(
        "/api/v1/ziekmeldingen/",
        {
            "employer": world.employer_a1.pk,
            "personnel_number": "HR-0815",
            "first_sick_day": today.isoformat(),
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    api_case_id = response.json()["id"]
    assert api.get("/api/v1/cases/").status_code == 200

    cases = [portal_case.pk, api_case_id]
    with tenant_scope(world.tenant_a):
        for case_id in cases:
            assert WorkabilityChange.objects.filter(case_id=case_id).count() == 1
            assert CaseTimeline.objects.get(case_id=case_id).stale
            assert not Task.objects.filter(case_id=case_id).exists()
            assert WebhookDelivery.objects.get(event__payload__data__case_id=case_id)
    assert mailoutbox == []
    assert receiver.requests == []
    assert "could not enqueue" in caplog.text

    redis_server.start()
    # time_machine moves the wall clock, not the monotonic one: the publish
    # breaker of this process would have closed in those 6 minutes.
    broker_breaker.reset()
    # Beat's next runs: 6 minutes later, past every sweep's grace period.
    with (
        time_machine.travel(timezone.now() + dt.timedelta(minutes=6), tick=True),
        real_worker(),
    ):
        for sweep in SWEEPS:
            sweep.delay()

        def followed_up() -> bool:
            with tenant_scope(world.tenant_a):
                state = (
                    Task.objects.filter(case_id__in=cases)
                    .values("case")
                    .distinct()
                    .count(),
                    Invitation.objects.filter(case_id__in=cases).count(),
                    NotificationSent.objects.filter(
                        key__in=[f"ziekmelding:{pk}" for pk in cases]
                    ).count(),
                    WebhookDelivery.objects.filter(
                        status=DeliveryStatus.DELIVERED
                    ).count(),
                )
            return state == (2, 2, 3, 2)

        wait_until(followed_up, seconds=60, what="the sweeps")

        # Beat runs again: nothing is sent twice.
        assert notifications_sweep_task() == 0
        assert invitations_sweep_task() == 0
        assert timelines_refresh_stale_task() == 0

    with tenant_scope(world.tenant_a):
        for case_id in cases:
            assert not CaseTimeline.objects.get(case_id=case_id).stale
            assert Deadline.objects.filter(case_id=case_id).exists()
            assert Task.objects.filter(case_id=case_id, key="probleemanalyse").exists()
            # Sending the questionnaire closed the protocol task.
            assert not Task.objects.filter(
                case_id=case_id, key="triage_vragenlijst", status="open"
            ).exists()

    def mails_to(address: str) -> list[str]:
        return sorted(m.subject for m in mailoutbox if address in m.to)

    # (The sweeps also confirm the fixture's own fresh cases; only these
    # two ziekmeldingen are looked at.) Each employee: the confirmation and
    # the questionnaire; the manager who reported: one confirmation. The API
    # key's own account gets nothing.
    for employee in (portal_employee, api_employee):
        confirmation, questionnaire = mails_to(employee.email)
        assert confirmation == "Je ziekmelding is ontvangen"
        assert "vragenlijst" in questionnaire.lower()
    manager = world.user(Role.LEIDINGGEVENDE).email
    assert [s for s in mails_to(manager) if "Portaal" in s] == [
        f"Ziekmelding ontvangen: {portal_employee.display_name}"
    ]
    assert not [m for m in mailoutbox if m.to[0].endswith(".invalid")]
    assert len(receiver.requests) == 2
    event_ids = {r.headers["Hervat-Event-Id"] for r in receiver.requests}
    assert len(event_ids) == 2


@pytest.mark.django_db(transaction=True)
def test_a_hung_redis_costs_a_ziekmelding_seconds_not_minutes(
    world, broker_and_cache_on, client
):
    """A Redis that accepts connections but never answers (a hung server, a
    network partition) must not hold the request: publishing and the cache
    give up after their socket timeouts, once per process."""
    redis_server = broker_and_cache_on
    employee = _employee(world, "Hangmat")
    api = _api_client(world)
    # A running web process has pooled connections already.
    timelines_refresh_stale_task.delay()
    assert api.get("/api/v1/cases/").status_code == 200
    redis_server.pause()
    verified_login(client, world.user(Role.LEIDINGGEVENDE))
    started = time.monotonic()
    response = client.post(
        reverse("cases:ziekmelding", kwargs={"tenant_slug": "tenant-a"}),
        {
            "employee": employee.pk,
            "first_sick_day": timezone.localdate().isoformat(),
            "expected_duration": "unknown",
            "accident_or_third_party": "False",
            "work_possible": "False",
        },
    )
    ziekmelding_seconds = time.monotonic() - started
    assert response.status_code == 302
    with tenant_scope(world.tenant_a):
        assert AbsenceCase.objects.filter(employee=employee).exists()
    started = time.monotonic()
    assert api.get("/api/v1/cases/").status_code == 200
    assert api.get("/api/v1/cases/").status_code == 200
    api_seconds = time.monotonic() - started
    # Measured: about 3 s (one publish timeout; the breaker skips the other
    # three). Without socket timeouts the request never returned; without
    # the breaker and with kombu's publish retries it took 38 s.
    assert ziekmelding_seconds < 8, ziekmelding_seconds
    assert api_seconds < 5, api_seconds
