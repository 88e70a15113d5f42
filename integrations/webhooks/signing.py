"""Signing a request body, as documented in ``docs/integrations/webhooks.md``.

``Hervat-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256>`` where the HMAC
key is the endpoint secret and the message is ``f"{t}.".encode() + body``.
While a rotated secret is still valid, a second ``v1=`` signs with it.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from collections.abc import Iterable
from typing import Any

SIGNATURE_HEADER = "Hervat-Signature"
EVENT_ID_HEADER = "Hervat-Event-Id"
EVENT_TYPE_HEADER = "Hervat-Event-Type"
SECRET_PREFIX = "whsec_"  # noqa: S105 (a prefix, not a secret)


def secret_generate() -> str:
    """A new endpoint secret: 256 random bits, URL-safe."""
    return SECRET_PREFIX + secrets.token_urlsafe(32)


# The documented order of the top-level keys. Storage (PostgreSQL jsonb)
# does not keep key order, so the body is put in order when it is encoded:
# every attempt of an event sends the same bytes.
TOP_LEVEL_KEYS = ("id", "type", "created_at", "tenant", "data")


def body_ordered(payload: dict[str, Any]) -> dict[str, Any]:
    """``payload`` with its keys in the documented order, ``data`` sorted."""
    ordered = {key: payload[key] for key in TOP_LEVEL_KEYS if key in payload}
    ordered.update(payload)
    if isinstance(ordered.get("data"), dict):
        ordered["data"] = dict(sorted(ordered["data"].items()))
    return ordered


def body_encode(payload: dict[str, Any]) -> bytes:
    """The bytes that are sent and signed: compact UTF-8 JSON."""
    return json.dumps(
        body_ordered(payload), ensure_ascii=False, separators=(",", ":")
    ).encode()


def signature(*, secret: str, timestamp: int, body: bytes) -> str:
    """The hex HMAC-SHA256 of ``"{timestamp}." + body`` with ``secret``."""
    message = f"{timestamp}.".encode() + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signature_header(*, secrets_: Iterable[str], timestamp: int, body: bytes) -> str:
    """The ``Hervat-Signature`` value: the timestamp and one ``v1`` per secret."""
    parts = [f"t={timestamp}"]
    parts += [
        f"v1={signature(secret=secret, timestamp=timestamp, body=body)}"
        for secret in secrets_
    ]
    return ",".join(parts)
