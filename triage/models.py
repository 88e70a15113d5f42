"""Questionnaires (versioned data), invitations by signed link, and answers.

A published ``QuestionnaireVersion`` never changes: answers always point at
the exact definition they were given to. Non-medical answers live on
``Response``; medical answers (by the definition's classification) live
encrypted in ``ResponseMedical`` (DESIGN.md §4). A submitted response may
get a routing proposal (``RoutingDecision``, by the tenant's
``RoutingPolicy``), on which the regiehouder then decides.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import Language, TenantOwned
from cases.models import AbsenceCase, Route
from core.fields import EncryptedTextField


class Questionnaire(TenantOwned):
    """A questionnaire of a tenant; its content lives in its versions."""

    key = models.SlugField(_("sleutel"), max_length=60)
    name = models.CharField(_("naam"), max_length=200)
    copied_from = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    is_active = models.BooleanField(_("in gebruik"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("vragenlijst")
        verbose_name_plural = _("vragenlijsten")
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "key"], name="questionnaire_unique_key"
            )
        ]

    def __str__(self) -> str:
        return self.name


class QuestionnaireVersion(TenantOwned):
    """One version of a questionnaire's definition; frozen once published."""

    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField(_("versie"))
    definition = models.JSONField(_("inhoud"))
    published_at = models.DateTimeField(_("gepubliceerd op"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("versie van een vragenlijst")
        verbose_name_plural = _("versies van vragenlijsten")
        constraints = [
            models.UniqueConstraint(
                fields=["questionnaire", "number"], name="questionnaire_version_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.questionnaire} v{self.number}"


class InvitationStatus(models.TextChoices):
    SENT = "sent", _("Verstuurd")
    STARTED = "started", _("Begonnen")
    COMPLETED = "completed", _("Ingevuld")
    REVOKED = "revoked", _("Ingetrokken")


class Invitation(TenantOwned):
    """An employee's invitation to answer one questionnaire version on one
    case, reached by a signed, expiring link (``triage.links``)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey(
        AbsenceCase, on_delete=models.CASCADE, related_name="invitations"
    )
    version = models.ForeignKey(
        QuestionnaireVersion, on_delete=models.PROTECT, related_name="invitations"
    )
    language = models.CharField(
        _("taal"), max_length=5, choices=Language, default=Language.NL
    )
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=InvitationStatus,
        default=InvitationStatus.SENT,
    )
    sent_at = models.DateTimeField(_("verstuurd op"))
    expires_at = models.DateTimeField(_("verloopt op"))
    reminders_sent = models.PositiveSmallIntegerField(default=0)
    last_reminded_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("uitnodiging")
        verbose_name_plural = _("uitnodigingen")
        ordering = ["-sent_at"]
        indexes = [
            models.Index(
                fields=["tenant", "sent_at"],
                condition=Q(status__in=["sent", "started"]),
                name="invitation_open_idx",
            )
        ]

    def __str__(self) -> str:
        return f"{self.version} → {self.case}"


class Response(TenantOwned):
    """The non-medical answers to an invitation, saved page by page."""

    invitation = models.OneToOneField(
        Invitation, on_delete=models.CASCADE, related_name="response"
    )
    answers = models.JSONField(default=dict)
    sections_done = models.JSONField(default=list)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("antwoorden")
        verbose_name_plural = _("antwoorden")

    def __str__(self) -> str:
        return f"antwoorden #{self.pk}"


class ResponseMedical(TenantOwned):
    """The medical answers of a response: encrypted JSON, read only through
    a logging selector, for the bedrijfsarts and taakdelegatie."""

    response = models.OneToOneField(
        Response, on_delete=models.CASCADE, related_name="medical"
    )
    answers = EncryptedTextField(_("medische antwoorden"), blank=True)

    class Meta:
        verbose_name = _("medische antwoorden")
        verbose_name_plural = _("medische antwoorden")

    def __str__(self) -> str:
        return f"medische antwoorden #{self.pk}"


class SignalPolicy(TenantOwned):
    """A tenant's thresholds for the early signals (``triage.early_signals``).

    One row per tenant at most; without one the defaults below apply
    (``triage.early_signals.signal_policy_for``).
    """

    frequent_absence_count = models.PositiveSmallIntegerField(
        _("frequent verzuim: aantal ziekmeldingen"),
        default=3,
        validators=[
            MinValueValidator(
                2,
                _(
                    "Kies minstens 2 ziekmeldingen: bij 1 zou elke ziekmelding "
                    "een signaal geven."
                ),
            ),
            MaxValueValidator(20, _("Kies hoogstens 20 ziekmeldingen.")),
        ],
        help_text=_("Zoveel ziekmeldingen of meer in de periode hieronder."),
    )
    frequent_absence_months = models.PositiveSmallIntegerField(
        _("frequent verzuim: periode in maanden"),
        default=12,
        validators=[
            MinValueValidator(1, _("Kies een periode van minstens 1 maand.")),
            MaxValueValidator(36, _("Kies een periode van hoogstens 36 maanden.")),
        ],
    )
    no_contact_days = models.PositiveSmallIntegerField(
        _("geen contact: aantal dagen"),
        default=14,
        validators=[
            MinValueValidator(1, _("Kies minstens 1 dag.")),
            MaxValueValidator(365, _("Kies hoogstens 365 dagen.")),
        ],
        help_text=_(
            "Een open dossier zonder contactmoment in zoveel dagen (of sinds de "
            "ziekmelding) geeft een signaal."
        ),
    )
    manager_contact_days = models.PositiveSmallIntegerField(
        _("contact leidinggevende: aantal dagen"),
        default=7,
        validators=[
            MinValueValidator(1, _("Kies minstens 1 dag.")),
            MaxValueValidator(90, _("Kies hoogstens 90 dagen.")),
        ],
        help_text=_(
            "Zonder contactmoment van de leidinggevende in zoveel dagen (of sinds "
            "de ziekmelding) geeft een signaal."
        ),
    )
    questionnaire_hours = models.PositiveSmallIntegerField(
        _("vragenlijst: aantal uren"),
        default=72,
        validators=[
            MinValueValidator(1, _("Kies minstens 1 uur.")),
            MaxValueValidator(720, _("Kies hoogstens 720 uur (30 dagen).")),
        ],
        help_text=_(
            "Een vragenlijst die zoveel uren na het versturen nog niet is "
            "ingevuld, geeft een signaal."
        ),
    )

    class Meta:
        verbose_name = _("instellingen voor signalen")
        verbose_name_plural = _("instellingen voor signalen")
        constraints = [
            models.UniqueConstraint(
                fields=["tenant"], name="signal_policy_one_per_tenant"
            )
        ]

    def __str__(self) -> str:
        return str(_("Instellingen voor signalen"))


class RoutingPolicy(TenantOwned):
    """The tenant's routing rules for one questionnaire (``triage.routing``):
    which answers propose the complex route, an early consult, interventions."""

    questionnaire_key = models.SlugField(_("vragenlijst (sleutel)"), max_length=60)
    rules = models.JSONField(_("regels"))
    updated_at = models.DateTimeField(_("gewijzigd op"), auto_now=True)

    class Meta:
        verbose_name = _("routeringsregels")
        verbose_name_plural = _("routeringsregels")
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "questionnaire_key"],
                name="routing_policy_one_per_questionnaire",
                violation_error_message=_(
                    "Voor deze vragenlijst bestaan al routeringsregels."
                ),
            )
        ]

    def __str__(self) -> str:
        return f"{self.questionnaire_key}"


class RoutingOutcome(models.TextChoices):
    ACCEPTED = "accepted", _("Voorstel overgenomen")
    OVERRIDDEN = "overridden", _("Afgeweken van het voorstel")


class RoutingDecision(TenantOwned):
    """The routing proposal made from one submitted triage response, and the
    regiehouder's decision on it; both are kept side by side.

    ``reasons`` holds the rules that fired as ``{"rule", "label", "medical"}``;
    a medical reason is stored without its label (DESIGN.md §4: no medical
    content outside the medical models), so every reader sees only the
    generic text for it.
    """

    case = models.ForeignKey(
        AbsenceCase,
        on_delete=models.CASCADE,
        related_name="routing_decisions",
        verbose_name=_("verzuimdossier"),
    )
    response = models.OneToOneField(
        Response, on_delete=models.CASCADE, related_name="routing"
    )
    proposed_route = models.CharField(
        _("voorgestelde route"), max_length=10, choices=Route
    )
    proposed_early_consult = models.BooleanField(
        _("vroeg consult bedrijfsarts voorgesteld")
    )
    proposed_interventions = models.JSONField(
        _("voorgestelde interventies"), default=list
    )
    reasons = models.JSONField(_("redenen"), default=list)
    score = models.IntegerField(_("score"))
    proposed_at = models.DateTimeField(_("voorgesteld op"))
    decided_route = models.CharField(
        _("route"), max_length=10, choices=Route, blank=True
    )
    early_consult = models.BooleanField(
        _("vroeg consult bedrijfsarts"), null=True, blank=True
    )
    interventions = models.JSONField(_("interventies"), default=list)
    outcome = models.CharField(
        _("besluit"), max_length=12, choices=RoutingOutcome, blank=True
    )
    reason = models.TextField(_("reden"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("besloten door"),
    )
    decided_at = models.DateTimeField(_("besloten op"), null=True, blank=True)

    class Meta:
        verbose_name = _("routeringsbesluit")
        verbose_name_plural = _("routeringsbesluiten")
        ordering = ["-proposed_at", "-id"]
        indexes = [models.Index(fields=["tenant", "case"])]
        constraints = [
            models.CheckConstraint(
                condition=(Q(outcome="") & Q(decided_at__isnull=True))
                | (~Q(outcome="") & Q(decided_at__isnull=False)),
                name="routing_decision_outcome_with_date",
            ),
            models.CheckConstraint(
                condition=~Q(outcome="overridden") | ~Q(reason=""),
                name="routing_decision_override_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_proposed_route_display()} ({self.case})"

    @property
    def is_decided(self) -> bool:
        return self.decided_at is not None
