"""A real Celery worker on the ``integrations`` queue, over the real Redis
broker, delivers a committed ziekmelding to the receiver."""

import datetime as dt
import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.utils import timezone

from accounts.models import Role
from accounts.scoping import tenant_scope
from cases.services import ziekmelding_create
from cases.tests.factories import EmployeeFactory
from config.celery import app
from integrations.webhooks.models import DeliveryStatus, WebhookDelivery
from integrations.webhooks.services import endpoint_create
from integrations.webhooks.tests.conftest import doc_recipe


def _until(check, seconds=20):
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "the worker did not deliver"
        time.sleep(0.1)


@pytest.fixture
def integrations_worker():
    """A worker consuming the ``integrations`` queue. Celery's queue selection
    is stored on the app, so it is put back afterwards for later workers."""
    queues = app.amqp.queues
    selected = queues._consume_from
    try:
        with start_worker(
            app, perform_ping_check=False, shutdown_timeout=10, queues=["integrations"]
        ) as worker:
            yield worker
    finally:
        queues._consume_from = selected


@pytest.mark.django_db(transaction=True)
def test_a_worker_delivers_the_event_after_the_ziekmelding_commits(
    world, receiver, integrations_worker
):
    with tenant_scope(world.tenant_a):
        _endpoint, secret = endpoint_create(
            actor=world.user(Role.TENANT_ADMIN),
            tenant=world.tenant_a,
            name="HR",
            url=receiver.url,
            events=["case.created"],
        )
        employee = EmployeeFactory(employer=world.employer_a1)
    with tenant_scope(world.tenant_a):
        case = ziekmelding_create(
            actor=world.user(Role.LEIDINGGEVENDE),
            employee=employee,
            first_sick_day=timezone.localdate() - dt.timedelta(days=1),
        )
    _until(lambda: len(receiver.requests) == 1)

    def delivered():
        with tenant_scope(world.tenant_a):
            return WebhookDelivery.objects.filter(
                status=DeliveryStatus.DELIVERED
            ).exists()

    _until(delivered)
    (request,) = receiver.requests
    assert doc_recipe()(secret, request.headers["Hervat-Signature"], request.body)
    assert f'"case_id":{case.pk}' in request.body.decode()
