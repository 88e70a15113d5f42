"""Outbound webhooks: a tenant's endpoints, the events recorded for them, and
the log of every delivery and attempt.

An event is recorded once (``WebhookEvent.event_id`` is unique and derived
from the domain fact where that fact is unique, so a signal fired twice
records one event) and delivered once per subscribed endpoint
(``WebhookDelivery`` is unique per event and endpoint). Every HTTP request
is one ``WebhookAttempt``. Payloads hold ids and non-medical facts only
(``integrations.webhooks.payloads``).
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import TenantOwned
from core.fields import EncryptedTextField


class EventType(models.TextChoices):
    CASE_CREATED = "case.created", _("Ziekmelding (verzuimdossier geopend)")
    CASE_PARTIALLY_RECOVERED = (
        "case.partially_recovered",
        _("Gedeeltelijke hersteldmelding"),
    )
    CASE_RECOVERED = "case.recovered", _("Hersteldmelding (volledig hersteld)")
    DOCUMENT_SIGNED = "document.signed", _("Document ondertekend")
    TASK_COMPLETED = "task.completed", _("Taak afgerond")
    TASK_OVERDUE = "task.overdue", _("Taak verlopen")
    PING = "ping", _("Testbericht")


# Every type an endpoint may subscribe to; a ping goes to one endpoint on
# request and is never subscribed to.
SUBSCRIBABLE_EVENTS = [choice for choice in EventType if choice != EventType.PING]


class WebhookEndpoint(TenantOwned):
    """A URL of the tenant's own systems that receives the events it chose.

    ``secret`` signs every request; signing needs the plain value, so it is
    stored encrypted rather than hashed and shown to the admin only when made.
    After a rotation the previous secret keeps signing alongside the new one
    until ``previous_secret_expires_at``, so a receiver can switch without
    losing events. ``disabled_at`` is set by Hervat when deliveries keep
    failing (``integrations.webhooks.services``); only an admin clears it.
    """

    name = models.CharField(_("naam"), max_length=100)
    url = models.URLField(_("URL"), max_length=500)
    events = models.JSONField(_("gebeurtenissen"), default=list)
    secret = EncryptedTextField(editable=False)
    previous_secret = EncryptedTextField(blank=True, editable=False)
    previous_secret_expires_at = models.DateTimeField(
        null=True, blank=True, editable=False
    )
    is_active = models.BooleanField(
        _("actief"),
        default=True,
        help_text=_("Een endpoint dat niet actief is, krijgt geen gebeurtenissen."),
    )
    disabled_at = models.DateTimeField(
        _("uitgeschakeld op"), null=True, blank=True, editable=False
    )
    disabled_reason = models.CharField(
        _("reden van uitschakelen"), max_length=300, blank=True, editable=False
    )
    consecutive_failures = models.PositiveIntegerField(
        _("mislukte pogingen op rij"), default=0, editable=False
    )
    failing_since = models.DateTimeField(
        _("mislukt sinds"), null=True, blank=True, editable=False
    )
    last_success_at = models.DateTimeField(
        _("laatst geleverd op"), null=True, blank=True, editable=False
    )
    created_at = models.DateTimeField(_("aangemaakt op"), auto_now_add=True)
    secret_created_at = models.DateTimeField(
        _("geheim aangemaakt op"), null=True, editable=False
    )

    class Meta:
        verbose_name = _("webhook-endpoint")
        verbose_name_plural = _("webhook-endpoints")
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["tenant", "is_active"])]

    def __str__(self) -> str:
        return self.name

    @property
    def sends(self) -> bool:
        """Whether deliveries to this endpoint are attempted now."""
        return self.is_active and self.disabled_at is None


class WebhookEvent(TenantOwned):
    """One event as it is sent: the exact payload, the same on every attempt."""

    event_id = models.UUIDField(_("event-id"), unique=True, editable=False)
    type = models.CharField(_("soort"), max_length=40, choices=EventType)
    payload = models.JSONField(_("inhoud"))
    occurred_at = models.DateTimeField(_("gebeurd op"))

    class Meta:
        verbose_name = _("webhook-gebeurtenis")
        verbose_name_plural = _("webhook-gebeurtenissen")
        ordering = ["-occurred_at", "-id"]
        indexes = [models.Index(fields=["tenant", "occurred_at"])]

    def __str__(self) -> str:
        return f"{self.type} {self.event_id}"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Wacht op verzending")
    FAILED = "failed", _("Mislukt, nieuwe poging gepland")
    DELIVERED = "delivered", _("Geleverd")
    GAVE_UP = "gave_up", _("Opgegeven")


# Deliveries the sweep may still send.
OPEN_STATUSES = (DeliveryStatus.PENDING, DeliveryStatus.FAILED)


class WebhookDelivery(TenantOwned):
    """One event for one endpoint: its status and retry schedule.

    ``attempt_count`` counts every attempt ever and is the claim token that
    stops two workers from sending the same attempt; ``cycle_attempts``
    counts the attempts since the delivery was (re)queued and picks the next
    back-off step. ``next_attempt_at`` is when the beat sweep sends it.
    """

    event = models.ForeignKey(
        WebhookEvent,
        on_delete=models.CASCADE,
        related_name="deliveries",
        verbose_name=_("gebeurtenis"),
    )
    endpoint = models.ForeignKey(
        WebhookEndpoint,
        on_delete=models.CASCADE,
        related_name="deliveries",
        verbose_name=_("endpoint"),
    )
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=DeliveryStatus,
        default=DeliveryStatus.PENDING,
    )
    attempt_count = models.PositiveIntegerField(_("pogingen"), default=0)
    cycle_attempts = models.PositiveIntegerField(default=0, editable=False)
    next_attempt_at = models.DateTimeField(_("volgende poging"), null=True, blank=True)
    last_attempt_at = models.DateTimeField(_("laatste poging"), null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(
        _("laatste statuscode"), null=True, blank=True
    )
    last_error = models.CharField(_("laatste fout"), max_length=300, blank=True)
    response_excerpt = models.TextField(_("begin van het antwoord"), blank=True)
    duration_ms = models.PositiveIntegerField(_("duur (ms)"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("geleverd op"), null=True, blank=True)
    created_at = models.DateTimeField(_("aangemaakt op"), auto_now_add=True)

    class Meta:
        verbose_name = _("webhook-levering")
        verbose_name_plural = _("webhook-leveringen")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "endpoint"], name="webhook_delivery_once_per_endpoint"
            )
        ]
        indexes = [
            models.Index(
                fields=["tenant", "next_attempt_at"],
                condition=Q(status__in=["pending", "failed"]),
                name="webhook_delivery_due_idx",
            ),
            models.Index(
                fields=["endpoint", "created_at"], name="webhook_delivery_log_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event.type} → {self.endpoint}"


class WebhookAttempt(TenantOwned):
    """One HTTP request of a delivery and what came back."""

    delivery = models.ForeignKey(
        WebhookDelivery,
        on_delete=models.CASCADE,
        related_name="attempts",
        verbose_name=_("levering"),
    )
    number = models.PositiveIntegerField(_("poging"))
    started_at = models.DateTimeField(_("verstuurd op"))
    status_code = models.PositiveSmallIntegerField(
        _("statuscode"), null=True, blank=True
    )
    error = models.CharField(_("fout"), max_length=300, blank=True)
    response_excerpt = models.TextField(_("begin van het antwoord"), blank=True)
    duration_ms = models.PositiveIntegerField(_("duur (ms)"))
    manual = models.BooleanField(_("handmatig"), default=False)

    class Meta:
        verbose_name = _("poging")
        verbose_name_plural = _("pogingen")
        ordering = ["delivery", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["delivery", "number"], name="webhook_attempt_unique_number"
            )
        ]

    def __str__(self) -> str:
        return f"#{self.number}: {self.status_code or self.error}"
