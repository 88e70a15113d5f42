"""Fixtures of the reliability suite: a Redis of its own on a spare port
(stopped and started by the test), the broker and the cache pointed at it,
and a real in-process Celery worker on every queue."""

from __future__ import annotations

import contextlib
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
import redis
from celery.contrib.testing.worker import start_worker

from config.celery import app
from core.cache import cache_breaker
from core.enqueue import broker_breaker
from integrations.webhooks.tests.conftest import receiver  # noqa: F401


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class SpareRedis:
    """A ``redis-server`` child process on ``port``, nothing persisted."""

    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        assert self.process is None
        self.process = subprocess.Popen(
            [
                shutil.which("redis-server") or "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--daemonize",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis.Redis(port=self.port, socket_connect_timeout=0.2)
        deadline = time.monotonic() + 10
        while True:
            try:
                if client.ping():
                    return
            except redis.ConnectionError:
                pass
            assert time.monotonic() < deadline, "redis-server did not start"
            time.sleep(0.05)

    def pause(self) -> None:
        """Freeze it (SIGSTOP): connections are accepted, nothing answers,
        as with a hung server or a network partition."""
        assert self.process is not None
        self.process.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGCONT)

    def stop(self) -> None:
        """Kill it (SIGKILL: an outage, not a clean shutdown)."""
        if self.process is not None:
            self.process.send_signal(signal.SIGCONT)
            self.process.kill()
            self.process.wait(timeout=10)
            self.process = None


@pytest.fixture
def spare_redis() -> Iterator[SpareRedis]:
    server = SpareRedis()
    server.start()
    try:
        yield server
    finally:
        server.stop()


def _reset_producer_pool() -> None:
    # kombu keeps one pool per broker URL process-wide; dropping the app's
    # references makes the next publish pick the pool of the current URL.
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def broker_and_cache_on(spare_redis, settings) -> Iterator[SpareRedis]:
    """Celery's broker and Django's cache use the spare Redis for the test."""
    settings.CACHES = {
        "default": {
            **settings.CACHES["default"],
            "LOCATION": spare_redis.url,
        }
    }
    previous = app.conf.broker_url
    app.conf.broker_url = spare_redis.url
    _reset_producer_pool()
    broker_breaker.reset()
    cache_breaker.reset()
    try:
        yield spare_redis
    finally:
        app.conf.broker_url = previous
        _reset_producer_pool()
        # The outage was this test's: later tests start with Redis "up".
        broker_breaker.reset()
        cache_breaker.reset()


@contextlib.contextmanager
def real_worker(queues: tuple[str, ...] = ("default", "integrations", "documents")):
    """A worker thread consuming ``queues`` over the configured broker.
    Celery keeps the queue selection on the app; it is put back afterwards so
    later workers in this process consume what they expect."""
    selected = app.amqp.queues._consume_from
    try:
        with start_worker(
            app, perform_ping_check=False, shutdown_timeout=10, queues=list(queues)
        ) as worker:
            yield worker
    finally:
        app.amqp.queues._consume_from = selected


def wait_until(check, *, seconds: float = 30, what: str = "the worker") -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, f"{what} did not finish in time"
        time.sleep(0.1)
