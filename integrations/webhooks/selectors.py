"""Reads of the webhooks app."""

from __future__ import annotations

from integrations.webhooks.models import WebhookEndpoint


def endpoints_subscribed(*, tenant_id: int, event_type: str) -> list[WebhookEndpoint]:
    """Active endpoints of the tenant that subscribe to ``event_type``.

    The tenant is filtered explicitly as well as by the scope: code running
    with scoping disabled (a management command) must never send one
    tenant's event to another tenant's endpoint.
    """
    return [
        endpoint
        for endpoint in WebhookEndpoint.objects.filter(
            tenant_id=tenant_id, is_active=True
        ).defer("secret", "previous_secret")
        if event_type in endpoint.events
    ]
