"""A real HTTP receiver on 127.0.0.1 (random port) that can be told to fail,
an endpoint of tenant A pointing at it, and helpers that run deliveries the
way the worker does: the task function, in-process."""

from __future__ import annotations

import datetime as dt
import re
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.utils import timezone

from accounts.models import Role
from cases.services import ziekmelding_create
from cases.tests.factories import EmployeeFactory
from integrations.webhooks.models import SUBSCRIBABLE_EVENTS, WebhookDelivery
from integrations.webhooks.services import deliveries_enqueue_due, endpoint_create
from integrations.webhooks.tasks import delivery_attempt_task

DOC = Path(settings.BASE_DIR) / "docs" / "integrations" / "webhooks.md"
# Tests that move the clock start here; the endpoint exists from a day before.
START = dt.datetime(2026, 11, 20, 8, 0, tzinfo=dt.UTC)


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    """What the receiver got, and how it answers: ``fail_next`` requests get
    a 500, then ``status`` (with ``location`` for a redirect)."""

    port: int = 0
    requests: list[Received] = field(default_factory=list)
    fail_next: int = 0
    status: int = 200
    location: str = ""
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hervat/hooks"

    def answer(self, received: Received) -> tuple[int, dict[str, str], bytes]:
        with self.lock:
            self.requests.append(received)
            if self.fail_next > 0:
                self.fail_next -= 1
                return 500, {}, b"Internal error: database unavailable"
            headers = {"Location": self.location} if self.location else {}
            return self.status, headers, b'{"ok": true}'


def _handler(receiver: Receiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            status, headers, answer = receiver.answer(
                Received(self.path, dict(self.headers.items()), body)
            )
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, format: str, *args: object) -> None:
            pass

    return Handler


@pytest.fixture
def receiver():
    box = Receiver()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(box))
    box.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield box
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


@pytest.fixture
def endpoint(scope_a, receiver):
    """Tenant A's endpoint, subscribed to every event; ``endpoint.plain_secret``
    is the secret the admin was shown."""
    with time_machine.travel(START - dt.timedelta(days=1), tick=False):
        created, secret = endpoint_create(
            actor=scope_a.user(Role.TENANT_ADMIN),
            tenant=scope_a.tenant_a,
            name="HR-systeem",
            url=receiver.url,
            events=[e.value for e in SUBSCRIBABLE_EVENTS],
        )
    created.plain_secret = secret
    return created


@pytest.fixture
def ziekmelding(scope_a):
    """Report a new employee of employer A1 sick; returns the case."""

    def report(**kwargs):
        employee = EmployeeFactory(
            employer=scope_a.employer_a1,
            manager=scope_a.user(Role.LEIDINGGEVENDE),
            surname="Zwaanswijk",
        )
        return ziekmelding_create(
            actor=scope_a.user(Role.LEIDINGGEVENDE),
            employee=employee,
            first_sick_day=kwargs.pop("first_sick_day", timezone.localdate()),
            **kwargs,
        )

    return report


@pytest.fixture
def run_due(django_capture_on_commit_callbacks):
    """Run the beat sweep for a tenant, then each queued attempt in-process
    (as the worker would). Returns what the attempts reported."""

    def run(tenant) -> list[str]:
        with django_capture_on_commit_callbacks() as queued:
            due = deliveries_enqueue_due(tenant=tenant)
        assert len(queued) == (1 if due else 0)
        return [attempt(tenant, pk, token) for pk, token in due]

    return run


def attempt(tenant, delivery_id: int, token: int) -> str:
    return delivery_attempt_task(delivery_id, tenant.pk, token)


def first_attempt(delivery: WebhookDelivery) -> str:
    """The attempt queued right after the event was committed."""
    return delivery_attempt_task(delivery.pk, delivery.tenant_id, 0)


def doc_recipe():
    """The verification function, executed from the documentation's fenced
    python block: the documented recipe is the one that is tested."""
    text = DOC.read_text()
    (block,) = re.findall(r"```python\n(.*?)```", text, flags=re.DOTALL)
    namespace: dict = {}
    exec(compile(block, str(DOC), "exec"), namespace)  # noqa: S102
    return namespace["verify_hervat_signature"]
