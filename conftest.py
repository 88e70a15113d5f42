"""Root conftest: stop early, with one line, when a required service is down.

Fixtures live in ``tests/fixtures.py``, loaded here as a plugin.
"""

from __future__ import annotations

import socket
from urllib.parse import urlparse

import pytest

pytest_plugins = ["tests.fixtures"]


def _reachable(url: str, default_port: int) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection(
            (parsed.hostname or "127.0.0.1", parsed.port or default_port), timeout=2
        ):
            return True
    except OSError:
        return False


def pytest_sessionstart(session: pytest.Session) -> None:
    from django.conf import settings

    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("postgresql"):
        where = f"{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}"
        if not _reachable(f"postgres://{where}", 5432):
            pytest.exit(
                f"PostgreSQL is not reachable at {where} (DATABASE_URL); start it "
                "with `pg_ctlcluster 15 main start`.",
                returncode=3,
            )
    if not _reachable(settings.REDIS_URL, 6379):
        pytest.exit(
            f"Redis is not reachable at {settings.REDIS_URL} (REDIS_URL); start it "
            "with `redis-server --daemonize yes`.",
            returncode=3,
        )
