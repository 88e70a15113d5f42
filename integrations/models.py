"""API keys for HR and payroll systems, and the record behind Idempotency-Key.

The employee import and the webhooks have apps of their own
(``integrations.imports``, ``integrations.webhooks``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import Membership, TenantOwned


class ApiKeyScope(models.TextChoices):
    READ = "read", _("Alleen lezen")
    WRITE = "write", _("Lezen en schrijven")


class ApiKey(TenantOwned):
    """A secret that lets one system use the REST API of one tenant.

    Only a SHA-256 hash of the secret is stored; the full key is shown once,
    when it is made. The key acts through its own membership (role
    koppeling), so the access policy applies to it like to a person: which
    employers it covers is set on that membership.
    """

    name = models.CharField(
        _("naam"),
        max_length=100,
        help_text=_("Het systeem dat de sleutel gebruikt, bijvoorbeeld 'AFAS'."),
    )
    prefix = models.CharField(_("begin van de sleutel"), max_length=12, unique=True)
    secret_sha256 = models.CharField(max_length=64)
    membership = models.OneToOneField(
        Membership, on_delete=models.PROTECT, related_name="api_key"
    )
    scope = models.CharField(
        _("rechten"), max_length=10, choices=ApiKeyScope, default=ApiKeyScope.READ
    )
    rate_limit_per_minute = models.PositiveIntegerField(
        _("verzoeken per minuut"),
        default=120,
        help_text=_("Meer verzoeken krijgen antwoord 429 tot de minuut om is."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("aangemaakt door"),
    )
    created_at = models.DateTimeField(_("aangemaakt op"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("laatst gebruikt"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("ingetrokken op"), null=True, blank=True)

    class Meta:
        verbose_name = _("API-sleutel")
        verbose_name_plural = _("API-sleutels")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def may_write(self) -> bool:
        return self.scope == ApiKeyScope.WRITE


class IdempotencyState(models.TextChoices):
    RUNNING = "running", _("Bezig")
    DONE = "done", _("Klaar")


class IdempotencyRecord(TenantOwned):
    """The first answer to a write sent with an ``Idempotency-Key``.

    The unique constraint on (tenant, user, key) makes a retry, or the same
    request sent twice at once, find this row instead of doing the work
    again. ``fingerprint`` is a hash of method, path and body: the same key
    with another request is refused.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64)
    state = models.CharField(
        max_length=10, choices=IdempotencyState, default=IdempotencyState.RUNNING
    )
    response_status = models.PositiveSmallIntegerField(null=True)
    response_headers = models.JSONField(default=dict)
    response_body = models.BinaryField(default=b"")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "user", "key"], name="idempotency_key_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.key} ({self.state})"
