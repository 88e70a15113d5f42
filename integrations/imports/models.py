"""Employee import runs, the uploaded file while a run needs it, and the
column mapping each employer's export uses.

A run moves uploaded -> planning -> dry_run (the plan is shown) -> queued ->
running -> done, or to failed. The real run writes everything of one file or
nothing. The uploaded file (it holds BSNs) is stored encrypted and deleted
once the run is done or failed; its sha256 stays on the run.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import TenantOwned
from cases.models import Employer
from core.fields import EncryptedTextField


class ImportSource(models.TextChoices):
    FILE = "file", _("Bestand")
    AFAS = "afas", _("AFAS Profit")


class ImportStatus(models.TextChoices):
    UPLOADED = "uploaded", _("Geüpload, kolommen nog koppelen")
    PLANNING = "planning", _("Proefrun loopt")
    DRY_RUN = "dry_run", _("Proefrun klaar")
    QUEUED = "queued", _("In de wachtrij")
    RUNNING = "running", _("Bezig")
    DONE = "done", _("Klaar")
    FAILED = "failed", _("Mislukt")


class FileEncoding(models.TextChoices):
    UTF8 = "utf-8", _("UTF-8 (ook 'CSV UTF-8' uit Excel)")
    CP1252 = "cp1252", _("Windows-1252 ('CSV (gescheiden door lijstscheidingsteken)')")


class ImportRun(TenantOwned):
    """One import of one employer's employees, from a file or a connector."""

    employer = models.ForeignKey(
        Employer,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("werkgever"),
    )
    source = models.CharField(
        _("bron"), max_length=10, choices=ImportSource, default=ImportSource.FILE
    )
    file_name = models.CharField(_("bestandsnaam"), max_length=255, blank=True)
    sha256 = models.CharField(_("sha256"), max_length=64, blank=True)
    encoding = models.CharField(
        _("tekenset"), max_length=10, choices=FileEncoding, default=FileEncoding.UTF8
    )
    headers = models.JSONField(_("kolommen in het bestand"), default=list)
    columns = models.JSONField(
        _("koppeling"),
        default=dict,
        help_text=_("Per veld de kolomkop in het bestand."),
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=ImportStatus,
        default=ImportStatus.UPLOADED,
    )
    rows_total = models.PositiveIntegerField(_("rijen"), default=0)
    created_count = models.PositiveIntegerField(_("nieuw"), default=0)
    updated_count = models.PositiveIntegerField(_("gewijzigd"), default=0)
    unchanged_count = models.PositiveIntegerField(_("ongewijzigd"), default=0)
    error_count = models.PositiveIntegerField(_("fouten"), default=0)
    missing_count = models.PositiveIntegerField(_("ontbreken in bestand"), default=0)
    # sha256 of exactly what the plan writes; the real run refuses to write
    # when its own plan differs from the one the administrator confirmed.
    plan_digest = models.CharField(max_length=64, blank=True)
    report = models.JSONField(_("verslag"), default=dict, blank=True)
    failure = models.TextField(_("reden van mislukken"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("gestart door"),
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("bevestigd door"),
    )
    created_at = models.DateTimeField(_("gestart op"), auto_now_add=True)
    confirmed_at = models.DateTimeField(_("bevestigd op"), null=True, blank=True)
    finished_at = models.DateTimeField(_("klaar op"), null=True, blank=True)

    class Meta:
        verbose_name = _("import van werknemers")
        verbose_name_plural = _("imports van werknemers")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["tenant", "-created_at"], name="imports_run_tenant_created"
            )
        ]

    def __str__(self) -> str:
        return f"{self.file_name or self.get_source_display()} ({self.employer_id})"

    @property
    def is_busy(self) -> bool:
        return self.status in {
            ImportStatus.PLANNING,
            ImportStatus.QUEUED,
            ImportStatus.RUNNING,
        }


class ImportFile(TenantOwned):
    """The uploaded bytes of a run, base64 and encrypted (they hold BSNs);
    deleted when the run is done or failed."""

    run = models.OneToOneField(
        ImportRun, on_delete=models.CASCADE, related_name="upload"
    )
    content = EncryptedTextField()

    class Meta:
        verbose_name = _("importbestand")
        verbose_name_plural = _("importbestanden")

    def __str__(self) -> str:
        return f"{self.run_id}"


class ImportMapping(TenantOwned):
    """Which column of an employer's export holds which field; saved when a
    run is confirmed and offered again for the next file."""

    employer = models.ForeignKey(
        Employer,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("werkgever"),
    )
    columns = models.JSONField(_("koppeling"), default=dict)
    encoding = models.CharField(
        _("tekenset"), max_length=10, choices=FileEncoding, default=FileEncoding.UTF8
    )
    updated_at = models.DateTimeField(_("bijgewerkt op"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("kolomkoppeling")
        verbose_name_plural = _("kolomkoppelingen")
        constraints = [
            models.UniqueConstraint(
                fields=["employer"], name="imports_mapping_one_per_employer"
            )
        ]

    def __str__(self) -> str:
        return f"{self.employer_id}"
