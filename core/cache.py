"""A Redis cache that degrades to "nothing cached" while Redis is down.

Django's ``RedisCache`` raises ``redis.ConnectionError`` (or ``TimeoutError``)
from every call when Redis is unreachable, which turns a cache outage into a
500 on every page that touches the cache. In Hervat the cache holds nothing
that must survive: API rate-limit counters and import progress bars. So a
failed call is logged and answered as a cache miss: reads return the default,
writes are dropped. Rate limits fail open during an outage (the API keeps
answering, keys are still checked against PostgreSQL); that is the trade-off
chosen over refusing every API call while Redis is down.

After a failure the process answers misses without calling Redis for
``CACHE_COOLDOWN`` seconds (``core.breaker``): a Redis that hangs costs one
call its socket timeout (``OPTIONS`` in ``config/settings/base.py``), not
every call.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from core.breaker import Breaker

logger = logging.getLogger(__name__)

CACHE_COOLDOWN = 30.0
cache_breaker = Breaker(cooldown=CACHE_COOLDOWN)


_MISSING = object()


class DegradingRedisCache(RedisCache):
    """``RedisCache`` whose calls answer as a cache miss while Redis is down."""

    def _call(self, operation: str, miss: Any, *args: Any) -> Any:
        """``RedisCache.<operation>(*args)``, or ``miss`` when Redis is
        (recently) unreachable."""
        if cache_breaker.is_open:
            return miss
        try:
            return getattr(super(), operation)(*args)
        except (RedisConnectionError, RedisTimeoutError):
            cache_breaker.trip()
            logger.warning(
                "cache unavailable: answered as a miss for %.0f s",
                CACHE_COOLDOWN,
                exc_info=True,
            )
            return miss

    def add(
        self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None
    ) -> bool:
        return self._call("add", False, key, value, timeout, version)

    def get(self, key: Any, default: Any = None, version: Any = None) -> Any:
        return self._call("get", default, key, default, version)

    def set(
        self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None
    ) -> None:
        self._call("set", None, key, value, timeout, version)

    def touch(
        self, key: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None
    ) -> bool:
        return self._call("touch", False, key, timeout, version)

    def delete(self, key: Any, version: Any = None) -> bool:
        return self._call("delete", False, key, version)

    def get_many(self, keys: Any, version: Any = None) -> dict:
        return self._call("get_many", {}, keys, version)

    def has_key(self, key: Any, version: Any = None) -> bool:
        return self._call("has_key", False, key, version)

    def incr(self, key: Any, delta: int = 1, version: Any = None) -> int:
        value = self._call("incr", _MISSING, key, delta, version)
        if value is _MISSING:
            # What Django's API says for a key that is not there.
            raise ValueError(f"Key '{key}' not found")
        return value

    def set_many(
        self, data: dict, timeout: Any = DEFAULT_TIMEOUT, version: Any = None
    ) -> list:
        return self._call("set_many", list(data), data, timeout, version)

    def delete_many(self, keys: Any, version: Any = None) -> None:
        self._call("delete_many", None, keys, version)

    def clear(self) -> bool:
        return self._call("clear", False)
