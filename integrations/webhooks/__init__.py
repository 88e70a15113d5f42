"""Outbound webhooks: signed event notifications to a tenant's own systems."""
