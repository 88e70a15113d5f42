"""Deliveries against a real HTTP receiver on 127.0.0.1: delivered, retried
with back-off, given up, endpoints disabled, replayed; and what is refused."""

import datetime as dt
import json
import socket

import pytest
import time_machine
from django.core import mail
from django.db import transaction

from accounts.models import AuditEvent, Role
from accounts.scoping import tenant_scope
from cases.models import AbsenceCase
from cases.signals import case_reported
from core.exceptions import ApplicationError
from integrations.webhooks.models import (
    DeliveryStatus,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEvent,
)
from integrations.webhooks.services import (
    ENQUEUE_LEASE,
    deliveries_replay,
    endpoint_create,
    endpoint_reenable,
    event_record,
    events_prune,
)
from integrations.webhooks.tasks import deliveries_sweep_task, task_overdue_events_task
from integrations.webhooks.tests.conftest import START, attempt, first_attempt

MINUTE = dt.timedelta(minutes=1)


def _wait(delivery):
    delivery.refresh_from_db()
    return delivery.next_attempt_at - delivery.last_attempt_at


def _between(wait, step):
    return step <= wait <= step * 1.2


def test_an_event_is_delivered_on_the_first_attempt(
    scope_a, endpoint, receiver, ziekmelding
):
    case = ziekmelding()
    delivery = WebhookDelivery.objects.get()
    assert first_attempt(delivery) == "delivered"
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DELIVERED
    assert delivery.attempt_count == 1
    assert delivery.last_status_code == 200
    assert delivery.response_excerpt == '{"ok": true}'
    assert delivery.next_attempt_at is None
    (request,) = receiver.requests
    assert request.path == "/hervat/hooks"
    assert request.headers["Content-Type"] == "application/json; charset=utf-8"
    payload = json.loads(request.body)
    assert payload["type"] == "case.created"
    assert payload["data"]["case_id"] == case.pk
    assert request.headers["Hervat-Event-Id"] == payload["id"]
    assert request.headers["Hervat-Event-Type"] == "case.created"
    (logged,) = WebhookAttempt.objects.all()
    assert (logged.number, logged.status_code, logged.manual) == (1, 200, False)


def test_failures_are_retried_with_back_off_until_delivered(
    scope_a, endpoint, receiver, ziekmelding, run_due
):
    receiver.fail_next = 3
    with time_machine.travel(START, tick=False) as clock:
        ziekmelding()
        delivery = WebhookDelivery.objects.get()
        assert first_attempt(delivery) == "failed"
        for step, outcome in [
            (MINUTE, "failed"),
            (5 * MINUTE, "failed"),
            (30 * MINUTE, "delivered"),
        ]:
            wait = _wait(delivery)
            assert _between(wait, step), wait
            clock.move_to(delivery.next_attempt_at - dt.timedelta(seconds=1))
            assert run_due(scope_a.tenant_a) == []
            clock.move_to(delivery.next_attempt_at)
            assert run_due(scope_a.tenant_a) == [outcome]
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DELIVERED
    assert delivery.attempt_count == 4
    codes = list(delivery.attempts.order_by("number").values_list("status_code"))
    assert codes == [(500,), (500,), (500,), (200,)]
    bodies = {request.body for request in receiver.requests}
    ids = {request.headers["Hervat-Event-Id"] for request in receiver.requests}
    assert len(receiver.requests) == 4
    assert len(bodies) == len(ids) == 1
    endpoint.refresh_from_db()
    assert endpoint.consecutive_failures == 0
    assert endpoint.failing_since is None


def test_a_delivery_is_given_up_after_seven_attempts(
    scope_a, endpoint, receiver, ziekmelding, run_due
):
    receiver.fail_next = 100
    steps = [MINUTE, 5 * MINUTE, 30 * MINUTE, 120 * MINUTE, 480 * MINUTE]
    steps.append(1440 * MINUTE)
    with time_machine.travel(START, tick=False) as clock:
        ziekmelding()
        delivery = WebhookDelivery.objects.get()
        assert first_attempt(delivery) == "failed"
        outcomes = []
        for step in steps:
            assert _between(_wait(delivery), step)
            clock.move_to(delivery.next_attempt_at)
            outcomes += run_due(scope_a.tenant_a)
        assert outcomes == ["failed"] * 5 + ["gave_up"]
        delivery.refresh_from_db()
        assert delivery.status == DeliveryStatus.GAVE_UP
        assert delivery.next_attempt_at is None
        clock.shift(dt.timedelta(days=7))
        assert run_due(scope_a.tenant_a) == []
    assert len(receiver.requests) == 7
    assert delivery.last_status_code == 500
    assert delivery.response_excerpt == "Internal error: database unavailable"


def _drain(clock, tenant, run_due):
    """Follow every open delivery's schedule until none is left."""
    outcomes = []
    while True:
        due = (
            WebhookDelivery.objects.filter(status__in=["pending", "failed"])
            .order_by("next_attempt_at")
            .values_list("next_attempt_at", flat=True)
            .first()
        )
        if due is None:
            return outcomes
        clock.move_to(due)
        outcomes += run_due(tenant)


def test_an_endpoint_failing_for_three_days_is_disabled_with_a_notice(
    scope_a,
    endpoint,
    receiver,
    ziekmelding,
    run_due,
    django_capture_on_commit_callbacks,
):
    receiver.status = 500
    with time_machine.travel(START, tick=False) as clock:
        for _ in range(2):
            ziekmelding()
        for delivery in WebhookDelivery.objects.all():
            first_attempt(delivery)
        assert _drain(clock, scope_a.tenant_a, run_due).count("gave_up") == 2
        endpoint.refresh_from_db()
        # 14 failures in ~35 hours: not yet three days
        assert endpoint.consecutive_failures == 14
        assert endpoint.disabled_at is None

        clock.move_to(START + dt.timedelta(days=3, minutes=1))
        case = ziekmelding()
        delivery = WebhookDelivery.objects.get(event__payload__data__case_id=case.pk)
        with django_capture_on_commit_callbacks(execute=True):
            assert first_attempt(delivery) == "failed"
        endpoint.refresh_from_db()
        assert endpoint.disabled_at is not None
        assert endpoint.disabled_reason == "HTTP 500"
        (notice,) = mail.outbox
        assert notice.to == [scope_a.user(Role.TENANT_ADMIN).email]
        assert "HR-systeem" in notice.subject
        assert "uitgeschakeld" in notice.subject
        assert "/t/tenant-a/beheer/" in notice.body
        assert AuditEvent.objects.filter(action="webhook_endpoint_disable").exists()

        # While disabled: new events wait, nothing is sent.
        sent = len(receiver.requests)
        later = ziekmelding()
        waiting = WebhookDelivery.objects.get(event__payload__data__case_id=later.pk)
        assert first_attempt(waiting) == "skipped"
        clock.shift(dt.timedelta(days=1))
        assert run_due(scope_a.tenant_a) == []
        assert len(receiver.requests) == sent

        # An admin re-enables it once the receiver works again.
        receiver.status = 200
        endpoint_reenable(actor=scope_a.user(Role.TENANT_ADMIN), endpoint=endpoint)
        assert sorted(run_due(scope_a.tenant_a)) == ["delivered", "delivered"]
    endpoint.refresh_from_db()
    assert endpoint.disabled_at is None
    assert endpoint.consecutive_failures == 0


def test_replay_sends_the_same_event_with_a_fresh_signature(
    scope_a, endpoint, receiver, ziekmelding, django_capture_on_commit_callbacks
):
    with time_machine.travel(START, tick=False) as clock:
        ziekmelding()
        delivery = WebhookDelivery.objects.get()
        assert first_attempt(delivery) == "delivered"
        clock.shift(dt.timedelta(minutes=10))
        with django_capture_on_commit_callbacks() as queued:
            deliveries_replay(
                actor=scope_a.user(Role.TENANT_ADMIN), deliveries=[delivery]
            )
        assert len(queued) == 1
        delivery.refresh_from_db()
        assert delivery.status == DeliveryStatus.PENDING
        assert first_attempt(delivery) == "skipped"  # the old token is spent
        assert attempt(scope_a.tenant_a, delivery.pk, 1) == "delivered"
    first, replayed = receiver.requests
    assert first.body == replayed.body
    assert first.headers["Hervat-Event-Id"] == replayed.headers["Hervat-Event-Id"]
    assert first.headers["Hervat-Signature"] != replayed.headers["Hervat-Signature"]
    stamp = int(replayed.headers["Hervat-Signature"].split(",")[0][2:])
    assert stamp == int((START + dt.timedelta(minutes=10)).timestamp())
    assert list(delivery.attempts.values_list("number", "manual")) == [
        (1, False),
        (2, True),
    ]
    assert AuditEvent.objects.filter(action="webhook_delivery_replay").count() == 1


def test_a_replay_to_a_disabled_endpoint_is_refused(scope_a, endpoint, ziekmelding):
    ziekmelding()
    delivery = WebhookDelivery.objects.get()
    endpoint.disabled_at = START
    endpoint.save()
    with pytest.raises(ApplicationError, match="uitgeschakeld"):
        deliveries_replay(actor=scope_a.user(Role.TENANT_ADMIN), deliveries=[delivery])


def test_a_rolled_back_ziekmelding_records_and_sends_nothing(
    scope_a, endpoint, receiver, ziekmelding, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks() as queued,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        ziekmelding()
        assert WebhookEvent.objects.count() == 1
        raise RuntimeError("the request failed after the ziekmelding")
    assert queued == []
    assert not WebhookEvent.objects.exists()
    assert not WebhookDelivery.objects.exists()
    assert receiver.requests == []


def test_a_signal_sent_twice_makes_one_delivery(
    scope_a, endpoint, receiver, ziekmelding, run_due
):
    case = ziekmelding()
    case_reported.send(sender=AbsenceCase, case=case)
    delivery = WebhookDelivery.objects.get()
    assert WebhookEvent.objects.count() == 1
    assert first_attempt(delivery) == "delivered"
    assert first_attempt(delivery) == "skipped"  # a duplicate queue message
    assert len(receiver.requests) == 1


def test_a_lost_queue_message_is_sent_by_the_sweep(
    scope_a, endpoint, receiver, ziekmelding, run_due
):
    with time_machine.travel(START, tick=False) as clock:
        ziekmelding()  # its after-commit message never reaches a worker
        clock.shift(dt.timedelta(minutes=4))
        assert run_due(scope_a.tenant_a) == []
        clock.shift(dt.timedelta(minutes=1))
        assert run_due(scope_a.tenant_a) == ["delivered"]
    assert len(receiver.requests) == 1


def test_redirects_are_not_followed(scope_a, endpoint, receiver, ziekmelding):
    receiver.status = 302
    receiver.location = f"http://127.0.0.1:{receiver.port}/elsewhere"
    ziekmelding()
    delivery = WebhookDelivery.objects.get()
    assert first_attempt(delivery) == "failed"
    delivery.refresh_from_db()
    assert delivery.last_status_code == 302
    assert [request.path for request in receiver.requests] == ["/hervat/hooks"]


def test_nothing_is_sent_while_webhooks_are_off(
    scope_a, endpoint, receiver, ziekmelding, run_due, settings
):
    settings.WEBHOOKS_ENABLED = False
    with time_machine.travel(START, tick=False) as clock:
        ziekmelding()
        delivery = WebhookDelivery.objects.get()
        assert delivery.status == DeliveryStatus.PENDING
        assert first_attempt(delivery) == "skipped"
        clock.shift(dt.timedelta(hours=1))
        assert run_due(scope_a.tenant_a) == []
        assert receiver.requests == []
        settings.WEBHOOKS_ENABLED = True
        assert run_due(scope_a.tenant_a) == ["delivered"]
    assert len(receiver.requests) == 1


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000/hooks",
        "http://10.1.2.3/hooks",
        "http://192.168.1.10/hooks",
        "http://169.254.169.254/latest/meta-data",
        "http://[::1]/hooks",
        "http://localhost:8000/hooks",
        "http://printer.local/hooks",
    ],
)
def test_private_addresses_are_refused_unless_allowed(scope_a, settings, url):
    settings.WEBHOOKS_ALLOW_PRIVATE_NETWORKS = False
    with pytest.raises(ApplicationError, match="privé- of lokaal netwerk") as caught:
        endpoint_create(
            actor=scope_a.user(Role.TENANT_ADMIN),
            tenant=scope_a.tenant_a,
            name="intern",
            url=url,
            events=["case.created"],
        )
    assert caught.value.field == "url"


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://hr.example.com/hooks", "https"),
        ("ftp://hr.example.com/hooks", "https"),
        ("https://user:pw@hr.example.com/hooks", "gebruikersnaam"),
        ("https:///hooks", "servernaam"),
    ],
)
def test_production_requires_https_and_no_credentials(scope_a, settings, url, message):
    settings.WEBHOOKS_REQUIRE_HTTPS = True
    settings.WEBHOOKS_ALLOW_PRIVATE_NETWORKS = False
    with pytest.raises(ApplicationError, match=message):
        endpoint_create(
            actor=scope_a.user(Role.TENANT_ADMIN),
            tenant=scope_a.tenant_a,
            name="HR",
            url=url,
            events=["case.created"],
        )


def test_a_host_name_resolving_to_a_private_address_is_refused_when_sending(
    scope_a, receiver, ziekmelding, settings, monkeypatch
):
    """DNS rebinding: the name passes when the endpoint is saved and resolves
    to loopback only when a message is sent; the connection is refused
    before anything is sent."""
    settings.WEBHOOKS_ALLOW_PRIVATE_NETWORKS = False
    real = socket.getaddrinfo

    def resolve(host, *args, **kwargs):
        return real(
            "127.0.0.1" if host == "hooks.example.com" else host, *args, **kwargs
        )

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    endpoint_create(
        actor=scope_a.user(Role.TENANT_ADMIN),
        tenant=scope_a.tenant_a,
        name="HR",
        url=f"http://hooks.example.com:{receiver.port}/hervat/hooks",
        events=["case.created"],
    )
    ziekmelding()
    delivery = WebhookDelivery.objects.get()
    assert first_attempt(delivery) == "failed"
    delivery.refresh_from_db()
    assert delivery.last_error == "address_refused: 127.0.0.1"
    assert delivery.last_status_code is None
    assert receiver.requests == []
    # the same name is reached once private networks are allowed
    settings.WEBHOOKS_ALLOW_PRIVATE_NETWORKS = True
    assert attempt(scope_a.tenant_a, delivery.pk, 1) == "delivered"
    assert len(receiver.requests) == 1


def test_an_unreachable_endpoint_is_a_failed_attempt_not_an_error(
    scope_a, receiver, ziekmelding
):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    endpoint_create(
        actor=scope_a.user(Role.TENANT_ADMIN),
        tenant=scope_a.tenant_a,
        name="HR",
        url=f"http://127.0.0.1:{closed_port}/hooks",
        events=["case.created"],
    )
    ziekmelding()
    delivery = WebhookDelivery.objects.get()
    assert first_attempt(delivery) == "failed"
    delivery.refresh_from_db()
    assert delivery.last_error.startswith("connection: ConnectionRefusedError")
    assert delivery.status == DeliveryStatus.FAILED


def test_the_log_keeps_90_days_of_finished_events(scope_a, endpoint, ziekmelding):
    with time_machine.travel(START, tick=False) as clock:
        ziekmelding()
        ziekmelding()
        done, waiting = WebhookDelivery.objects.order_by("pk")
        assert first_attempt(done) == "delivered"
        clock.shift(dt.timedelta(days=89))
        assert events_prune(tenant=scope_a.tenant_a) == 0
        clock.shift(dt.timedelta(days=2))
        assert events_prune(tenant=scope_a.tenant_a) == 1
    assert list(WebhookDelivery.objects.all()) == [waiting]
    assert not WebhookAttempt.objects.exists()


def test_the_beat_sweep_queues_due_deliveries_of_every_tenant(
    world, receiver, django_capture_on_commit_callbacks
):
    with time_machine.travel(START, tick=False) as clock:
        for tenant, admin in (
            (world.tenant_a, world.user(Role.TENANT_ADMIN)),
            (world.tenant_b, world.casemanager_b),
        ):
            with tenant_scope(tenant):
                endpoint_create(
                    actor=admin,
                    tenant=tenant,
                    name=f"HR {tenant.slug}",
                    url=receiver.url,
                    events=["case.created"],
                )
                event_record(
                    tenant=tenant,
                    event_type="case.created",
                    key=f"case.created:sweep-{tenant.slug}",
                    data=lambda: {"case_id": 1},
                )
        clock.shift(ENQUEUE_LEASE)
        with django_capture_on_commit_callbacks() as queued:
            assert deliveries_sweep_task() == 2
        assert len(queued) == 2  # one per tenant, after its own commit
        with django_capture_on_commit_callbacks() as queued:
            assert deliveries_sweep_task() == 0  # queued ones are leased
        assert task_overdue_events_task() == 0
