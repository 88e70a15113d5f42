"""Writes on absence cases: ziekmelding and hersteldmelding.

Every service validates the domain rules, raises ``ApplicationError`` with a
message for the person who entered the data, and writes atomically with an
audit event in the same transaction.
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts.access import Action, can
from accounts.models import Role, User
from accounts.services import audit_event_record
from cases.exceptions import CaseAlreadyOpenError
from cases.models import (
    AbsenceCase,
    CaseStatus,
    ContactChannel,
    ContactNote,
    Employee,
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
)
from core.exceptions import ApplicationError

# Art. 7:629 lid 10 BW: periods separated by fewer than four weeks of full
# fitness are added together (samentelling); 28 or more fit days start anew.
SAMENTELLING_MAX_FIT_DAYS = 27


def _fmt(day: dt.date) -> str:
    return date_format(day, "j F Y")


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
            },
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
            data={"route": route, "changes": changes},
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
        )
    return intervention


def intervention_update(
    *, actor: User, intervention: Intervention, **fields: object
) -> Intervention:
    """Change an intervention: dates, status, cost, provider, notes."""
    cleaned = _intervention_check(actor=actor, case=intervention.case, fields=fields)
    before = {name: str(getattr(intervention, name)) for name in cleaned}
    with transaction.atomic():
        for name, value in cleaned.items():
            setattr(intervention, name, value)
        intervention.save()
        audit_event_record(
            actor=actor,
            action="intervention_update",
            obj=intervention,
            data={
                "before": before,
                "after": {name: str(value) for name, value in cleaned.items()},
            },
        )
    return intervention
