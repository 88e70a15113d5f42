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


def body_encode(payload: dict[str, Any]) -> bytes:
    """The bytes that are sent and signed: compact UTF-8 JSON."""
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()


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
