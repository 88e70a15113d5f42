"""A worker killed in the middle of its work: the work is retried and
completes once.

Real worker processes (``celery worker --pool prefork``, started by
``tests/reliability/slow_worker.py`` against this test's database and Redis)
are killed with SIGKILL while they render a PDF or deliver a webhook.

- PDF: ``acks_late`` plus ``reject_on_worker_lost`` put the message back when
  a pool child dies; when the whole worker dies the message stays
  unacknowledged in Redis and the next worker takes it after the visibility
  timeout. The render runs again from the start; the stored PDF is written
  once (one file, one sha256).
- Webhook: the attempt is claimed (committed) before the POST, so the
  redelivered message is skipped and the beat sweep sends the delivery again
  after ``ENQUEUE_LEASE``. The receiver may see the same event twice (same
  ``Hervat-Event-Id``): at-least-once, as documented for receivers; the
  delivery log shows one delivered delivery.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.utils import timezone

from accounts.models import Role
from accounts.scoping import tenant_scope
from cases.services import ziekmelding_create
from cases.tests.factories import EmployeeFactory
from config.celery import app
from documents.models import Document, DocumentKind
from documents.services import document_create
from documents.tasks import document_render_task
from integrations.webhooks.models import (
    DeliveryStatus,
    WebhookAttempt,
    WebhookDelivery,
)
from integrations.webhooks.services import (
    ENQUEUE_LEASE,
    deliveries_enqueue_due,
    endpoint_create,
)
from tests.reliability.conftest import wait_until


class Workers:
    """Worker processes of this test, each in its own process group."""

    def __init__(self, journal: Path, media_root: Path, log: Path) -> None:
        self.journal = journal
        self.media_root = media_root
        self.log = log
        self.processes: list[subprocess.Popen] = []

    def start(self, queue: str, *, visibility: int | None = None) -> subprocess.Popen:
        db = connection.settings_dict
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.test",
            "DATABASE_URL": (
                f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:"
                f"{db['PORT'] or 5432}/{db['NAME']}"
            ),
            "CELERY_BROKER_URL": app.conf.broker_url,
            "MEDIA_ROOT": str(self.media_root),
            "PYTHONPATH": str(django_settings.BASE_DIR),
        }
        args = [sys.executable, "-m", "tests.reliability.slow_worker", queue]
        args.append(str(self.journal))
        if visibility is not None:
            args.append(str(visibility))
        with self.log.open("a") as log:
            process = subprocess.Popen(
                args,
                cwd=django_settings.BASE_DIR,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.processes.append(process)
        return process

    def kill(self, process: subprocess.Popen) -> None:
        """SIGKILL the worker and its pool children (its process group)."""
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)

    def lines(self, word: str) -> list[int]:
        if not self.journal.exists():
            return []
        return [
            int(line.split()[1])
            for line in self.journal.read_text().splitlines()
            if line.startswith(word)
        ]

    def stop_all(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                self.kill(process)


@pytest.fixture
def workers(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    # Messages a previous test left on these queues would only slow this one.
    with app.connection_for_write() as conn:
        for queue in ("documents", "integrations"):
            conn.default_channel.queue_purge(queue)
    pool = Workers(tmp_path / "journal", settings.MEDIA_ROOT, tmp_path / "worker.log")
    try:
        yield pool
    finally:
        pool.stop_all()


def _document(world) -> Document:
    with tenant_scope(world.tenant_a):
        return document_create(
            actor=world.user(Role.CASEMANAGER),
            case=world.a1_case,
            kind=DocumentKind.PLAN_VAN_AANPAK,
        )


def _assert_rendered_once(world, document: Document, workers: Workers) -> None:
    def stored() -> bool:
        with tenant_scope(world.tenant_a):
            return bool(Document.objects.get(pk=document.pk).pdf)

    wait_until(stored, seconds=60, what="the second worker")
    with tenant_scope(world.tenant_a):
        rendered = Document.objects.get(pk=document.pk)
    files = list(Path(workers.media_root).rglob("*.pdf"))
    assert len(files) == 1, files
    content = files[0].read_bytes()
    assert content.startswith(b"%PDF-")
    assert rendered.sha256 == hashlib.sha256(content).hexdigest()
    assert len(workers.lines("start")) == 2
    assert len(workers.lines("done")) == 1


@pytest.mark.django_db(transaction=True)
def test_a_pool_child_killed_mid_render_is_rendered_again_once(world, workers):
    document = _document(world)
    worker = workers.start("documents")
    document_render_task.delay(document.pk, document.tenant_id)
    wait_until(lambda: workers.lines("start"), seconds=60, what="the render")
    (child,) = workers.lines("start")
    assert child != worker.pid
    os.kill(child, signal.SIGKILL)  # the pool child doing the render

    # reject_on_worker_lost: the same worker takes the message again.
    _assert_rendered_once(world, document, workers)
    assert worker.poll() is None


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_render_leaves_the_render_to_the_next_one(world, workers):
    document = _document(world)
    first = workers.start("documents")
    document_render_task.delay(document.pk, document.tenant_id)
    wait_until(lambda: workers.lines("start"), seconds=60, what="the render")
    workers.kill(first)
    with tenant_scope(world.tenant_a):
        assert not Document.objects.get(pk=document.pk).pdf
    assert not list(Path(workers.media_root).rglob("*.pdf"))

    # The message stayed unacknowledged in Redis; after the visibility
    # timeout (production: an hour; here: 2 s) the next worker takes it.
    time.sleep(2)
    workers.start("documents", visibility=2)
    _assert_rendered_once(world, document, workers)


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_webhook_delivery_delivers_once_more(
    world, workers, receiver
):
    with tenant_scope(world.tenant_a):
        endpoint_create(
            actor=world.user(Role.TENANT_ADMIN),
            tenant=world.tenant_a,
            name="HR",
            url=receiver.url,
            events=["case.created"],
        )
        employee = EmployeeFactory(employer=world.employer_a1)
    first = workers.start("integrations")
    with tenant_scope(world.tenant_a):
        ziekmelding_create(
            actor=world.user(Role.LEIDINGGEVENDE),
            employee=employee,
            first_sick_day=timezone.localdate(),
        )
    # The receiver has the event; the worker is killed before it records
    # the answer.
    wait_until(lambda: len(receiver.requests) == 1, seconds=60, what="the POST")
    wait_until(lambda: workers.lines("start"), what="the journal")
    workers.kill(first)
    with tenant_scope(world.tenant_a):
        delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.PENDING
    assert delivery.attempt_count == 1

    # The next worker gets the old message back and skips it (its attempt
    # was claimed); the beat sweep sends the delivery again once the lease
    # has run out.
    time.sleep(2)
    workers.start("integrations", visibility=2)
    with tenant_scope(world.tenant_a):
        assert deliveries_enqueue_due(
            tenant=world.tenant_a,
            now=timezone.now() + ENQUEUE_LEASE + dt.timedelta(seconds=1),
        )

    def delivered() -> bool:
        with tenant_scope(world.tenant_a):
            return WebhookDelivery.objects.filter(
                status=DeliveryStatus.DELIVERED
            ).exists()

    wait_until(delivered, seconds=60, what="the second worker")
    with tenant_scope(world.tenant_a):
        delivery = WebhookDelivery.objects.get()
        attempts = list(WebhookAttempt.objects.filter(delivery=delivery))
    assert delivery.attempt_count == 2
    assert [a.number for a in attempts] == [2]
    assert attempts[0].status_code == 200
    first_request, second_request = receiver.requests
    assert (
        first_request.headers["Hervat-Event-Id"]
        == second_request.headers["Hervat-Event-Id"]
    )
    assert first_request.body == second_request.body
