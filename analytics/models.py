"""Materialised figures of closed periods."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import TenantOwned
from cases.models import Employer


class FigureSnapshot(TenantOwned):
    """The dashboard of one employer (or department) over one closed period,
    as computed at ``computed_at``. Days that have passed change only when
    someone corrects old data; such a correction deletes the snapshots it
    touches, and the nightly refresh computes them again."""

    employer = models.ForeignKey(
        Employer,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("werkgever"),
    )
    department = models.CharField(_("afdeling"), max_length=100, blank=True)
    period_kind = models.CharField(max_length=10)
    period_start = models.DateField()
    period_end = models.DateField()
    data = models.JSONField()
    computed_at = models.DateTimeField()

    class Meta:
        verbose_name = _("verzuimcijfers (vastgelegd)")
        verbose_name_plural = _("verzuimcijfers (vastgelegd)")
        constraints = [
            models.UniqueConstraint(
                fields=["employer", "department", "period_start", "period_end"],
                name="figuresnapshot_unique_per_period",
            )
        ]
        indexes = [models.Index(fields=["employer", "period_end"])]

    def __str__(self) -> str:
        scope = f"{self.employer_id} {self.department}".strip()
        return f"{scope} {self.period_start}..{self.period_end}"
