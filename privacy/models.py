"""Retention: how long each kind of data is kept, and what happened to it.

A tenant's ``RetentionPolicy`` says, per category of data, how many months
after the end of a case (a whole samentelling chain) the data is anonymised
or deleted. The nightly run (``privacy.services.retention_run``) carries it
out, marks what it did per case (``RetentionMark``), so a second run does
nothing twice, and reports counts (``RetentionRun``). The defaults and their
legal basis are in ``docs/security/retention.md``.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import TenantOwned
from cases.models import AbsenceCase, Employee

# The longest period a tenant can choose (50 years); a longer one is a typo.
MAX_MONTHS = 600
# An eigenrisicodrager keeps what it needs for the ZW (and, in practice, the
# WGA) five years (AP, Beleidsregels 'De zieke werknemer', 2016; see
# docs/security/retention.md).
EIGENRISICODRAGER_MIN_MONTHS = 60


class RetentionCategory(models.TextChoices):
    """The kinds of data with a period of their own."""

    CASE_DATA = "case_data", _("Dossiergegevens")
    CONTACT_NOTES = "contact_notes", _("Contactmomenten")
    DOCUMENTS = "documents", _("Documenten en handtekeningen")
    TRIAGE = "triage", _("Antwoorden op vragenlijsten")
    MEDICAL = "medical", _("Medische gegevens")
    AUDIT = "audit", _("Audittrail")
    EMPLOYEE = "employee", _("Werknemergegevens")


# The categories counted from the end of a case; EMPLOYEE is counted from
# the end of employment (and of the last case).
CASE_CATEGORIES = (
    RetentionCategory.CASE_DATA,
    RetentionCategory.CONTACT_NOTES,
    RetentionCategory.DOCUMENTS,
    RetentionCategory.TRIAGE,
    RetentionCategory.MEDICAL,
    RetentionCategory.AUDIT,
)


# Categories without a choice of action.
ALWAYS_DELETED = (RetentionCategory.MEDICAL, RetentionCategory.DOCUMENTS)


class RetentionAction(models.TextChoices):
    ANONYMISE = "anonymise", _("Anonimiseren")
    DELETE = "delete", _("Verwijderen")


def _months_field(label: str, help_text: str) -> models.PositiveSmallIntegerField:
    return models.PositiveSmallIntegerField(
        label,
        default=24,
        validators=[
            MinValueValidator(1, _("Kies minstens 1 maand.")),
            MaxValueValidator(MAX_MONTHS, _("Kies hoogstens 600 maanden.")),
        ],
        help_text=help_text,
    )


def _action_field(label: str) -> models.CharField:
    return models.CharField(
        label,
        max_length=10,
        choices=RetentionAction,
        default=RetentionAction.ANONYMISE,
    )


class RetentionPolicy(TenantOwned):
    """A tenant's retention periods (in months) and what happens after them.

    One row per tenant, made when the tenant is made. Periods count from the
    end of a case (the hersteldatum, or the end of employment for a case
    that ended with it); for a samentelling chain, from the end of its last
    case. For employers that are eigenrisicodrager (ZW or WGA) no period
    except the medical one is shorter than ``eigenrisicodrager_months``.
    """

    case_data_months = _months_field(
        _("dossiergegevens: maanden"),
        _(
            "Afspraken, bereikbaarheid, interventies, taken, afspraken in de "
            "agenda, het oordeel van de bedrijfsarts voor de werkgever en de "
            "FML. Data en percentages blijven na anonimiseren bewaard voor "
            "statistiek."
        ),
    )
    case_data_action = _action_field(_("dossiergegevens: daarna"))
    contact_notes_months = _months_field(
        _("contactmomenten: maanden"), _("Samenvatting en met wie.")
    )
    contact_notes_action = _action_field(_("contactmomenten: daarna"))
    documents_months = _months_field(
        _("documenten: maanden"),
        _(
            "Plan van aanpak, evaluaties en andere formulieren met hun PDF's, "
            "handtekeningen en scans: worden altijd verwijderd."
        ),
    )
    triage_months = _months_field(
        _("vragenlijsten: maanden"),
        _("Niet-medische antwoorden en de redenen van het routeringsvoorstel."),
    )
    triage_action = _action_field(_("vragenlijsten: daarna"))
    medical_months = _months_field(
        _("medische gegevens: maanden"),
        _(
            "Aantekeningen van de bedrijfsarts, medisch deel van de "
            "probleemanalyse en medische antwoorden: worden altijd verwijderd. "
            "Houdt u hier het medisch dossier bij (WGBO), kies dan 240 maanden."
        ),
    )
    audit_months = _months_field(
        _("audittrail: maanden"),
        _(
            "De gegevens in de audittrail over een dossier. Anonimiseren bewaart "
            "wie wat wanneer deed, zonder inhoud."
        ),
    )
    audit_action = _action_field(_("audittrail: daarna"))
    employee_months = _months_field(
        _("werknemergegevens: maanden"),
        _(
            "Naam, BSN en contactgegevens van een werknemer uit dienst, geteld "
            "vanaf de datum uit dienst of het einde van het laatste dossier. "
            "Anonimiseren bewaart werkgever, contracturen en dienstverband."
        ),
    )
    employee_action = _action_field(_("werknemergegevens: daarna"))
    eigenrisicodrager_months = models.PositiveSmallIntegerField(
        _("eigenrisicodrager: minimaal maanden"),
        default=EIGENRISICODRAGER_MIN_MONTHS,
        validators=[
            MinValueValidator(
                EIGENRISICODRAGER_MIN_MONTHS,
                _(
                    "Een eigenrisicodrager moet deze gegevens minstens 5 jaar "
                    "(60 maanden) bewaren."
                ),
            ),
            MaxValueValidator(MAX_MONTHS, _("Kies hoogstens 600 maanden.")),
        ],
        help_text=_(
            "Voor werkgevers die eigenrisicodrager ZW of WGA zijn, geldt voor "
            "alles behalve medische gegevens minstens deze termijn."
        ),
    )
    updated_at = models.DateTimeField(_("gewijzigd op"), auto_now=True)

    class Meta:
        verbose_name = _("bewaartermijnen")
        verbose_name_plural = _("bewaartermijnen")
        constraints = [
            models.UniqueConstraint(
                fields=["tenant"], name="retention_policy_one_per_tenant"
            )
        ]

    def __str__(self) -> str:
        return str(_("Bewaartermijnen"))

    def months_for(self, category: str, *, eigenrisicodrager: bool) -> int:
        """The period of ``category``; for an eigenrisicodrager's data at
        least ``eigenrisicodrager_months``, except for medical data."""
        months: int = getattr(self, f"{category}_months")
        if eigenrisicodrager and category != RetentionCategory.MEDICAL:
            return max(months, self.eigenrisicodrager_months)
        return months

    def action_for(self, category: str) -> str:
        """Medical data and documents are always deleted: anonymised medical
        text is none, and a signed form without its content and signatures
        is no document (opening it would render an empty form anew)."""
        if category in ALWAYS_DELETED:
            return RetentionAction.DELETE
        return str(getattr(self, f"{category}_action"))


class RetentionTrigger(models.TextChoices):
    NIGHTLY = "nightly", _("Nachtelijke run")
    COMMAND = "command", _("Beheercommando")
    ERASURE = "erasure", _("Verzoek tot wissen (AVG art. 17)")


class RetentionRun(TenantOwned):
    """The report of one run: how many rows of each category were anonymised
    or deleted. Counts only; never names or content."""

    trigger = models.CharField(_("aanleiding"), max_length=10, choices=RetentionTrigger)
    reference_date = models.DateField(_("peildatum"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("door"),
    )
    started_at = models.DateTimeField(_("gestart op"), auto_now_add=True)
    finished_at = models.DateTimeField(_("klaar op"), null=True, blank=True)
    cases = models.PositiveIntegerField(_("dossiers"), default=0)
    employees = models.PositiveIntegerField(_("werknemers"), default=0)
    files = models.PositiveIntegerField(_("bestanden verwijderd"), default=0)
    # {"<category>": {"action": "anonymise" | "delete", "rows": n}}
    counts = models.JSONField(_("aantallen"), default=dict, blank=True)
    complete = models.BooleanField(
        _("volledig"),
        default=True,
        help_text=_("Nee: de limiet per run was bereikt; de volgende run gaat verder."),
    )

    class Meta:
        verbose_name = _("bewaartermijnrapport")
        verbose_name_plural = _("bewaartermijnrapporten")
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_trigger_display()} {self.reference_date:%d-%m-%Y}"


class RetentionMark(TenantOwned):
    """That ``category`` of a case (or, for EMPLOYEE, an employee) was
    processed: the run skips it from then on."""

    category = models.CharField(max_length=20, choices=RetentionCategory)
    case = models.ForeignKey(
        AbsenceCase,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="retention_marks",
    )
    employee = models.ForeignKey(
        Employee,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="retention_marks",
    )
    run = models.ForeignKey(
        RetentionRun, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    processed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("verwerkt gegeven")
        verbose_name_plural = _("verwerkte gegevens")
        constraints = [
            models.UniqueConstraint(
                fields=["case", "category"],
                condition=Q(case__isnull=False),
                name="retention_mark_once_per_case_category",
            ),
            models.UniqueConstraint(
                fields=["employee"],
                condition=Q(employee__isnull=False),
                name="retention_mark_once_per_employee",
            ),
            models.CheckConstraint(
                condition=(
                    Q(case__isnull=False, employee__isnull=True)
                    & ~Q(category="employee")
                )
                | Q(case__isnull=True, employee__isnull=False, category="employee"),
                name="retention_mark_case_or_employee",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.category} {self.case_id or self.employee_id}"
