"""Webhooks in the tenant admin: endpoints with a secret shown once, the
delivery log with replay, the disabled notice, and tenant isolation."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import AuditEvent, Role
from accounts.scoping import tenant_scope
from accounts.tests.factories import MembershipFactory, UserFactory
from integrations.webhooks.models import (
    DeliveryStatus,
    EventType,
    WebhookDelivery,
    WebhookEndpoint,
)
from integrations.webhooks.services import endpoint_create, event_record
from integrations.webhooks.tests.conftest import START, first_attempt
from tests.fixtures import verified_login

ENDPOINTS = "/beheer/webhooks/webhookendpoint/"
DELIVERIES = "/beheer/webhooks/webhookdelivery/"


@pytest.fixture
def admin_client(world, login):
    client = login(world.user(Role.TENANT_ADMIN))
    client.get("/t/tenant-a/beheer/")
    return client


@pytest.fixture
def admin_b(world, client):
    user = UserFactory(email="beheer@tenant-b.test")
    with tenant_scope(world.tenant_b):
        MembershipFactory(tenant=world.tenant_b, user=user, role=Role.TENANT_ADMIN)
    verified_login(client, user)
    client.get("/t/tenant-b/beheer/")
    return client


def _events(world, endpoint, count, start=0):
    """``count`` case.created events for ``endpoint``, with their deliveries."""
    with tenant_scope(world.tenant_a):
        for n in range(start, start + count):
            event_record(
                tenant=world.tenant_a,
                event_type=EventType.CASE_CREATED,
                key=f"case.created:test-{n}",
                data=lambda n=n: {"case_id": n},
                endpoints=[endpoint],
            )


def test_a_new_endpoint_shows_its_secret_once(world, admin_client, receiver):
    page = admin_client.get(f"{ENDPOINTS}add/")
    assert page.status_code == 200
    response = admin_client.post(
        f"{ENDPOINTS}add/",
        {
            "name": "AFAS",
            "url": receiver.url,
            "events": ["case.created", "case.recovered"],
            "is_active": "on",
        },
    )
    assert response.status_code == 200, response.text[:2000]
    assert "no-store" in response["Cache-Control"]
    with tenant_scope(world.tenant_a):
        endpoint = WebhookEndpoint.objects.get()
    assert endpoint.tenant == world.tenant_a
    assert endpoint.events == ["case.created", "case.recovered"]
    assert endpoint.secret.startswith("whsec_")
    assert endpoint.secret in response.text
    assert "niet nog eens getoond" in response.text
    change = admin_client.get(f"{ENDPOINTS}{endpoint.pk}/change/")
    assert change.status_code == 200
    assert endpoint.secret not in change.text
    assert endpoint.secret not in admin_client.get(ENDPOINTS).text
    with tenant_scope(world.tenant_a):
        assert AuditEvent.objects.filter(action="webhook_endpoint_create").exists()


@pytest.mark.parametrize(
    ("url", "events", "message"),
    [
        ("ftp://hr.example.com/x", ["case.created"], "http- of https-adres"),
        ("http://10.0.0.8/x", ["case.created"], "privé- of lokaal netwerk"),
        ("https://hr.example.com/x", [], "minstens één gebeurtenis"),
        ("https://hr.example.com/x", ["ping"], "geen beschikbare keuze"),
        ("geen adres", ["case.created"], "geldige URL"),
    ],
)
def test_bad_input_is_a_form_error_and_saves_nothing(
    world, admin_client, settings, url, events, message
):
    settings.WEBHOOKS_ALLOW_PRIVATE_NETWORKS = False
    response = admin_client.post(
        f"{ENDPOINTS}add/",
        {"name": "HR", "url": url, "events": events, "is_active": "on"},
    )
    assert response.status_code == 200
    assert message in response.text
    with tenant_scope(world.tenant_a):
        assert not WebhookEndpoint.objects.exists()


def test_editing_events_and_rotating_the_secret(world, admin_client, endpoint):
    old = endpoint.plain_secret
    response = admin_client.post(
        f"{ENDPOINTS}{endpoint.pk}/change/",
        {
            "name": "HR-systeem",
            "url": endpoint.url,
            "events": ["task.overdue"],
            "is_active": "on",
        },
    )
    assert response.status_code == 302, response.text[:2000]
    rotated = admin_client.post(f"{ENDPOINTS}{endpoint.pk}/rotate/")
    assert rotated.status_code == 200
    with tenant_scope(world.tenant_a):
        endpoint.refresh_from_db()
    assert endpoint.events == ["task.overdue"]
    assert endpoint.secret != old
    assert endpoint.previous_secret == old
    assert endpoint.secret in rotated.text
    assert old not in rotated.text
    assert admin_client.get(f"{ENDPOINTS}{endpoint.pk}/rotate/").status_code == 405


def test_ping_sends_a_test_event_to_the_endpoint(
    world, admin_client, endpoint, receiver
):
    response = admin_client.post(f"{ENDPOINTS}{endpoint.pk}/ping/")
    with tenant_scope(world.tenant_a):
        delivery = WebhookDelivery.objects.get()
        assert response.url == f"{DELIVERIES}{delivery.pk}/change/"
        assert delivery.event.type == "ping"
        assert first_attempt(delivery) == "delivered"
    assert receiver.requests[0].headers["Hervat-Event-Type"] == "ping"
    page = admin_client.get(response.url)
    assert page.status_code == 200
    assert "HTTP 200" in page.text
    assert "&quot;type&quot;: &quot;ping&quot;" in page.text


def test_the_delivery_log_filters_and_keeps_its_query_count(
    world, admin_client, endpoint, receiver
):
    _events(world, endpoint, 2)
    with CaptureQueriesContext(connection) as few:
        page = admin_client.get(DELIVERIES)
    assert page.status_code == 200
    assert len(page.context["cl"].result_list) == 2
    _events(world, endpoint, 20, start=2)
    with CaptureQueriesContext(connection) as many:
        page = admin_client.get(DELIVERIES)
    assert len(page.context["cl"].result_list) == 22
    assert len(many.captured_queries) == len(few.captured_queries)

    with tenant_scope(world.tenant_a):
        delivery = WebhookDelivery.objects.order_by("pk").first()
        assert first_attempt(delivery) == "delivered"
    delivered = admin_client.get(f"{DELIVERIES}?status__exact=delivered")
    assert [d.pk for d in delivered.context["cl"].result_list] == [delivery.pk]
    typed = admin_client.get(f"{DELIVERIES}?event__type__exact=task.overdue")
    assert list(typed.context["cl"].result_list) == []
    found = admin_client.get(f"{DELIVERIES}?q={delivery.event.event_id}")
    assert [d.pk for d in found.context["cl"].result_list] == [delivery.pk]
    per_endpoint = admin_client.get(f"{DELIVERIES}?endpoint__id__exact={endpoint.pk}")
    assert len(per_endpoint.context["cl"].result_list) == 22


def test_the_endpoint_list_keeps_its_query_count(world, admin_client, receiver):
    def add(n):
        with tenant_scope(world.tenant_a):
            endpoint_create(
                actor=world.user(Role.TENANT_ADMIN),
                tenant=world.tenant_a,
                name=f"HR {n}",
                url=receiver.url,
                events=["case.created"],
            )

    add(0)
    with CaptureQueriesContext(connection) as few:
        assert admin_client.get(ENDPOINTS).status_code == 200
    for n in range(1, 12):
        add(n)
    with CaptureQueriesContext(connection) as many:
        page = admin_client.get(ENDPOINTS)
    assert len(page.context["cl"].result_list) == 12
    assert len(many.captured_queries) == len(few.captured_queries)


def test_replay_from_the_delivery_page_and_in_bulk(
    world, admin_client, endpoint, receiver
):
    _events(world, endpoint, 3)
    with tenant_scope(world.tenant_a):
        deliveries = list(WebhookDelivery.objects.order_by("pk"))
        for delivery in deliveries:
            assert first_attempt(delivery) == "delivered"
    one = admin_client.post(f"{DELIVERIES}{deliveries[0].pk}/replay/")
    assert one.status_code == 302
    bulk = admin_client.post(
        DELIVERIES,
        {
            "action": "replay_selected",
            "_selected_action": [d.pk for d in deliveries[1:]],
        },
        follow=True,
    )
    assert "2 leveringen worden opnieuw verstuurd" in bulk.text
    with tenant_scope(world.tenant_a):
        statuses = set(WebhookDelivery.objects.values_list("status", flat=True))
        assert statuses == {DeliveryStatus.PENDING}
        for delivery in deliveries:
            assert first_attempt(delivery) == "skipped"  # the old token
            delivery.refresh_from_db()
            assert delivery.attempt_count == 1


def test_a_disabled_endpoint_shows_a_banner_and_can_be_reenabled(
    world, admin_client, endpoint
):
    with tenant_scope(world.tenant_a):
        endpoint.disabled_at = START
        endpoint.disabled_reason = "timeout: 10 s"
        endpoint.consecutive_failures = 12
        endpoint.save()
    listing = admin_client.get(ENDPOINTS)
    assert "is op" in listing.text and "uitgeschakeld" in listing.text
    assert "geen antwoord binnen de tijd" in listing.text
    change = admin_client.get(f"{ENDPOINTS}{endpoint.pk}/change/")
    assert "webhook-disabled-notice" in change.text
    assert "Opnieuw inschakelen" in change.text
    ping = admin_client.post(f"{ENDPOINTS}{endpoint.pk}/ping/", follow=True)
    assert "schakel het eerst weer in" in ping.text
    response = admin_client.post(f"{ENDPOINTS}{endpoint.pk}/reenable/", follow=True)
    assert "weer ingeschakeld" in response.text
    with tenant_scope(world.tenant_a):
        endpoint.refresh_from_db()
    assert endpoint.disabled_at is None
    assert (
        "webhook-disabled-notice"
        not in admin_client.get(f"{ENDPOINTS}{endpoint.pk}/change/").text
    )


def test_the_admin_of_tenant_b_sees_nothing_of_tenant_a(world, admin_b, endpoint):
    _events(world, endpoint, 1)
    with tenant_scope(world.tenant_a):
        delivery = WebhookDelivery.objects.get()
    assert admin_b.get(ENDPOINTS).context["cl"].result_count == 0
    assert admin_b.get(DELIVERIES).context["cl"].result_count == 0
    for url in (
        f"{ENDPOINTS}{endpoint.pk}/change/",
        f"{DELIVERIES}{delivery.pk}/change/",
    ):
        assert admin_b.get(url).status_code == 404, url
    for url in (
        f"{ENDPOINTS}{endpoint.pk}/rotate/",
        f"{ENDPOINTS}{endpoint.pk}/ping/",
        f"{ENDPOINTS}{endpoint.pk}/reenable/",
        f"{ENDPOINTS}{endpoint.pk}/delete/",
        f"{DELIVERIES}{delivery.pk}/replay/",
    ):
        assert admin_b.post(url).status_code == 404, url
    with tenant_scope(world.tenant_a):
        endpoint.refresh_from_db()
        assert WebhookDelivery.objects.count() == 1
    assert endpoint.secret == endpoint.plain_secret


@pytest.mark.parametrize("role", [Role.CASEMANAGER, Role.BEDRIJFSARTS, Role.HR])
def test_other_roles_have_no_webhook_admin(world, login, endpoint, role):
    client = login(world.user(role))
    client.get("/t/tenant-a/beheer/")
    assert client.get(ENDPOINTS).status_code in (302, 404)


def test_deleting_an_endpoint_counts_its_log_and_removes_it(
    world, admin_client, endpoint
):
    _events(world, endpoint, 3)
    url = f"{ENDPOINTS}{endpoint.pk}/delete/"
    confirm = admin_client.get(url)
    assert confirm.status_code == 200
    assert "webhook-leveringen: 3" in confirm.text.lower()
    assert admin_client.post(url, {"post": "yes"}).status_code == 302
    with tenant_scope(world.tenant_a):
        assert not WebhookEndpoint.objects.exists()
        assert not WebhookDelivery.objects.exists()
        assert AuditEvent.objects.filter(action="webhook_endpoint_delete").exists()
