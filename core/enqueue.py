"""Enqueue Celery work after commit without letting a broker outage fail a
request whose change is already committed.

PostgreSQL is the system of record; Redis is only the broker. Every piece of
work enqueued through here is recoverable from the database when its message
never reaches the broker: a stale flag or an unsent record swept by beat, or a
page that asks again (see ``docs/security/reliability.md``). So a failed
publish is logged, never raised: raising from an ``on_commit`` callback would
answer a 500 for a change that was saved. After a broker failure the process
skips publishing for ``BROKER_COOLDOWN`` seconds (``core.breaker``), so a
broker that hangs costs one request one timeout, not every publish its own.
"""

from __future__ import annotations

import logging
from typing import Any

from celery import Task
from django.db import transaction
from kombu.exceptions import OperationalError

from core.breaker import Breaker

logger = logging.getLogger(__name__)

BROKER_COOLDOWN = 30.0
broker_breaker = Breaker(cooldown=BROKER_COOLDOWN)


def enqueue_now(task: Task, *args: Any) -> bool:
    """Publish ``task(*args)``; False (and a warning) when it did not reach
    the broker."""
    if broker_breaker.is_open:
        logger.warning(
            "broker recently unreachable; %s%s not enqueued, the beat sweep "
            "or the next request picks the work up",
            task.name,
            args,
        )
        return False
    try:
        task.delay(*args)
    except Exception as exc:
        if isinstance(exc, OperationalError):
            broker_breaker.trip()
        logger.warning(
            "could not enqueue %s%s; the beat sweep or the next request "
            "picks the work up",
            task.name,
            args,
            exc_info=True,
        )
        return False
    return True


def enqueue_on_commit(task: Task, *args: Any) -> None:
    """Publish ``task(*args)`` once the current transaction commits (at once
    outside one); a rolled-back change enqueues nothing."""
    transaction.on_commit(lambda: enqueue_now(task, *args))
