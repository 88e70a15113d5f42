"""Poortwachter documents: versions of a form, their PDF and their signatures.

A ``Document`` holds the content of one version of one form (``data``, plain
JSON built from what Hervat knows plus what the regiehouder typed). It moves
concept -> ter_ondertekening -> ondertekend; once signed it never changes
again (its PDF bytes are hashed), and a change makes a new version. Medical
data never enters ``data``: builders read only the employer part of the
bedrijfsarts' judgement.
"""

from __future__ import annotations

from django.conf import settings
from django.core.files.storage import Storage, storages
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import Language, TenantOwned
from cases.models import AbsenceCase


def document_storage() -> Storage:
    """The storage of rendered PDFs and scans.

    ``STORAGES["documents"]`` when configured (an S3-compatible backend in
    production), else the default storage (``MEDIA_ROOT``).
    """
    return storages["documents" if "documents" in settings.STORAGES else "default"]


def _pdf_path(instance: Document, filename: str) -> str:
    return (
        f"documents/{instance.tenant_id}/{instance.case_id}/"
        f"{instance.kind}-v{instance.version}-{filename}"
    )


def _scan_path(instance: Signature, filename: str) -> str:
    document = instance.document
    return (
        f"documents/{document.tenant_id}/{document.case_id}/scans/"
        f"{document.kind}-v{document.version}-{instance.party}-{filename}"
    )


class DocumentKind(models.TextChoices):
    PLAN_VAN_AANPAK = "plan_van_aanpak", _("Plan van aanpak")
    EVALUATIE = "evaluatie", _("Evaluatie (bijstelling)")
    EERSTEJAARSEVALUATIE = "eerstejaarsevaluatie", _("Eerstejaarsevaluatie")
    EINDEVALUATIE = "eindevaluatie", _("Eindevaluatie")
    PROBLEEMANALYSE = "probleemanalyse", _("Probleemanalyse (deel werkgever)")
    UWV_42_WEEK_MELDING = "uwv_42_week_melding", _("Ziekmelding 42e week (UWV)")


class DocumentStatus(models.TextChoices):
    CONCEPT = "concept", _("Concept")
    TER_ONDERTEKENING = "ter_ondertekening", _("Ter ondertekening")
    ONDERTEKEND = "ondertekend", _("Ondertekend")


class Document(TenantOwned):
    """One version of one Poortwachter form of a case."""

    case = models.ForeignKey(
        AbsenceCase,
        on_delete=models.PROTECT,
        related_name="documents",
        verbose_name=_("verzuimdossier"),
    )
    kind = models.CharField(_("soort"), max_length=30, choices=DocumentKind)
    version = models.PositiveSmallIntegerField(_("versie"), default=1)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=DocumentStatus,
        default=DocumentStatus.CONCEPT,
    )
    language = models.CharField(
        _("taal"), max_length=2, choices=Language, default=Language.NL
    )
    data = models.JSONField(_("inhoud"), default=dict, blank=True)
    pdf = models.FileField(
        _("PDF"), upload_to=_pdf_path, storage=document_storage, blank=True
    )
    # The content the stored PDF was rendered from (data, signatures and
    # template version); an unchanged document is served, not re-rendered.
    pdf_content_key = models.CharField(max_length=64, blank=True, editable=False)
    sha256 = models.CharField(_("SHA-256 van de PDF"), max_length=64, blank=True)
    template_version = models.CharField(_("sjabloonversie"), max_length=20)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("gemaakt door"),
    )
    created_at = models.DateTimeField(_("gemaakt op"), auto_now_add=True)
    updated_at = models.DateTimeField(_("gewijzigd op"), auto_now=True)
    signed_at = models.DateTimeField(_("ondertekend op"), null=True, blank=True)

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documenten")
        ordering = ["case", "kind", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "case", "kind", "version"],
                name="document_version_unique_per_case_kind",
            ),
            models.CheckConstraint(
                condition=Q(version__gte=1), name="document_version_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} v{self.version}"

    @property
    def is_signed(self) -> bool:
        return self.status == DocumentStatus.ONDERTEKEND


class Party(models.TextChoices):
    WERKGEVER = "werkgever", _("Werkgever")
    WERKNEMER = "werknemer", _("Werknemer")


class SignatureMethod(models.TextChoices):
    IN_APP = "in_app", _("In Hervat")
    SCAN = "scan", _("Ondertekende scan")


class Signature(TenantOwned):
    """One party's signature on one document version."""

    document = models.ForeignKey(
        Document,
        on_delete=models.PROTECT,
        related_name="signatures",
        verbose_name=_("document"),
    )
    party = models.CharField(_("partij"), max_length=10, choices=Party)
    name = models.CharField(_("naam"), max_length=200)
    signed_at = models.DateTimeField(_("ondertekend op"))
    method = models.CharField(_("manier"), max_length=10, choices=SignatureMethod)
    scan = models.FileField(
        _("scan"), upload_to=_scan_path, storage=document_storage, blank=True
    )
    scan_sha256 = models.CharField(max_length=64, blank=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("gebruiker"),
    )

    class Meta:
        verbose_name = _("handtekening")
        verbose_name_plural = _("handtekeningen")
        ordering = ["document", "party"]
        constraints = [
            models.UniqueConstraint(
                fields=["document", "party"], name="signature_one_per_party"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_party_display()}: {self.name}"
