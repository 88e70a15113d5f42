"""Employers, employees and their absence cases (verzuimdossiers).

No model here has a field for the nature or cause of an illness: that is
medical data, which lives in the bedrijfsarts' own models.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager
from guardian.managers import UserObjectPermissionManager
from guardian.models import UserObjectPermissionBase

from accounts.models import Language, TenantOwned
from cases.validators import mask_bsn, validate_bsn
from core.fields import EncryptedTextField


class Employer(TenantOwned):
    """A werkgever: a client of the tenant whose employees fall ill."""

    name = models.CharField(_("naam"), max_length=200)
    kvk_number = models.CharField(_("KvK-nummer"), max_length=8, blank=True)
    loonheffingennummer = models.CharField(
        _("loonheffingennummer"), max_length=12, blank=True
    )
    contact_name = models.CharField(_("contactpersoon"), max_length=200, blank=True)
    contact_email = models.EmailField(_("e-mail contactpersoon"), blank=True)
    contact_phone = models.CharField(
        _("telefoon contactpersoon"), max_length=30, blank=True
    )
    eigenrisicodrager_zw = models.BooleanField(_("eigenrisicodrager ZW"), default=False)
    eigenrisicodrager_wga = models.BooleanField(
        _("eigenrisicodrager WGA"), default=False
    )
    fulltime_hours = models.DecimalField(
        _("voltijd uren per week"),
        max_digits=4,
        decimal_places=1,
        default=40,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
        help_text=_(
            "De normale arbeidsduur bij deze werkgever. Contracturen gedeeld "
            "door dit getal is de deeltijdfactor in het verzuimpercentage."
        ),
    )

    class Meta:
        verbose_name = _("werkgever")
        verbose_name_plural = _("werkgevers")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "name"], name="employer_name_unique_in_tenant"
            )
        ]

    def __str__(self) -> str:
        return self.name


class VangnetCategory(models.TextChoices):
    """Why UWV pays (vangnet); values match ``poortwachter.rules.Vangnet``."""

    NONE = "", _("Geen vangnet")
    FICTIEF_DIENSTVERBAND = "fictief_dienstverband", _("Fictief dienstverband")
    NO_RISK_POLIS = "no_risk_polis", _("No-riskpolis")
    ORGAANDONATIE = "orgaandonatie", _("Orgaandonatie")
    ZIEK_DOOR_ZWANGERSCHAP_VOOR_VERLOF = (
        "ziek_door_zwangerschap_voor_verlof",
        _("Ziek door zwangerschap, vóór het verlof"),
    )
    FLEXIBILISERINGSPERIODE = (
        "flexibiliseringsperiode",
        _("Ziek in de flexibiliseringsperiode"),
    )
    ZIEK_DOOR_BEVALLING_NA_VERLOF = (
        "ziek_door_bevalling_na_verlof",
        _("Ziek door zwangerschap of bevalling, na het verlof"),
    )


class Employee(TenantOwned):
    """A werknemer of an employer; the BSN is encrypted and shown masked."""

    employer = models.ForeignKey(
        Employer,
        on_delete=models.PROTECT,
        related_name="employees",
        verbose_name=_("werkgever"),
    )
    personnel_number = models.CharField(_("personeelsnummer"), max_length=40)
    initials = models.CharField(_("voorletters"), max_length=20, blank=True)
    first_name = models.CharField(_("roepnaam"), max_length=100, blank=True)
    surname_prefix = models.CharField(_("tussenvoegsel"), max_length=20, blank=True)
    surname = models.CharField(_("achternaam"), max_length=100)
    birth_name = models.CharField(_("geboortenaam"), max_length=100, blank=True)
    date_of_birth = models.DateField(_("geboortedatum"), null=True, blank=True)
    bsn = EncryptedTextField(
        _("BSN"), blank=True, validators=[validate_bsn], help_text=_("9 cijfers")
    )
    email = models.EmailField(_("e-mailadres"), blank=True)
    phone = models.CharField(_("telefoon"), max_length=30, blank=True)
    preferred_language = models.CharField(
        _("voorkeurstaal"), max_length=2, choices=Language, default=Language.NL
    )
    job_title = models.CharField(_("functie"), max_length=200, blank=True)
    job_description = models.TextField(_("functieomschrijving"), blank=True)
    contract_hours = models.DecimalField(
        _("contracturen per week"),
        max_digits=4,
        decimal_places=1,
        null=True,
        blank=True,
    )
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="managed_employees",
        verbose_name=_("leidinggevende"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="employee_records",
        verbose_name=_("eigen account"),
        help_text=_("Het account waarmee de werknemer zelf inlogt (optioneel)."),
    )
    department = models.CharField(
        _("afdeling"),
        max_length=100,
        blank=True,
        help_text=_("Voor verzuimcijfers per afdeling (optioneel)."),
    )
    employment_start = models.DateField(_("in dienst sinds"))
    employment_end = models.DateField(_("uit dienst per"), null=True, blank=True)
    vangnet_category = models.CharField(
        _("vangnet"),
        max_length=40,
        choices=VangnetCategory,
        blank=True,
        default=VangnetCategory.NONE,
    )

    class Meta:
        verbose_name = _("werknemer")
        verbose_name_plural = _("werknemers")
        ordering = ["surname", "initials"]
        indexes = [models.Index(fields=["employer", "department"])]
        constraints = [
            models.UniqueConstraint(
                fields=["employer", "personnel_number"],
                name="employee_personnel_number_unique_per_employer",
                violation_error_message=_(
                    "Dit personeelsnummer bestaat al bij deze werkgever."
                ),
            ),
            models.CheckConstraint(
                condition=Q(employment_end__isnull=True)
                | Q(employment_end__gte=models.F("employment_start")),
                name="employee_employment_end_after_start",
                violation_error_message=_(
                    "De datum uit dienst ligt vóór de datum in dienst."
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        given = self.first_name or self.initials
        family = " ".join(part for part in (self.surname_prefix, self.surname) if part)
        return f"{given} {family}".strip()

    @property
    def bsn_masked(self) -> str:
        return mask_bsn(self.bsn)


class CaseStatus(models.TextChoices):
    OPEN = "open", _("Open")
    RECOVERED = "recovered", _("Hersteld")
    CLOSED = "closed", _("Gesloten")


class Route(models.TextChoices):
    REGULIER = "regulier", _("Regulier")
    COMPLEX = "complex", _("Complex")


class ExpectedDuration(models.TextChoices):
    """The manager's broad guess at the ziekmelding; never a medical judgement."""

    UNKNOWN = "unknown", _("Onbekend")
    DAYS = "days", _("Enkele dagen")
    WEEKS = "weeks", _("Enkele weken")
    LONG = "long", _("Langer dan 6 weken")


class AbsenceCase(TenantOwned):
    """A verzuimdossier: one sickness of one employee, from ziekmelding to end.

    ``previous_case`` links a relapse within 28 fit days (samentelling, art.
    7:629 lid 10 BW); the two periods then count as one for the Poortwachter
    timeline.
    """

    employee = models.ForeignKey(
        Employee,
        on_delete=models.PROTECT,
        related_name="cases",
        verbose_name=_("werknemer"),
    )
    first_sick_day = models.DateField(_("eerste ziektedag"))
    recovery_date = models.DateField(
        _("hersteldatum"),
        null=True,
        blank=True,
        help_text=_("De eerste dag waarop de werknemer volledig hersteld is."),
    )
    status = models.CharField(
        _("status"), max_length=12, choices=CaseStatus, default=CaseStatus.OPEN
    )
    reported_at = models.DateTimeField(_("gemeld op"))
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("gemeld door"),
    )
    regiehouder = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("regiehouder"),
    )
    casemanager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("casemanager"),
    )
    bedrijfsarts = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="bedrijfsarts_cases",
        verbose_name=_("bedrijfsarts"),
    )
    route = models.CharField(_("route"), max_length=10, choices=Route, blank=True)
    expected_duration = models.CharField(
        _("verwachte duur"),
        max_length=10,
        choices=ExpectedDuration,
        default=ExpectedDuration.UNKNOWN,
    )
    accident_or_third_party = models.BooleanField(
        _("ongeval of derde betrokken (verhaal)"), default=False
    )
    work_possible = models.BooleanField(_("(aangepast) werk mogelijk"), default=False)
    agreements = models.TextField(_("gemaakte afspraken"), blank=True)
    vangnet_category = models.CharField(
        _("vangnet"),
        max_length=40,
        choices=VangnetCategory,
        blank=True,
        default=VangnetCategory.NONE,
    )
    reachable_phone = models.CharField(
        _("bereikbaar op telefoon"), max_length=30, blank=True
    )
    reachable_address = models.TextField(
        _("verblijfadres (als dat afwijkt)"), blank=True
    )
    previous_case = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="relapses",
        verbose_name=_("vorige ziekteperiode (samentelling)"),
    )

    class Meta:
        verbose_name = _("verzuimdossier")
        verbose_name_plural = _("verzuimdossiers")
        ordering = ["-first_sick_day", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["employee"],
                condition=Q(status="open"),
                name="case_one_open_per_employee",
                violation_error_message=_(
                    "Deze werknemer heeft al een open verzuimdossier."
                ),
            ),
            models.CheckConstraint(
                condition=Q(recovery_date__isnull=True)
                | Q(recovery_date__gt=models.F("first_sick_day")),
                name="case_recovery_after_first_sick_day",
            ),
        ]
        indexes = [models.Index(fields=["tenant", "status"])]

    def __str__(self) -> str:
        return f"{self.employee} — {self.first_sick_day:%d-%m-%Y}"


class WorkabilityChange(TenantOwned):
    """From ``effective_date`` the employee is ``percentage_unfit`` % unfit.

    100 is fully sick, 0 is full recovery (which closes the case); anything in
    between is a partial recovery, which keeps the case open.
    """

    case = models.ForeignKey(
        AbsenceCase,
        on_delete=models.CASCADE,
        related_name="workability_changes",
        verbose_name=_("verzuimdossier"),
    )
    effective_date = models.DateField(_("per datum"))
    percentage_unfit = models.PositiveSmallIntegerField(_("percentage ziek"))
    hours_worked = models.DecimalField(
        _("gewerkte uren per week"),
        max_digits=4,
        decimal_places=1,
        null=True,
        blank=True,
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("vastgelegd op"), auto_now_add=True)

    class Meta:
        verbose_name = _("wijziging arbeidsongeschiktheid")
        verbose_name_plural = _("wijzigingen arbeidsongeschiktheid")
        ordering = ["case", "effective_date", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(percentage_unfit__lte=100),
                name="workability_percentage_at_most_100",
            )
        ]

    def __str__(self) -> str:
        return f"{self.effective_date:%d-%m-%Y}: {self.percentage_unfit}%"


class ContactChannel(models.TextChoices):
    PHONE = "phone", _("Telefoon")
    VISIT = "visit", _("Bezoek")
    VIDEO = "video", _("Videogesprek")
    EMAIL = "email", _("E-mail")
    OTHER = "other", _("Anders")


class ContactNote(TenantOwned):
    """A dated contact moment with a non-medical summary."""

    case = models.ForeignKey(
        AbsenceCase,
        on_delete=models.CASCADE,
        related_name="contact_notes",
        verbose_name=_("verzuimdossier"),
    )
    contact_date = models.DateField(_("datum"))
    channel = models.CharField(_("kanaal"), max_length=10, choices=ContactChannel)
    with_whom = models.CharField(_("met wie"), max_length=200, blank=True)
    summary = models.TextField(_("samenvatting"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("auteur"),
    )
    created_at = models.DateTimeField(_("vastgelegd op"), auto_now_add=True)

    class Meta:
        verbose_name = _("contactmoment")
        verbose_name_plural = _("contactmomenten")
        ordering = ["-contact_date", "-id"]

    def __str__(self) -> str:
        return f"{self.contact_date:%d-%m-%Y} {self.get_channel_display()}"


class InterventionKind(models.TextChoices):
    ARBEIDSDESKUNDIG = "arbeidsdeskundig", _("Arbeidsdeskundig onderzoek")
    WERKPLEKONDERZOEK = "werkplekonderzoek", _("Werkplekonderzoek")
    MEDIATION = "mediation", _("Mediation")
    PSYCHISCH = "psychisch", _("Psychische interventie")
    FYSIOTHERAPIE = "fysiotherapie", _("Bedrijfsfysiotherapie")
    COACHING = "coaching", _("Coaching")
    SPOOR_2 = "spoor_2", _("Spoor 2-traject")
    JOBHUNTER = "jobhunter", _("Jobhunter")
    OVERIG = "overig", _("Andere interventie")


class InterventionStatus(models.TextChoices):
    AANGEVRAAGD = "aangevraagd", _("Aangevraagd")
    LOPEND = "lopend", _("Loopt")
    AFGEROND = "afgerond", _("Afgerond")
    GEANNULEERD = "geannuleerd", _("Geannuleerd")


class Intervention(TenantOwned):
    """A re-integration intervention on a case: who provides it, when, at what
    cost. Part of the activity overview of the re-integratieverslag; its
    notes are non-medical like a contact note."""

    case = models.ForeignKey(
        AbsenceCase,
        on_delete=models.CASCADE,
        related_name="interventions",
        verbose_name=_("verzuimdossier"),
    )
    kind = models.CharField(_("soort"), max_length=20, choices=InterventionKind)
    provider = models.CharField(_("uitvoerder"), max_length=200, blank=True)
    requested_on = models.DateField(_("aangevraagd op"))
    start_date = models.DateField(_("startdatum"), null=True, blank=True)
    end_date = models.DateField(_("einddatum"), null=True, blank=True)
    cost = models.DecimalField(
        _("kosten (euro)"), max_digits=9, decimal_places=2, null=True, blank=True
    )
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=InterventionStatus,
        default=InterventionStatus.AANGEVRAAGD,
    )
    notes = models.TextField(_("toelichting"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("interventie")
        verbose_name_plural = _("interventies")
        ordering = ["-requested_on", "-id"]
        indexes = [models.Index(fields=["tenant", "case"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.requested_on:%d-%m-%Y}"


class AbsenceCaseUserObjectPermission(TenantOwned, UserObjectPermissionBase):
    """A django-guardian grant on one case (direct foreign key, not generic).

    Used for people outside the role defaults: an external arbeidsdeskundige,
    a deputy manager, a second-opinion bedrijfsarts.
    """

    content_object = models.ForeignKey(AbsenceCase, on_delete=models.CASCADE)

    objects = ScopedManager(tenant="tenant", _manager_class=UserObjectPermissionManager)

    class Meta(UserObjectPermissionBase.Meta):
        verbose_name = _("toegang tot dossier")
        verbose_name_plural = _("toegang tot dossiers")

    def save(self, *args: object, **kwargs: object) -> None:
        # guardian's assign_perm() creates the row without a tenant: a grant
        # always belongs to the tenant of the case it grants.
        if self.tenant_id is None:
            self.tenant_id = self.content_object.tenant_id
        super().save(*args, **kwargs)
