"""A tenant's connection to its AFAS Profit environment, per employer."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import TenantOwned
from cases.models import Employer
from core.fields import EncryptedTextField


class AfasConnection(TenantOwned):
    """Where an employer's employees come from in AFAS, and the token."""

    employer = models.ForeignKey(
        Employer,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("werkgever"),
    )
    base_url = models.URLField(
        _("adres van de REST-services"),
        help_text=_("Bijvoorbeeld https://12345.rest.afas.online/ProfitRestServices"),
    )
    connector_id = models.CharField(
        _("GetConnector"), max_length=100, default="Hervat_Medewerkers"
    )
    token = EncryptedTextField(_("token"))
    field_map = models.JSONField(
        _("andere veldnamen"),
        default=dict,
        blank=True,
        help_text=_(
            "Alleen nodig als de GetConnector andere veld-id's gebruikt, bijvoorbeeld "
            '{"email": "Email_prive"}.'
        ),
    )
    is_active = models.BooleanField(_("actief"), default=True)
    created_at = models.DateTimeField(_("aangemaakt op"), auto_now_add=True)

    class Meta:
        verbose_name = _("AFAS-koppeling")
        verbose_name_plural = _("AFAS-koppelingen")
        ordering = ["employer__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["employer"], name="afas_one_connection_per_employer"
            )
        ]

    def __str__(self) -> str:
        return f"AFAS {self.connector_id} ({self.employer_id})"
