"""Writes on absence cases: ziekmelding and hersteldmelding.

Every service validates the domain rules, raises ``ApplicationError`` with a
message for the person who entered the data, and writes atomically with an
audit event in the same transaction.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts.access import Action, can
from accounts.audit import audit_changes, audit_snapshot, audit_value
from accounts.models import Role, User
from accounts.services import audit_event_record
from cases.exceptions import CaseAlreadyOpenError
from cases.models import (
    AbsenceCase,
    CaseStatus,
    ContactChannel,
    ContactNote,
    Employee,
    Employer,
    ExpectedDuration,
    Intervention,
    InterventionKind,
    InterventionStatus,
    Route,
    WorkabilityChange,
)
from cases.signals import (
    case_facts_changed,
    case_people_changed,
    case_recovered,
    case_reported,
    employees_changed,
)
from cases.validators import mask_bsn, normalize_bsn, validate_bsn
from core.exceptions import ApplicationError

# Art. 7:629 lid 10 BW: periods separated by fewer than four weeks of full
# fitness are added together (samentelling); 28 or more fit days start anew.
SAMENTELLING_MAX_FIT_DAYS = 27


def _fmt(day: dt.date) -> str:
    return date_format(day, "j F Y")


# The fields of a case whose changes the audit trail records (before/after;
# free text such as the agreements and the address only as a digest).
CASE_AUDIT_FIELDS = (
    "employee",
    "first_sick_day",
    "status",
    "recovery_date",
    "reported_by",
    "expected_duration",
    "accident_or_third_party",
    "work_possible",
    "agreements",
    "vangnet_category",
    "reachable_phone",
    "reachable_address",
    "previous_case",
    "route",
    "regiehouder",
    "casemanager",
    "bedrijfsarts",
)
CONTACT_NOTE_AUDIT_FIELDS = ("case", "contact_date", "channel", "with_whom", "summary")


def ziekmelding_create(
    *,
    actor: User,
    employee: Employee,
    first_sick_day: dt.date,
    expected_duration: str = ExpectedDuration.UNKNOWN,
    reachable_phone: str = "",
    reachable_address: str = "",
    accident_or_third_party: bool = False,
    work_possible: bool = False,
    agreements: str = "",
    today: dt.date | None = None,
) -> AbsenceCase:
    """Open a case for ``employee`` from ``first_sick_day``.

    Rules: the first sick day is at most one day ahead (an employee who calls
    in sick tonight for tomorrow) and not before the employment started nor
    after it ended, and after the hersteldatum of an earlier case; the
    employee has no other open case. A relapse within 28 fit days of an
    earlier case is linked to it for samentelling.
    """
    today = today or timezone.localdate()
    if first_sick_day > today + dt.timedelta(days=1):
        raise ApplicationError(
            _("De eerste ziektedag mag hoogstens één dag in de toekomst liggen."),
            field="first_sick_day",
        )
    if first_sick_day < employee.employment_start:
        raise ApplicationError(
            _("De eerste ziektedag ligt vóór de datum in dienst (%(date)s).")
            % {"date": _fmt(employee.employment_start)},
            field="first_sick_day",
        )
    if employee.employment_end and first_sick_day > employee.employment_end:
        raise ApplicationError(
            _("De eerste ziektedag ligt na de datum uit dienst (%(date)s).")
            % {"date": _fmt(employee.employment_end)},
            field="first_sick_day",
        )
    if expected_duration not in ExpectedDuration.values:
        raise ApplicationError(
            _("Kies een verwachte duur uit de lijst."), field="expected_duration"
        )

    with transaction.atomic():
        # Lock the employee so two simultaneous reports cannot both pass the
        # open-case check; the partial unique index is the last line.
        Employee.objects.select_for_update().filter(pk=employee.pk).first()
        if AbsenceCase.objects.filter(
            employee=employee, status=CaseStatus.OPEN
        ).exists():
            raise CaseAlreadyOpenError(
                _("%(name)s heeft al een open verzuimdossier; meld eerst herstel.")
                % {"name": employee.display_name},
                field="employee",
            )
        previous = (
            AbsenceCase.objects.filter(employee=employee, recovery_date__isnull=False)
            .order_by("-recovery_date")
            .first()
        )
        if previous is not None and first_sick_day <= previous.recovery_date:
            raise ApplicationError(
                _(
                    "De eerste ziektedag moet na de vorige hersteldatum "
                    "(%(date)s) liggen."
                )
                % {"date": _fmt(previous.recovery_date)},
                field="first_sick_day",
            )
        linked = (
            previous
            if previous is not None
            and (first_sick_day - previous.recovery_date).days
            <= SAMENTELLING_MAX_FIT_DAYS
            else None
        )
        try:
            case = AbsenceCase.objects.create(
                tenant_id=employee.tenant_id,
                employee=employee,
                first_sick_day=first_sick_day,
                reported_at=timezone.now(),
                reported_by=actor,
                expected_duration=expected_duration,
                reachable_phone=reachable_phone.strip(),
                reachable_address=reachable_address.strip(),
                accident_or_third_party=accident_or_third_party,
                work_possible=work_possible,
                agreements=agreements.strip(),
                vangnet_category=employee.vangnet_category,
                previous_case=linked,
            )
        except IntegrityError as exc:
            raise CaseAlreadyOpenError(
                _("%(name)s heeft al een open verzuimdossier; meld eerst herstel.")
                % {"name": employee.display_name},
                field="employee",
            ) from exc
        WorkabilityChange.objects.create(
            tenant_id=case.tenant_id,
            case=case,
            effective_date=first_sick_day,
            percentage_unfit=100,
            recorded_by=actor,
        )
        case_facts_changed.send(sender=AbsenceCase, case=case)
        case_reported.send(sender=AbsenceCase, case=case)
        audit_event_record(
            actor=actor,
            action="ziekmelding_create",
            obj=case,
            data={
                "employee_id": employee.pk,
                "first_sick_day": first_sick_day.isoformat(),
                "previous_case_id": linked.pk if linked else None,
            },
            changes=audit_changes(case, None, CASE_AUDIT_FIELDS),
        )
    return case


def hersteldmelding_create(
    *,
    actor: User,
    case: AbsenceCase,
    effective_date: dt.date,
    percentage_fit: int = 100,
    hours_worked: float | None = None,
    today: dt.date | None = None,
) -> WorkabilityChange:
    """Record a (partial) recovery of ``case`` from ``effective_date``.

    ``percentage_fit`` 100 is full recovery: the case closes with
    ``effective_date`` as its hersteldatum (the first fit day), which must be
    after the first sick day. A lower percentage is a partial recovery: the
    case stays open. The date is at most one day ahead and not before an
    earlier recorded change.
    """
    today = today or timezone.localdate()
    if not isinstance(percentage_fit, int) or not 0 <= percentage_fit <= 100:
        raise ApplicationError(
            _("Het percentage moet tussen 0 en 100 liggen."), field="percentage_fit"
        )
    if case.status != CaseStatus.OPEN:
        raise ApplicationError(_("Dit verzuimdossier is al afgesloten."), field="case")
    if effective_date > today + dt.timedelta(days=1):
        raise ApplicationError(
            _("De datum mag hoogstens één dag in de toekomst liggen."),
            field="effective_date",
        )
    if effective_date < case.first_sick_day:
        raise ApplicationError(
            _("De datum ligt vóór de eerste ziektedag (%(date)s).")
            % {"date": _fmt(case.first_sick_day)},
            field="effective_date",
        )
    full = percentage_fit == 100
    if full and effective_date == case.first_sick_day:
        raise ApplicationError(
            _(
                "De hersteldatum is de eerste dag waarop de werknemer weer "
                "volledig werkt en ligt dus na de eerste ziektedag."
            ),
            field="effective_date",
        )

    with transaction.atomic():
        locked = AbsenceCase.objects.select_for_update().get(pk=case.pk)
        if locked.status != CaseStatus.OPEN:
            raise ApplicationError(
                _("Dit verzuimdossier is al afgesloten."), field="case"
            )
        before = audit_snapshot(locked, ("status", "recovery_date"))
        latest = locked.workability_changes.order_by("-effective_date").first()
        if latest is not None and effective_date < latest.effective_date:
            raise ApplicationError(
                _("Er is al een wijziging per %(date)s; kies die datum of later.")
                % {"date": _fmt(latest.effective_date)},
                field="effective_date",
            )
        change = WorkabilityChange.objects.create(
            tenant_id=locked.tenant_id,
            case=locked,
            effective_date=effective_date,
            percentage_unfit=100 - percentage_fit,
            hours_worked=hours_worked,
            recorded_by=actor,
        )
        if full:
            locked.status = CaseStatus.RECOVERED
            locked.recovery_date = effective_date
            locked.save(update_fields=["status", "recovery_date"])
        case_facts_changed.send(sender=AbsenceCase, case=locked)
        case_recovered.send(sender=AbsenceCase, case=locked, change=change)
        audit_event_record(
            actor=actor,
            action="hersteldmelding_create",
            obj=locked,
            data={
                "effective_date": effective_date.isoformat(),
                "percentage_fit": percentage_fit,
                "workability_change_id": change.pk,
            },
            changes=audit_changes(locked, before),
        )
    case.refresh_from_db()
    return change


def employee_facts_changed(*, employee: Employee) -> None:
    """The employee's employment dates or vangnet status changed: every case of
    theirs whose timeline depends on it is refreshed (after commit)."""
    for case in AbsenceCase.objects.filter(employee=employee, status=CaseStatus.OPEN):
        case_facts_changed.send(sender=Employee, case=case)


SUMMARY_MAX_LENGTH = 5000


def contact_note_create(
    *,
    actor: User,
    case: AbsenceCase,
    contact_date: dt.date,
    channel: str,
    summary: str,
    with_whom: str = "",
    today: dt.date | None = None,
) -> ContactNote:
    """Record a contact moment on ``case``.

    The summary is non-medical by rule; the form warns about medical words
    before it calls this (``cases.medical_terms``). A contact cannot be in
    the future.
    """
    today = today or timezone.localdate()
    summary = summary.strip()
    if contact_date > today:
        raise ApplicationError(
            _("Een contactmoment kan niet in de toekomst liggen."),
            field="contact_date",
        )
    if channel not in ContactChannel.values:
        raise ApplicationError(_("Kies hoe het contact was."), field="channel")
    if not summary:
        raise ApplicationError(_("Vat het gesprek kort samen."), field="summary")
    if len(summary) > SUMMARY_MAX_LENGTH:
        raise ApplicationError(
            _("De samenvatting is te lang (hoogstens %(max)d tekens).")
            % {"max": SUMMARY_MAX_LENGTH},
            field="summary",
        )
    with transaction.atomic():
        note = ContactNote.objects.create(
            tenant_id=case.tenant_id,
            case=case,
            contact_date=contact_date,
            channel=channel,
            with_whom=with_whom.strip()[:200],
            summary=summary,
            author=actor,
        )
        audit_event_record(
            actor=actor,
            action="contact_note_create",
            obj=note,
            data={"case_id": case.pk, "contact_date": contact_date.isoformat()},
            changes=audit_changes(note, None, CONTACT_NOTE_AUDIT_FIELDS),
        )
    return note


_CASE_PEOPLE = {
    "regiehouder": Role.REGIEHOUDER,
    "casemanager": Role.CASEMANAGER,
    "bedrijfsarts": Role.BEDRIJFSARTS,
}


def case_assign(
    *,
    actor: User,
    case: AbsenceCase,
    route: str,
    regiehouder: User | None,
    casemanager: User | None,
    bedrijfsarts: User | None,
) -> AbsenceCase:
    """Set the route and the people who run ``case``.

    Each person must hold that role in the case's tenant. Open tasks of a
    replaced person move to their successor (through ``case_people_changed``);
    a new route refreshes the case's tasks (protocol steps per route).
    """
    from accounts.models import Membership

    if route not in Route.values and route != "":
        raise ApplicationError(_("Kies regulier of complex."), field="route")
    people = {
        "regiehouder": regiehouder,
        "casemanager": casemanager,
        "bedrijfsarts": bedrijfsarts,
    }
    for field, person in people.items():
        if (
            person is not None
            and not Membership.objects.filter(
                user=person, role=_CASE_PEOPLE[field], is_active=True
            ).exists()
        ):
            raise ApplicationError(
                _("%(name)s is geen %(role)s in deze organisatie.")
                % {"name": person.get_full_name(), "role": _CASE_PEOPLE[field].label},
                field=field,
            )
    with transaction.atomic():
        locked = AbsenceCase.objects.select_for_update().get(pk=case.pk)
        before = audit_snapshot(locked, ("route", *people))
        changes = {
            _CASE_PEOPLE[field].value: (
                getattr(locked, f"{field}_id"),
                person.pk if person else None,
            )
            for field, person in people.items()
            if getattr(locked, f"{field}_id") != (person.pk if person else None)
        }
        route_changed = locked.route != route
        locked.route = route
        for field, person in people.items():
            setattr(locked, field, person)
        locked.save(update_fields=["route", *people])
        audit_event_record(
            actor=actor,
            action="case_assign",
            obj=locked,
            data={"route": route},
            changes=audit_changes(locked, before),
        )
        if changes:
            case_people_changed.send(sender=AbsenceCase, case=locked, changes=changes)
        if route_changed:
            # Protocol steps may hold for one route only.
            case_facts_changed.send(sender=AbsenceCase, case=locked)
    return locked


INTERVENTION_FIELDS = (
    "kind",
    "provider",
    "requested_on",
    "start_date",
    "end_date",
    "cost",
    "status",
    "notes",
)


def _intervention_check(*, actor: User, case: AbsenceCase, fields: dict) -> dict:
    """Validate an intervention's fields; returns them cleaned."""
    if not can(actor, Action.INTERVENTION, case):
        raise ApplicationError(
            _("Alleen de regiehouder of casemanager legt interventies vast.")
        )
    unknown = set(fields) - set(INTERVENTION_FIELDS)
    if unknown:
        raise ValueError(f"unknown intervention fields: {sorted(unknown)}")
    if fields.get("kind") not in InterventionKind.values:
        raise ApplicationError(_("Kies de soort interventie."), field="kind")
    if fields.get("status") not in InterventionStatus.values:
        raise ApplicationError(_("Kies de status."), field="status")
    requested_on, start, end = (
        fields.get("requested_on"),
        fields.get("start_date"),
        fields.get("end_date"),
    )
    if requested_on is None:
        raise ApplicationError(
            _("Vul in wanneer de interventie is aangevraagd."), field="requested_on"
        )
    if requested_on > timezone.localdate():
        raise ApplicationError(
            _("De aanvraagdatum ligt in de toekomst."), field="requested_on"
        )
    if start and end and end < start:
        raise ApplicationError(
            _("De einddatum ligt vóór de startdatum."), field="end_date"
        )
    if fields["status"] == InterventionStatus.AFGEROND and not end:
        raise ApplicationError(
            _("Een afgeronde interventie heeft een einddatum."), field="end_date"
        )
    cost = fields.get("cost")
    if cost is not None and cost < 0:
        raise ApplicationError(_("Kosten kunnen niet negatief zijn."), field="cost")
    return {
        **fields,
        "provider": (fields.get("provider") or "").strip(),
        "notes": (fields.get("notes") or "").strip(),
    }


def intervention_create(
    *, actor: User, case: AbsenceCase, **fields: object
) -> Intervention:
    """Record an intervention on ``case`` (regiehouder or casemanager)."""
    cleaned = _intervention_check(actor=actor, case=case, fields=fields)
    with transaction.atomic():
        intervention = Intervention.objects.create(
            tenant_id=case.tenant_id, case=case, created_by=actor, **cleaned
        )
        audit_event_record(
            actor=actor,
            action="intervention_create",
            obj=intervention,
            data={"case_id": case.pk, "kind": intervention.kind},
            changes=audit_changes(intervention, None, INTERVENTION_FIELDS),
        )
    return intervention


def intervention_update(
    *, actor: User, intervention: Intervention, **fields: object
) -> Intervention:
    """Change an intervention: dates, status, cost, provider, notes."""
    cleaned = _intervention_check(actor=actor, case=intervention.case, fields=fields)
    before = audit_snapshot(intervention, cleaned)
    with transaction.atomic():
        for name, value in cleaned.items():
            setattr(intervention, name, value)
        intervention.save()
        audit_event_record(
            actor=actor,
            action="intervention_update",
            obj=intervention,
            data={"case_id": intervention.case_id},
            changes=audit_changes(intervention, before),
        )
    return intervention


# --- Employee master data: one upsert, shared by the API and the import ------

# The fields a system (REST API, file import, HR connector) may set on an
# employee. ``manager_email`` is accepted in place of ``manager``.
EMPLOYEE_UPSERT_FIELDS = (
    "bsn",
    "initials",
    "first_name",
    "surname_prefix",
    "surname",
    "birth_name",
    "date_of_birth",
    "email",
    "phone",
    "preferred_language",
    "job_title",
    "department",
    "contract_hours",
    "manager",
    "employment_start",
    "employment_end",
)
EMPLOYEE_REQUIRED_FIELDS = ("surname", "employment_start")
# Facts the Poortwachter timeline or the documents of an open case depend on.
EMPLOYEE_FACT_FIELDS = frozenset(
    {"employment_start", "employment_end", "contract_hours"}
)
_EMPLOYEE_TEXT_FIELDS = frozenset(
    {
        "initials",
        "first_name",
        "surname_prefix",
        "surname",
        "birth_name",
        "email",
        "phone",
        "job_title",
        "department",
    }
)
_EMPLOYEE_DATE_FIELDS = frozenset(
    {"date_of_birth", "employment_start", "employment_end"}
)
# The Arbeidstijdenwet allows at most 60 hours in one week.
CONTRACT_HOURS_MAX = Decimal(60)
_EARLIEST_PLAUSIBLE_DATE = dt.date(1900, 1, 1)


@dataclasses.dataclass(frozen=True)
class EmployeeChange:
    """What writing one employee would do: create it, or change ``values``.

    ``values`` holds cleaned values: every given field for a create, only the
    fields that differ for an update (``before`` holds their old values).
    """

    personnel_number: str
    employee: Employee | None
    values: dict[str, Any]
    before: dict[str, Any] = dataclasses.field(default_factory=dict)

    @property
    def created(self) -> bool:
        return self.employee is None

    @property
    def facts_changed(self) -> bool:
        return not self.created and bool(EMPLOYEE_FACT_FIELDS & set(self.values))

    def summary(self) -> dict[str, list[str]]:
        """``{field: [before, after]}`` as text, the BSN masked: safe for an
        audit event or a report page."""
        return {
            name: [
                _employee_value_text(name, self.before.get(name)),
                _employee_value_text(name, value),
            ]
            for name, value in self.values.items()
        }


def _employee_value_text(name: str, value: Any) -> str:
    if value is None or value == "":
        return ""
    if name == "bsn":
        return mask_bsn(value)
    if isinstance(value, dt.date):
        return value.strftime("%d-%m-%Y")
    if isinstance(value, User):
        return value.email
    return str(value)


def employee_managers_by_email(*, emails: Iterable[str]) -> dict[str, User]:
    """Users with an active leidinggevende membership in the scoped tenant,
    by lower-cased e-mail address (one query for any number of addresses)."""
    from accounts.models import Membership

    wanted = {email.strip().lower() for email in emails if email and email.strip()}
    if not wanted:
        return {}
    memberships = Membership.objects.filter(
        role=Role.LEIDINGGEVENDE, is_active=True, user__email__in=wanted
    ).select_related("user")
    return {m.user.email.lower(): m.user for m in memberships}


def _field_label(name: str) -> str:
    return str(Employee._meta.get_field(name).verbose_name)


def _model_clean(name: str, value: Any) -> Any:
    """Run the model field's own conversion and validation on ``value``."""
    model_field = Employee._meta.get_field(name)
    try:
        return model_field.clean(value, None)
    except DjangoValidationError as exc:
        raise ApplicationError(
            "; ".join(str(message) for message in exc.messages), field=name
        ) from exc


def _employee_field_clean(
    name: str, value: Any, managers: Mapping[str, User]
) -> tuple[str, Any]:
    """One field cleaned for writing; returns (model field name, value)."""
    if name == "manager_email":
        email = (value or "").strip().lower()
        if not email:
            return "manager", None
        manager = managers.get(email)
        if manager is None:
            raise ApplicationError(
                _(
                    "%(email)s is geen actieve leidinggevende in deze organisatie. "
                    "Voeg eerst een lidmaatschap met die rol toe."
                )
                % {"email": email},
                field="manager_email",
            )
        return "manager", manager
    if name == "manager":
        if value is not None and value.email.lower() not in managers:
            raise ApplicationError(
                _("%(name)s is geen actieve leidinggevende in deze organisatie.")
                % {"name": value.get_full_name()},
                field="manager",
            )
        return "manager", value
    if name in _EMPLOYEE_TEXT_FIELDS:
        text = "" if value is None else str(value).strip()
        if name in EMPLOYEE_REQUIRED_FIELDS and not text:
            raise ApplicationError(
                _("%(field)s is verplicht.")
                % {"field": _field_label(name).capitalize()},
                field=name,
            )
        return name, _model_clean(name, text)
    if name == "bsn":
        text = "" if value is None else str(value).strip()
        if not text:
            return name, ""
        try:
            validate_bsn(text)
        except DjangoValidationError as exc:
            raise ApplicationError(exc.messages[0], field=name) from exc
        return name, normalize_bsn(text)
    if name == "preferred_language":
        text = "" if value is None else str(value).strip().lower()
        return name, _model_clean(name, text or Employee._meta.get_field(name).default)
    if name in _EMPLOYEE_DATE_FIELDS:
        if value is None or value == "":
            if name in EMPLOYEE_REQUIRED_FIELDS:
                raise ApplicationError(
                    _("%(field)s is verplicht.")
                    % {"field": _field_label(name).capitalize()},
                    field=name,
                )
            return name, None
        day = _model_clean(name, value)
        if day < _EARLIEST_PLAUSIBLE_DATE or day.year > 2200:
            raise ApplicationError(
                _("%(date)s is geen aannemelijke datum voor %(field)s.")
                % {"date": day.strftime("%d-%m-%Y"), "field": _field_label(name)},
                field=name,
            )
        if name == "date_of_birth" and day >= timezone.localdate():
            raise ApplicationError(
                _("De geboortedatum ligt niet in het verleden."), field=name
            )
        return name, day
    if name == "contract_hours":
        if value is None or value == "":
            return name, None
        hours = _model_clean(name, value)
        if not Decimal(0) <= hours <= CONTRACT_HOURS_MAX:
            raise ApplicationError(
                _("Contracturen per week liggen tussen 0 en %(max)s.")
                % {"max": CONTRACT_HOURS_MAX},
                field=name,
            )
        return name, hours
    raise ApplicationError(
        _("Onbekend veld: %(field)s.") % {"field": name}, field=name
    )  # pragma: no cover - callers check the names first


def employee_fields_clean(
    *, fields: Mapping[str, Any], managers: Mapping[str, User] | None = None
) -> tuple[dict[str, Any], list[ApplicationError]]:
    """Clean ``fields`` for writing on an employee, field by field.

    Returns the cleaned values (model field names; ``manager_email`` becomes
    ``manager``) and one ``ApplicationError`` per field that is wrong, with a
    Dutch message and the field name as given. ``managers`` maps lower-cased
    e-mail addresses to leidinggevenden (``employee_managers_by_email``); it
    is looked up when not given. Text is stripped, a BSN normalized.
    """
    errors: list[ApplicationError] = []
    unknown = set(fields) - {*EMPLOYEE_UPSERT_FIELDS, "manager_email"}
    for name in sorted(unknown):
        errors.append(
            ApplicationError(
                _("Onbekend veld: %(field)s.") % {"field": name}, field=name
            )
        )
    if "manager" in fields and "manager_email" in fields:
        errors.append(
            ApplicationError(
                _("Geef de leidinggevende óf zijn e-mailadres, niet allebei."),
                field="manager_email",
            )
        )
    if managers is None:
        emails = [fields.get("manager_email") or ""]
        if fields.get("manager") is not None:
            emails.append(fields["manager"].email)
        managers = employee_managers_by_email(emails=emails)
    cleaned: dict[str, Any] = {}
    for name, value in fields.items():
        if name in unknown:
            continue
        try:
            target, result = _employee_field_clean(name, value, managers)
        except ApplicationError as error:
            errors.append(error)
        else:
            cleaned[target] = result
    return cleaned, errors


def _employee_current(employee: Employee, name: str) -> Any:
    return employee.manager if name == "manager" else getattr(employee, name)


def _employee_same(employee: Employee, name: str, value: Any) -> bool:
    if name == "manager":
        return employee.manager_id == (value.pk if value is not None else None)
    return getattr(employee, name) == value


def employee_change_plan(
    *,
    personnel_number: str,
    cleaned: Mapping[str, Any],
    current: Employee | None,
) -> tuple[EmployeeChange | None, list[ApplicationError]]:
    """What writing ``cleaned`` (from ``employee_fields_clean``) would do.

    ``current`` is the employer's employee with this personnel number, or
    None. Returns no change when every value equals the stored one, and the
    errors that concern the employee as a whole: a required field missing on
    a create, an employment end before its start.
    """
    errors: list[ApplicationError] = []
    if current is None:
        for name in EMPLOYEE_REQUIRED_FIELDS:
            if cleaned.get(name) in (None, ""):
                errors.append(
                    ApplicationError(
                        _("%(field)s is verplicht voor een nieuwe werknemer.")
                        % {"field": _field_label(name).capitalize()},
                        field=name,
                    )
                )
        change: EmployeeChange | None = EmployeeChange(
            personnel_number=personnel_number, employee=None, values=dict(cleaned)
        )
        start, end = cleaned.get("employment_start"), cleaned.get("employment_end")
    else:
        values = {
            name: value
            for name, value in cleaned.items()
            if not _employee_same(current, name, value)
        }
        change = (
            EmployeeChange(
                personnel_number=personnel_number,
                employee=current,
                values=values,
                before={name: _employee_current(current, name) for name in values},
            )
            if values
            else None
        )
        start = cleaned.get("employment_start", current.employment_start)
        end = cleaned.get("employment_end", current.employment_end)
    if start is not None and end is not None and end < start:
        errors.append(
            ApplicationError(
                _(
                    "De datum uit dienst (%(end)s) ligt vóór de datum in dienst "
                    "(%(start)s)."
                )
                % {
                    "end": end.strftime("%d-%m-%Y"),
                    "start": start.strftime("%d-%m-%Y"),
                },
                field="employment_end",
            )
        )
    return (None if errors else change), errors


# Fields the absence statistics read (analytics): changing one changes the
# figures of every period since the employment started.
_EMPLOYEE_STATISTIC_FIELDS = frozenset(
    {"employment_start", "employment_end", "contract_hours", "department"}
)


def _statistics_since(changes: Sequence[EmployeeChange]) -> dt.date | None:
    """The earliest day whose statistics ``changes`` can alter (old and new
    employment start of each employee whose statistic fields change)."""
    days: list[dt.date] = []
    for change in changes:
        if change.created:
            days.append(change.values["employment_start"])
        elif _EMPLOYEE_STATISTIC_FIELDS & set(change.values):
            days.append(change.employee.employment_start)
            days.append(change.values.get("employment_start", dt.date.max))
    return min(days, default=None)


def _employee_changes_write(
    *, employer: Employer, changes: Sequence[EmployeeChange], batch_size: int = 1000
) -> list[Employee]:
    """Write ``changes`` with as few statements as the batch size allows.

    Creates go through one ``bulk_create`` per batch; updates through one
    ``bulk_update`` per set of changed fields and batch, so a field nobody
    changed is never written. Open cases of employees whose facts changed are
    refreshed (after commit).
    """
    creates = [
        Employee(
            tenant_id=employer.tenant_id,
            employer=employer,
            personnel_number=change.personnel_number,
            **change.values,
        )
        for change in changes
        if change.created
    ]
    since = _statistics_since(changes)
    Employee.objects.bulk_create(creates, batch_size=batch_size)
    by_fields: dict[tuple[str, ...], list[Employee]] = {}
    for change in changes:
        if change.employee is None:
            continue
        for name, value in change.values.items():
            setattr(change.employee, name, value)
        by_fields.setdefault(tuple(sorted(change.values)), []).append(change.employee)
    for names, employees in by_fields.items():
        Employee.objects.bulk_update(employees, names, batch_size=batch_size // 2)
    changed_facts = [c.employee for c in changes if c.facts_changed]
    # One query finds who has an open case, so a file that changes the hours
    # of thousands of employees does not cost a query per employee.
    with_open_case: set[int] = set()
    for start in range(0, len(changed_facts), batch_size):
        with_open_case.update(
            AbsenceCase.objects.filter(
                employee__in=changed_facts[start : start + batch_size],
                status=CaseStatus.OPEN,
            ).values_list("employee_id", flat=True)
        )
    for employee in changed_facts:
        if employee.pk in with_open_case:
            employee_facts_changed(employee=employee)
    if since is not None:
        employees_changed.send(sender=Employee, employer=employer, since=since)
    created = iter(creates)
    return [change.employee or next(created) for change in changes]


def employee_upsert(
    *,
    actor: User | None,
    employer: Employer,
    personnel_number: str,
    fields: dict[str, Any],
) -> tuple[Employee, bool]:
    """Create or update the employee of ``employer`` with ``personnel_number``.

    Matches on (employer, personnel number). Only the fields given are
    touched, each validated like the model does (the BSN with the elfproef);
    the manager is a leidinggevende of this tenant, given as ``manager`` or
    by ``manager_email``. A change writes only the fields that differ and
    records an audit event (BSN masked); an unchanged employee is left alone
    without an audit event. Open cases are refreshed when employment dates or
    contract hours change. Never deletes. Returns the employee and whether it
    was created; raises ``ApplicationError`` on the first wrong field.
    """
    number = (personnel_number or "").strip()
    if not number:
        raise ApplicationError(
            _("Personeelsnummer is verplicht."), field="personnel_number"
        )
    max_length = Employee._meta.get_field("personnel_number").max_length
    if len(number) > max_length:
        raise ApplicationError(
            _("Een personeelsnummer heeft hoogstens %(max)d tekens.")
            % {"max": max_length},
            field="personnel_number",
        )
    cleaned, errors = employee_fields_clean(fields=fields)
    if errors:
        raise errors[0]
    with transaction.atomic():
        current = (
            Employee.objects.select_for_update()
            .filter(employer=employer, personnel_number=number)
            .first()
        )
        change, errors = employee_change_plan(
            personnel_number=number, cleaned=cleaned, current=current
        )
        if errors:
            raise errors[0]
        if change is None:
            assert current is not None  # noqa: S101 - no change means it exists
            return current, False
        try:
            with transaction.atomic():
                (employee,) = _employee_changes_write(
                    employer=employer, changes=[change]
                )
        except IntegrityError as exc:
            # Another request created the same personnel number meanwhile.
            raise ApplicationError(
                _(
                    "Dit personeelsnummer is zojuist door iemand anders aangemaakt; "
                    "probeer het opnieuw."
                ),
                field="personnel_number",
            ) from exc
        audit_event_record(
            actor=actor,
            action="employee_create" if change.created else "employee_update",
            obj=employee,
            data={"employer_id": employer.pk, "personnel_number": number},
            changes={
                name: {
                    "before": audit_value(Employee, name, change.before.get(name)),
                    "after": audit_value(Employee, name, value),
                }
                for name, value in change.values.items()
            },
        )
    return employee, change.created


def employees_bulk_apply(
    *,
    actor: User | None,
    employer: Employer,
    changes: Sequence[EmployeeChange],
    source: models.Model,
    data: dict[str, Any] | None = None,
) -> list[Employee]:
    """Write many planned changes (``employee_change_plan``) in one
    transaction, with one audit event on ``source`` (an import run) that
    counts them instead of one event per employee. Never deletes."""
    with transaction.atomic():
        employees = _employee_changes_write(employer=employer, changes=changes)
        created = sum(1 for change in changes if change.created)
        audit_event_record(
            actor=actor,
            action="employees_bulk_apply",
            obj=source,
            data={
                "employer_id": employer.pk,
                "created": created,
                "updated": len(changes) - created,
                **(data or {}),
            },
        )
    return employees
