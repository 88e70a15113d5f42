"""Signatures, checked with the recipe exactly as docs/integrations/webhooks.md
documents it (its python block is executed here)."""

import datetime as dt

import time_machine
from django.db import connection

from accounts.models import Role
from integrations.webhooks.models import WebhookDelivery
from integrations.webhooks.services import deliveries_replay, endpoint_secret_rotate
from integrations.webhooks.tests.conftest import (
    START,
    attempt,
    doc_recipe,
    first_attempt,
)


def _delivered(scope_a, ziekmelding, receiver):
    ziekmelding()
    assert first_attempt(WebhookDelivery.objects.get()) == "delivered"
    return receiver.requests[-1]


def test_the_documented_recipe_verifies_a_real_delivery(
    scope_a, endpoint, receiver, ziekmelding
):
    verify = doc_recipe()
    request = _delivered(scope_a, ziekmelding, receiver)
    header = request.headers["Hervat-Signature"]
    assert verify(endpoint.plain_secret, header, request.body)


def test_the_recipe_rejects_a_changed_body_a_wrong_secret_and_a_bad_header(
    scope_a, endpoint, receiver, ziekmelding
):
    verify = doc_recipe()
    request = _delivered(scope_a, ziekmelding, receiver)
    header = request.headers["Hervat-Signature"]
    changed = request.body.replace(b'"case.created"', b'"case.recovered"')
    assert changed != request.body
    assert not verify(endpoint.plain_secret, header, changed)
    assert not verify(endpoint.plain_secret + "x", header, request.body)
    assert not verify(endpoint.plain_secret, "v1=" + "0" * 64, request.body)
    assert not verify(endpoint.plain_secret, "", request.body)


def test_the_recipe_rejects_an_old_timestamp(scope_a, endpoint, receiver, ziekmelding):
    verify = doc_recipe()
    with time_machine.travel(START, tick=False):
        request = _delivered(scope_a, ziekmelding, receiver)
    header = request.headers["Hervat-Signature"]
    sent = START.timestamp()
    assert header.startswith(f"t={int(sent)},v1=")
    assert verify(endpoint.plain_secret, header, request.body, now=sent + 299)
    assert not verify(endpoint.plain_secret, header, request.body, now=sent + 301)
    # without ``now`` the recipe reads the clock: a day later it is refused
    with time_machine.travel(START + dt.timedelta(days=1), tick=False):
        assert not verify(endpoint.plain_secret, header, request.body)


def test_after_rotation_both_secrets_sign_for_a_day(
    scope_a, endpoint, receiver, ziekmelding, run_due
):
    verify = doc_recipe()
    old = endpoint.plain_secret
    with time_machine.travel(START, tick=False) as clock:
        new = endpoint_secret_rotate(
            actor=scope_a.user(Role.TENANT_ADMIN), endpoint=endpoint
        )
        assert new != old and new.startswith("whsec_")
        request = _delivered(scope_a, ziekmelding, receiver)
        header = request.headers["Hervat-Signature"]
        now = START.timestamp()
        assert header.count("v1=") == 2
        assert verify(new, header, request.body, now=now)
        assert verify(old, header, request.body, now=now)

        clock.shift(dt.timedelta(hours=25))
        delivery = WebhookDelivery.objects.get()
        deliveries_replay(actor=scope_a.user(Role.TENANT_ADMIN), deliveries=[delivery])
        assert attempt(scope_a.tenant_a, delivery.pk, 1) == "delivered"
        later = receiver.requests[-1]
        header = later.headers["Hervat-Signature"]
        now = (START + dt.timedelta(hours=25)).timestamp()
        assert header.count("v1=") == 1
        assert verify(new, header, later.body, now=now)
        assert not verify(old, header, later.body, now=now)


def test_the_secret_is_encrypted_at_rest(scope_a, endpoint):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT secret FROM webhooks_webhookendpoint WHERE id = %s", [endpoint.pk]
        )
        (stored,) = cursor.fetchone()
    assert endpoint.plain_secret not in stored


def test_the_body_keeps_the_documented_key_order_on_every_attempt(
    scope_a, endpoint, receiver, ziekmelding
):
    request = _delivered(scope_a, ziekmelding, receiver)
    body = request.body.decode()
    assert body.startswith('{"id":"')
    keys = ['"id":', '"type":', '"created_at":', '"tenant":', '"data":']
    assert [body.index(key) for key in keys] == sorted(body.index(k) for k in keys)
    deliveries_replay(
        actor=scope_a.user(Role.TENANT_ADMIN),
        deliveries=[WebhookDelivery.objects.get()],
    )
    assert attempt(scope_a.tenant_a, WebhookDelivery.objects.get().pk, 1) == "delivered"
    assert receiver.requests[-1].body == request.body
