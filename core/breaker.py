"""A minimal circuit breaker: after a failure, skip for a while.

When Redis hangs instead of refusing, every call to it waits for its socket
timeout. A web process that has just seen the broker or the cache fail skips
further calls for ``cooldown`` seconds, so one request pays for the timeout
once and the requests after it pay nothing; the work they skip is recovered
from the database (``docs/security/reliability.md``). The state is per
process and needs no coordination.
"""

from __future__ import annotations

import time


class Breaker:
    """Open (calls skipped) for ``cooldown`` seconds after ``trip()``."""

    def __init__(self, *, cooldown: float) -> None:
        self.cooldown = cooldown
        self._open_until = 0.0

    @property
    def is_open(self) -> bool:
        return time.monotonic() < self._open_until

    def trip(self) -> None:
        self._open_until = time.monotonic() + self.cooldown

    def reset(self) -> None:
        self._open_until = 0.0
