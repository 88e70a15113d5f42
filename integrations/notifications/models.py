"""What was mailed to whom, so a retried task never mails twice."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import TenantOwned


class NotificationKind(models.TextChoices):
    ZIEKMELDING = "ziekmelding", _("Bevestiging ziekmelding")
    SIGNATURE_REQUEST = "signature_request", _("Verzoek om te ondertekenen")
    APPOINTMENT = "appointment", _("Agenda-uitnodiging")


class NotificationSent(TenantOwned):
    """One mail that went out: ``key`` names the occasion (``ziekmelding:12``,
    ``signature_request:7``, ``appointment:3:1``), ``recipient`` the address.

    The row is written in the same transaction as the send, and the pair is
    unique: a retried or duplicated task finds it and sends nothing, while a
    mail the server refused leaves no row, so the retry sends it. No content
    is kept, only the occasion and the address.
    """

    key = models.CharField(_("aanleiding"), max_length=100)
    kind = models.CharField(_("soort"), max_length=20, choices=NotificationKind)
    recipient = models.EmailField(_("ontvanger"))
    sent_at = models.DateTimeField(_("verstuurd op"), auto_now_add=True)

    class Meta:
        verbose_name = _("verstuurd bericht")
        verbose_name_plural = _("verstuurde berichten")
        ordering = ["-sent_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "key", "recipient"],
                name="notification_once_per_recipient",
            )
        ]

    def __str__(self) -> str:
        return f"{self.key} → {self.recipient}"
