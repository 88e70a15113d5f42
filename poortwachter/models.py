"""Deadlines, tasks and the tenant's protocol.

Deadlines and tasks belong to the first case of a chain of sick periods (the
counted period; see ``poortwachter.rules.periods``): a relapse within four
weeks continues the same deadlines and tasks.
"""

from __future__ import annotations

import datetime as dt
import uuid
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from accounts.models import Role, TenantOwned
from cases.models import AbsenceCase, Route
from core.fields import EncryptedTextField


class CaseTimeline(TenantOwned):
    """What the rules said about a chain the last time it was refreshed.

    ``stale`` is set in the same transaction as every change of the facts, so
    the follow-up work survives a broker outage: the beat sweep refreshes
    every stale timeline. ``next_review_on`` is the day a repeating task
    round enters the planning horizon, so the nightly run only touches the
    timelines that need it.
    """

    case = models.OneToOneField(
        AbsenceCase, on_delete=models.CASCADE, related_name="timeline"
    )
    outcome = models.CharField(max_length=32, blank=True)
    counted_first_sick_day = models.DateField(null=True, blank=True)
    days_excluded = models.PositiveIntegerField(default=0)
    closed_on = models.DateField(null=True, blank=True)
    is_open = models.BooleanField(default=True)
    rules_version = models.CharField(max_length=20, blank=True)
    error = models.TextField(blank=True)
    stale = models.BooleanField(default=True)
    next_review_on = models.DateField(null=True, blank=True)
    refreshed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("tijdlijn")
        verbose_name_plural = _("tijdlijnen")
        indexes = [
            models.Index(
                fields=["tenant", "next_review_on"],
                condition=Q(is_open=True),
                name="timeline_open_review_idx",
            ),
            models.Index(
                fields=["tenant"], condition=Q(stale=True), name="timeline_stale_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case} ({self.outcome})"


class Deadline(TenantOwned):
    """A legal milestone of a case as the rules computed it (``rules_version``)."""

    case = models.ForeignKey(
        AbsenceCase, on_delete=models.CASCADE, related_name="deadlines"
    )
    milestone = models.CharField(_("mijlpaal"), max_length=40)
    due_date = models.DateField(_("uiterste datum"))
    opens_on = models.DateField(_("vanaf"), null=True, blank=True)
    plan_by = models.DateField(_("inplannen vóór"))
    applies = models.BooleanField(_("van toepassing"), default=True)
    rules_version = models.CharField(max_length=20)
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("wettelijke termijn")
        verbose_name_plural = _("wettelijke termijnen")
        ordering = ["case", "due_date"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "milestone"], name="deadline_unique_per_case"
            )
        ]
        indexes = [
            # The statistics: the steps of one milestone due in a period.
            models.Index(
                fields=["tenant", "milestone", "due_date"],
                condition=Q(applies=True),
                name="deadline_applies_due_idx",
            )
        ]

    def __str__(self) -> str:
        return f"{self.milestone} {self.due_date:%d-%m-%Y}"

    @property
    def label(self) -> str:
        from poortwachter.labels import MILESTONE_LABELS

        return str(MILESTONE_LABELS.get(self.milestone, self.milestone))


class Anchor(models.TextChoices):
    ZIEKMELDING = "ziekmelding", _("ziekmelding")
    FIRST_SICK_DAY = "first_sick_day", _("eerste ziektedag")
    PROBLEEMANALYSE = "probleemanalyse", _("probleemanalyse")
    PLAN_VAN_AANPAK = "plan_van_aanpak", _("plan van aanpak")
    RECOVERY = "recovery", _("hersteldatum")


class OffsetUnit(models.TextChoices):
    CALENDAR_DAYS = "calendar_days", _("kalenderdagen")
    WORKING_DAYS = "working_days", _("werkdagen")
    WEEKS = "weeks", _("weken")


class ProtocolStep(TenantOwned):
    """A step of the tenant's own protocol on top of the law.

    Due ``offset`` units after the ``anchor`` event, for the person in
    ``assignee_role`` on the case; optionally repeating every
    ``repeat_every_weeks`` until the case closes. A step with a ``route``
    applies only to cases on that route (regulier or complex, set after
    triage); without one it applies to every case.
    """

    code = models.SlugField(_("code"), max_length=60)
    title = models.CharField(_("titel"), max_length=200)
    title_en = models.CharField(_("titel (Engels)"), max_length=200, blank=True)
    anchor = models.CharField(_("vanaf"), max_length=20, choices=Anchor)
    # Bounded so that no step lands beyond any date the rules can handle:
    # 730 days, weeks or working days covers the whole 104-week period.
    offset = models.PositiveIntegerField(_("na"), validators=[MaxValueValidator(730)])
    unit = models.CharField(_("eenheid"), max_length=16, choices=OffsetUnit)
    assignee_role = models.CharField(_("rol"), max_length=20, choices=Role)
    repeat_every_weeks = models.PositiveSmallIntegerField(
        _("herhaal elke (weken)"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(104)],
    )
    route = models.CharField(
        _("alleen voor route"),
        max_length=10,
        choices=Route,
        blank=True,
        help_text=_(
            "Leeg: voor elk dossier. Anders alleen voor dossiers op die route."
        ),
    )
    is_active = models.BooleanField(_("actief"), default=True)
    position = models.PositiveSmallIntegerField(_("volgorde"), default=0)

    class Meta:
        verbose_name = _("protocolstap")
        verbose_name_plural = _("protocolstappen")
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "code"],
                name="protocol_step_code_unique",
                violation_error_message=_("Deze code bestaat al in uw protocol."),
            ),
            models.CheckConstraint(
                condition=Q(repeat_every_weeks__isnull=True)
                | Q(repeat_every_weeks__gte=1),
                name="protocol_step_repeat_positive",
                violation_error_message=_("Herhalen kan vanaf elke week."),
            ),
        ]

    def __str__(self) -> str:
        return self.title


class TaskStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Afgerond")
    NOT_APPLICABLE = "not_applicable", _("Niet van toepassing")


class TaskSource(models.TextChoices):
    LEGAL = "legal", _("Wettelijk")
    PROTOCOL = "protocol", _("Protocol")
    MANUAL = "manual", _("Handmatig")


class Task(TenantOwned):
    """Something a person must do for a case, by a date.

    ``(case, source, key, round)`` is unique, so generating tasks twice, or
    from two workers at once, never duplicates one. A task closed by the
    system (``not_applicable`` without ``completed_by``) may be reopened by a
    later refresh; a task a person completed never is.
    """

    case = models.ForeignKey(
        AbsenceCase, on_delete=models.CASCADE, related_name="tasks"
    )
    source = models.CharField(_("bron"), max_length=10, choices=TaskSource)
    key = models.CharField(max_length=60)
    round = models.PositiveSmallIntegerField(default=0)
    title = models.CharField(_("taak"), max_length=200)
    protocol_step = models.ForeignKey(
        ProtocolStep, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    assignee_role = models.CharField(_("rol"), max_length=20, choices=Role)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="tasks",
        verbose_name=_("uitvoerder"),
    )
    due_date = models.DateField(_("uiterste datum"))
    plan_by = models.DateField(_("inplannen vóór"))
    status = models.CharField(
        _("status"), max_length=16, choices=TaskStatus, default=TaskStatus.OPEN
    )
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    completed_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(_("notitie"), blank=True)
    # Snoozing moves when the task shows up in the queue, never its due date.
    snoozed_until = models.DateField(_("uitgesteld tot"), null=True, blank=True)
    snooze_reason = models.CharField(_("reden van uitstel"), max_length=300, blank=True)
    overdue_notified_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("taak")
        verbose_name_plural = _("taken")
        ordering = ["due_date", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "source", "key", "round"], name="task_unique_key"
            )
        ]
        indexes = [
            models.Index(
                fields=["tenant", "due_date"],
                condition=Q(status="open"),
                name="task_open_due_idx",
            ),
            models.Index(
                fields=["assignee", "due_date"],
                condition=Q(status="open"),
                name="task_open_assignee_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.due_date:%d-%m-%Y})"

    @property
    def planned_for(self) -> dt.date:
        """When the task shows up in the queue: the snooze date, else the due date."""
        return self.snoozed_until or self.due_date

    @property
    def display_title(self) -> str:
        """The title in the active language (stored titles are Dutch)."""
        from poortwachter.labels import MILESTONE_LABELS

        if self.source == TaskSource.LEGAL and self.key in MILESTONE_LABELS:
            return str(MILESTONE_LABELS[self.key])
        step = self.protocol_step
        if step is not None and step.title_en and get_language() == "en":
            return step.title_en
        return self.title


class ProbleemanalyseKind(models.TextChoices):
    EERSTE = "eerste", _("Probleemanalyse")
    BIJSTELLING = "bijstelling", _("Bijstelling probleemanalyse")
    ACTUEEL_OORDEEL = "actueel_oordeel", _("Actueel oordeel")


class Probleemanalyse(TenantOwned):
    """The bedrijfsarts' judgement, part for employer and employee.

    Only functional terms live here (limitations, possibilities, prognosis,
    advice). The medical part is a separate model, ``ProbleemanalyseMedical``,
    which only the bedrijfsarts and a casemanager in taakdelegatie may read.
    """

    case = models.ForeignKey(
        AbsenceCase, on_delete=models.PROTECT, related_name="probleemanalyses"
    )
    kind = models.CharField(
        _("soort"),
        max_length=20,
        choices=ProbleemanalyseKind,
        default=ProbleemanalyseKind.EERSTE,
    )
    made_on = models.DateField(_("datum oordeel"))
    bedrijfsarts = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("bedrijfsarts"),
    )
    limitations = models.TextField(_("beperkingen en mogelijkheden"))
    prognosis = models.TextField(_("prognose"), blank=True)
    advice = models.TextField(_("advies over werkhervatting"))
    plan_van_aanpak_needed = models.BooleanField(
        _("plan van aanpak nodig"), default=True
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("probleemanalyse")
        verbose_name_plural = _("probleemanalyses")
        ordering = ["-made_on", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.made_on:%d-%m-%Y}"


class ProbleemanalyseMedical(TenantOwned):
    """The medical part of a probleemanalyse: encrypted, read only through
    ``poortwachter.selectors.probleemanalyse_medical_get``, which logs every
    read (who, which record, which employee, when, in which role, from where).
    """

    probleemanalyse = models.OneToOneField(
        Probleemanalyse, on_delete=models.CASCADE, related_name="medical"
    )
    anamnesis = EncryptedTextField(_("anamnese"), blank=True)
    assessment = EncryptedTextField(_("medische beoordeling"), blank=True)
    treatment = EncryptedTextField(_("behandeling en verwijzingen"), blank=True)

    class Meta:
        verbose_name = _("medisch deel probleemanalyse")
        verbose_name_plural = _("medische delen probleemanalyse")

    def __str__(self) -> str:
        return f"medisch deel #{self.pk}"


class Fml(TenantOwned):
    """A Functionele Mogelijkhedenlijst: the bedrijfsarts' limitations in the
    UWV's functional terms (``poortwachter.fml``). Functional, not medical:
    the employer reads it. Only deviations from the norm are stored.
    """

    case = models.ForeignKey(AbsenceCase, on_delete=models.PROTECT, related_name="fmls")
    made_on = models.DateField(_("datum FML"))
    bedrijfsarts = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("bedrijfsarts"),
    )
    catalogue_version = models.CharField(max_length=40)
    entries = models.JSONField(default=dict, blank=True)
    remarks = models.TextField(_("algemene toelichting"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("FML")
        verbose_name_plural = _("FML's")
        ordering = ["-made_on", "-id"]

    def __str__(self) -> str:
        return f"FML {self.made_on:%d-%m-%Y}"


class MedicalRecordType(models.TextChoices):
    """The kinds of medical record a read is logged for, each with its model
    (``MEDICAL_RECORD_MODELS``)."""

    CONSULT = "consult_medical", _("Medische aantekeningen consult")
    PROBLEEMANALYSE = "probleemanalyse_medical", _("Medisch deel probleemanalyse")
    QUESTIONNAIRE = "questionnaire_medical", _("Medische antwoorden vragenlijst")


class ConsultKind(models.TextChoices):
    SPREEKUUR = "spreekuur", _("Spreekuur")
    TELEFONISCH = "telefonisch", _("Telefonisch consult")
    VIDEO = "video", _("Videoconsult")
    HUISBEZOEK = "huisbezoek", _("Huisbezoek")


class Consult(TenantOwned):
    """A consult of the bedrijfsarts. That it took place, its form and the
    next appointment are case facts; its notes are medical and live apart in
    ``ConsultMedical`` (encrypted, read only through
    ``poortwachter.selectors.consult_medical_get``, every read logged)."""

    case = models.ForeignKey(
        AbsenceCase, on_delete=models.PROTECT, related_name="consults"
    )
    held_on = models.DateField(_("datum consult"))
    kind = models.CharField(_("vorm"), max_length=12, choices=ConsultKind)
    bedrijfsarts = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("bedrijfsarts"),
    )
    next_consult_on = models.DateField(_("volgend consult"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("consult")
        verbose_name_plural = _("consulten")
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.held_on:%d-%m-%Y}"


class ConsultMedical(TenantOwned):
    """The medical notes of a consult, in their own table (DESIGN §4)."""

    consult = models.OneToOneField(
        Consult, on_delete=models.CASCADE, related_name="medical"
    )
    notes = EncryptedTextField(_("medische aantekeningen"), blank=True)

    class Meta:
        verbose_name = _("medische aantekeningen consult")
        verbose_name_plural = _("medische aantekeningen consulten")

    def __str__(self) -> str:
        return f"medisch consult #{self.pk}"


class MedicalAccessLog(TenantOwned):
    """One read of medical data (NEN 7513 style): who (``user``), in which
    role, which record (``record_type`` and ``record_id``), of which patient
    (``employee``), when and from where (``remote_addr``).

    Append-only: nothing in the app changes or deletes a row, and on
    PostgreSQL a trigger refuses UPDATE, DELETE and TRUNCATE of a non-empty
    log (migration ``0012``). Kept at least five years (NEN 7513); case
    retention anonymises an employee in place and never deletes the rows,
    which is why the foreign keys PROTECT.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("gebruiker"),
    )
    role = models.CharField(_("rol"), max_length=20, choices=Role)
    record_type = models.CharField(
        _("soort gegevens"), max_length=60, choices=MedicalRecordType
    )
    record_id = models.BigIntegerField(_("record"))
    employee = models.ForeignKey(
        "cases.Employee",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("werknemer"),
    )
    accessed_at = models.DateTimeField(_("tijdstip"), auto_now_add=True, db_index=True)
    remote_addr = models.GenericIPAddressField(_("IP-adres"), null=True, blank=True)

    class Meta:
        verbose_name = _("inzage medische gegevens")
        verbose_name_plural = _("inzages medische gegevens")
        ordering = ["-accessed_at"]
        indexes = [models.Index(fields=["tenant", "employee", "accessed_at"])]

    def __str__(self) -> str:
        return f"{self.user_id} {self.record_type}#{self.record_id}"


# Appointments are planned and shown in Dutch time, whatever the server runs.
APPOINTMENT_TZ = ZoneInfo("Europe/Amsterdam")


class AppointmentKind(models.TextChoices):
    SPREEKUUR = "spreekuur", _("Spreekuur bedrijfsarts")
    EVALUATIEGESPREK = "evaluatiegesprek", _("Evaluatiegesprek")


class AppointmentStatus(models.TextChoices):
    PLANNED = "planned", _("Gepland")
    CANCELLED = "cancelled", _("Geannuleerd")


class Appointment(TenantOwned):
    """A planned meeting on a case: a spreekuur of the bedrijfsarts or an
    evaluatiegesprek. Every attendee gets a calendar invitation.

    Only when, where and what kind: never why (the reason for a consult is
    medical and stays in the bedrijfsarts' records). ``uid`` names the event
    in every calendar for its whole life; ``sequence`` counts the changes
    (RFC 5545), and ``invited_sequence`` is the change whose invitations have
    all gone out.
    """

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey(
        AbsenceCase,
        on_delete=models.PROTECT,
        related_name="appointments",
        verbose_name=_("verzuimdossier"),
    )
    kind = models.CharField(_("soort afspraak"), max_length=20, choices=AppointmentKind)
    date = models.DateField(_("datum"))
    start_time = models.TimeField(_("begintijd"))
    end_time = models.TimeField(_("eindtijd"))
    location = models.CharField(_("locatie"), max_length=200, blank=True)
    video_url = models.URLField(_("videolink"), max_length=500, blank=True)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=AppointmentStatus,
        default=AppointmentStatus.PLANNED,
    )
    sequence = models.PositiveIntegerField(default=0, editable=False)
    invited_sequence = models.PositiveIntegerField(
        null=True, blank=True, editable=False
    )
    organizer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("gepland door"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("afspraak")
        verbose_name_plural = _("afspraken")
        ordering = ["date", "start_time", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_time__gt=models.F("start_time")),
                name="appointment_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        if self.date is None or self.start_time is None:
            return str(self.get_kind_display())
        return f"{self.get_kind_display()} {self.date:%d-%m-%Y} {self.start_time:%H:%M}"

    @property
    def starts_at(self) -> dt.datetime:
        return dt.datetime.combine(self.date, self.start_time, tzinfo=APPOINTMENT_TZ)

    @property
    def ends_at(self) -> dt.datetime:
        return dt.datetime.combine(self.date, self.end_time, tzinfo=APPOINTMENT_TZ)

    @property
    def is_cancelled(self) -> bool:
        return self.status == AppointmentStatus.CANCELLED

    @property
    def invitations_sent(self) -> bool:
        """Whether every attendee got the invitation of the latest change."""
        return self.invited_sequence == self.sequence
