"""HTTP client of AFAS Profit's REST GetConnectors; no models, no Django.

A GetConnector is read page by page with ``skip`` and ``take``; the token
goes in ``Authorization: AfasToken <base64 of the token XML>``.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import requests

DEFAULT_TAKE = 1000
# A guard against a server that keeps returning full pages: 5,000,000 rows.
MAX_PAGES = 5000


class AfasError(Exception):
    """AFAS could not be reached or answered something other than rows."""


@dataclass(frozen=True)
class AfasPage:
    skip: int
    take: int
    rows: list[dict[str, Any]]


def token_header(token: str) -> str:
    """The Authorization header for ``token``: the token XML as AFAS hands
    it out, or only its data part."""
    token = token.strip()
    if not token.startswith("<token>"):
        token = f"<token><version>1</version><data>{token}</data></token>"
    return "AfasToken " + base64.b64encode(token.encode()).decode("ascii")


@dataclass(frozen=True)
class AfasClient:
    base_url: str
    token: str
    timeout: float = 30.0

    def page(
        self, *, connector_id: str, skip: int, take: int, order_by: str = ""
    ) -> AfasPage:
        """One page of a GetConnector."""
        params: dict[str, Any] = {"skip": skip, "take": take}
        if order_by:
            params["orderbyfieldids"] = order_by
        url = f"{self.base_url.rstrip('/')}/connectors/{connector_id}"
        try:
            response = requests.get(
                url,
                params=params,
                headers={
                    "Authorization": token_header(self.token),
                    "Accept": "application/json",
                },
                timeout=self.timeout,
            )
        except requests.RequestException as exc:
            raise AfasError(f"AFAS not reachable: {exc.__class__.__name__}") from exc
        if response.status_code in (401, 403):
            raise AfasError(f"AFAS refused the token (HTTP {response.status_code})")
        if response.status_code != 200:
            raise AfasError(f"AFAS answered HTTP {response.status_code}")
        try:
            data = response.json()
            rows = data["rows"]
        except (ValueError, KeyError, TypeError) as exc:
            raise AfasError("AFAS answered without rows") from exc
        if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
            raise AfasError("AFAS answered rows that are not records")
        return AfasPage(skip=skip, take=take, rows=rows)

    def rows(
        self, *, connector_id: str, take: int = DEFAULT_TAKE, order_by: str = ""
    ) -> Iterator[dict[str, Any]]:
        """Every row of a GetConnector, page after page until a short page."""
        for number in range(MAX_PAGES):
            page = self.page(
                connector_id=connector_id,
                skip=number * take,
                take=take,
                order_by=order_by,
            )
            yield from page.rows
            if len(page.rows) < take:
                return
        raise AfasError(f"AFAS returned more than {MAX_PAGES} full pages")
