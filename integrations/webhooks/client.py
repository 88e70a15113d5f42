"""HTTP only: POST one webhook request and report what came back.

Standard library only (``http.client``), so no proxy settings from the
environment apply and redirects are never followed: a 3xx is an answer like
any other non-2xx. The address a connection actually reaches is checked
after the socket connects and before anything is sent (TLS included), so a
host name that resolves to a private address, even only at delivery time
(DNS rebinding), is refused unless ``allow_private`` is set.
"""

from __future__ import annotations

import http.client
import ipaddress
import ssl
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

RESPONSE_READ_LIMIT = 64 * 1024
EXCERPT_LENGTH = 1000


class RefusedAddressError(Exception):
    """The address a host name resolved to may not be contacted."""


# What went wrong, as a code the admin translates (``ERROR_LABELS`` in the
# admin); the detail after the colon is technical and stays as it is.
ERROR_URL_REFUSED = "url_refused"
ERROR_ADDRESS_REFUSED = "address_refused"
ERROR_TIMEOUT = "timeout"
ERROR_TLS = "tls"
ERROR_CONNECTION = "connection"


@dataclass(frozen=True)
class WebhookRequest:
    url: str
    body: bytes
    headers: dict[str, str]
    timeout: float
    allow_private: bool
    require_https: bool


@dataclass(frozen=True)
class WebhookResponse:
    status_code: int | None
    excerpt: str
    error: str
    duration_ms: int

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def address_is_public(address: str) -> bool:
    """Whether ``address`` is a globally routable unicast address."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def url_problem(url: str, *, require_https: bool, allow_private: bool) -> str | None:
    """Why ``url`` may not be used as an endpoint, or None when it may.

    Checks what can be checked without the network: the scheme, the host,
    no credentials, and host names or literal addresses that are private.
    The address a host name resolves to is checked at delivery time.
    """
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return "invalid"
    allowed = ("https",) if require_https else ("http", "https")
    if parts.scheme not in allowed:
        return "scheme"
    if not parts.hostname:
        return "host"
    if parts.username or parts.password:
        return "credentials"
    if port == 0:
        return "invalid"
    if allow_private:
        return None
    host = parts.hostname.rstrip(".").lower()
    if host == "localhost" or host.endswith((".localhost", ".local", ".internal")):
        return "private"
    try:
        public = address_is_public(host)
    except ValueError:
        return None  # a host name, resolved when delivering
    return None if public else "private"


class _GuardedHTTPConnection(http.client.HTTPConnection):
    allow_private = False

    def connect(self) -> None:
        super().connect()
        peer = self.sock.getpeername()[0]
        if not self.allow_private and not address_is_public(peer):
            self.sock.close()
            raise RefusedAddressError(peer)


# The MRO puts the guard between HTTPSConnection and HTTPConnection, so the
# peer is checked after the TCP connect and before the TLS handshake.
class _GuardedHTTPSConnection(http.client.HTTPSConnection, _GuardedHTTPConnection):
    pass


def post(request: WebhookRequest) -> WebhookResponse:
    """POST ``request.body`` to ``request.url``; never raises for the peer's
    behaviour (refusals, timeouts, TLS errors become ``error``)."""
    started = time.monotonic()

    def done(
        status: int | None = None, excerpt: str = "", error: str = ""
    ) -> WebhookResponse:
        elapsed = int((time.monotonic() - started) * 1000)
        return WebhookResponse(status, excerpt, error[:300], elapsed)

    problem = url_problem(
        request.url,
        require_https=request.require_https,
        allow_private=request.allow_private,
    )
    if problem is not None:
        return done(error=f"{ERROR_URL_REFUSED}: {problem}")
    parts = urlsplit(request.url)
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    connection: http.client.HTTPConnection
    if parts.scheme == "https":
        connection = _GuardedHTTPSConnection(
            parts.hostname,
            parts.port,
            timeout=request.timeout,
            context=ssl.create_default_context(),
        )
    else:
        connection = _GuardedHTTPConnection(
            parts.hostname, parts.port, timeout=request.timeout
        )
    connection.allow_private = request.allow_private  # type: ignore[attr-defined]
    try:
        connection.request("POST", path, body=request.body, headers=request.headers)
        response = connection.getresponse()
        raw = response.read(RESPONSE_READ_LIMIT)
        excerpt = raw[: EXCERPT_LENGTH * 4].decode("utf-8", errors="replace")
        return done(response.status, excerpt[:EXCERPT_LENGTH])
    except RefusedAddressError as refused:
        return done(error=f"{ERROR_ADDRESS_REFUSED}: {refused}")
    except TimeoutError:
        return done(error=f"{ERROR_TIMEOUT}: {request.timeout:g} s")
    except ssl.SSLError as exc:
        return done(error=f"{ERROR_TLS}: {exc.reason or exc}")
    except (OSError, http.client.HTTPException) as exc:
        return done(error=f"{ERROR_CONNECTION}: {type(exc).__name__}: {exc}")
    finally:
        connection.close()
