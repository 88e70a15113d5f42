"""What the bedrijfsarts records: probleemanalyse (with bijstelling and actueel
oordeel), FML and consults. Each needs ``Action.VIEW_MEDICAL`` on the case."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.access import Action, can
from accounts.audit import audit_changes
from accounts.models import User
from accounts.services import audit_event_record
from cases.models import AbsenceCase
from cases.signals import case_facts_changed
from core.exceptions import ApplicationError
from poortwachter.fml import catalogue, fml_entries_clean
from poortwachter.models import (
    Consult,
    ConsultKind,
    ConsultMedical,
    Fml,
    Probleemanalyse,
    ProbleemanalyseKind,
    ProbleemanalyseMedical,
    Task,
    TaskSource,
    TaskStatus,
)
from poortwachter.services.refresh import case_chain
from poortwachter.services.tasks import task_complete

# Which legal task a kind of judgement fulfils.
_FULFILS = {
    ProbleemanalyseKind.EERSTE: "probleemanalyse",
    ProbleemanalyseKind.ACTUEEL_OORDEEL: "actueel_oordeel",
}


def probleemanalyse_record(
    *,
    actor: User,
    case: AbsenceCase,
    kind: str,
    made_on: dt.date,
    limitations: str,
    advice: str,
    prognosis: str = "",
    plan_van_aanpak_needed: bool = True,
    anamnesis: str = "",
    assessment: str = "",
    treatment: str = "",
    today: dt.date | None = None,
) -> Probleemanalyse:
    """Record a judgement in two parts: advice for employer and employee, and
    the medical part only physicians (and taakdelegatie) may ever read.

    A first probleemanalyse or an actueel oordeel completes its legal task and
    moves the timeline on (a late probleemanalyse moves the plan van aanpak).
    """
    _check_physician(actor=actor, case=case)
    if kind not in ProbleemanalyseKind.values:
        raise ApplicationError(_("Kies wat voor oordeel dit is."), field="kind")
    root = _check_date(case=case, day=made_on, field="made_on", today=today)
    if not limitations.strip():
        raise ApplicationError(
            _("Beschrijf de beperkingen en mogelijkheden in functionele termen."),
            field="limitations",
        )
    if not advice.strip():
        raise ApplicationError(
            _("Geef een advies over werkhervatting."), field="advice"
        )
    with transaction.atomic():
        record = Probleemanalyse.objects.create(
            tenant_id=case.tenant_id,
            case=case,
            kind=kind,
            made_on=made_on,
            bedrijfsarts=actor,
            limitations=limitations.strip(),
            prognosis=prognosis.strip(),
            advice=advice.strip(),
            plan_van_aanpak_needed=plan_van_aanpak_needed,
        )
        medical = ProbleemanalyseMedical.objects.create(
            tenant_id=case.tenant_id,
            probleemanalyse=record,
            anamnesis=anamnesis.strip(),
            assessment=assessment.strip(),
            treatment=treatment.strip(),
        )
        audit_event_record(
            actor=actor,
            action="probleemanalyse_record",
            obj=record,
            data={"case_id": case.pk, "kind": kind, "made_on": made_on.isoformat()},
            changes=_with_medical(
                audit_changes(record, None, PROBLEEMANALYSE_AUDIT_FIELDS),
                audit_changes(medical, None, ("anamnesis", "assessment", "treatment")),
            ),
        )
        key = _FULFILS.get(ProbleemanalyseKind(kind))
        task = (
            Task.objects.filter(
                case=root, source=TaskSource.LEGAL, key=key, status=TaskStatus.OPEN
            ).first()
            if key
            else None
        )
        if task is not None:
            task_complete(actor=actor, task=task, completed_on=made_on)
        else:
            case_facts_changed.send(sender=Probleemanalyse, case=case)
    return record


PROBLEEMANALYSE_AUDIT_FIELDS = (
    "kind",
    "made_on",
    "bedrijfsarts",
    "limitations",
    "prognosis",
    "advice",
    "plan_van_aanpak_needed",
)


def _with_medical(changes: dict, medical: dict) -> dict:
    """The record's changes and those of its medical part (``medical.*``),
    which ``accounts.audit`` has already reduced to digests."""
    return changes | {f"medical.{name}": change for name, change in medical.items()}


def _check_physician(*, actor: User, case: AbsenceCase) -> None:
    if not can(actor, Action.VIEW_MEDICAL, case):
        raise ApplicationError(
            _(
                "Alleen de bedrijfsarts of een casemanager in taakdelegatie "
                "legt dit vast."
            )
        )


def _check_date(
    *, case: AbsenceCase, day: dt.date, field: str, today: dt.date | None
) -> AbsenceCase:
    """A physician's record is dated within the chain, not in the future;
    returns the chain's first case."""
    today = today or timezone.localdate()
    root = case_chain(case=case)[0]
    if day > today:
        raise ApplicationError(_("Deze datum ligt in de toekomst."), field=field)
    if day < root.first_sick_day:
        raise ApplicationError(
            _("Deze datum ligt vóór de eerste ziektedag."), field=field
        )
    return root


def fml_record(
    *,
    actor: User,
    case: AbsenceCase,
    made_on: dt.date,
    entries: dict,
    remarks: str = "",
    today: dt.date | None = None,
) -> Fml:
    """Record an FML: only the deviations from the norm, checked against the
    catalogue (``poortwachter.fml``). A later FML replaces the earlier one in
    what the employer reads; all stay on file."""
    _check_physician(actor=actor, case=case)
    _check_date(case=case, day=made_on, field="made_on", today=today)
    cleaned = fml_entries_clean(entries)
    with transaction.atomic():
        record = Fml.objects.create(
            tenant_id=case.tenant_id,
            case=case,
            made_on=made_on,
            bedrijfsarts=actor,
            catalogue_version=catalogue().version,
            entries=cleaned,
            remarks=remarks.strip(),
        )
        audit_event_record(
            actor=actor,
            action="fml_record",
            obj=record,
            data={
                "case_id": case.pk,
                "made_on": made_on.isoformat(),
                "items": sorted(cleaned),
            },
            changes=audit_changes(
                record, None, ("made_on", "bedrijfsarts", "entries", "remarks")
            ),
        )
    return record


def consult_record(
    *,
    actor: User,
    case: AbsenceCase,
    held_on: dt.date,
    kind: str,
    notes: str = "",
    next_consult_on: dt.date | None = None,
    today: dt.date | None = None,
) -> Consult:
    """Record a consult: the facts (date, form, next appointment) and the
    medical notes, stored apart and encrypted."""
    _check_physician(actor=actor, case=case)
    if kind not in ConsultKind.values:
        raise ApplicationError(_("Kies de vorm van het consult."), field="kind")
    _check_date(case=case, day=held_on, field="held_on", today=today)
    if next_consult_on is not None and next_consult_on <= held_on:
        raise ApplicationError(
            _("Het volgende consult ligt na dit consult."), field="next_consult_on"
        )
    with transaction.atomic():
        consult = Consult.objects.create(
            tenant_id=case.tenant_id,
            case=case,
            held_on=held_on,
            kind=kind,
            bedrijfsarts=actor,
            next_consult_on=next_consult_on,
        )
        medical = ConsultMedical.objects.create(
            tenant_id=case.tenant_id, consult=consult, notes=notes.strip()
        )
        audit_event_record(
            actor=actor,
            action="consult_record",
            obj=consult,
            data={"case_id": case.pk, "held_on": held_on.isoformat(), "kind": kind},
            changes=_with_medical(
                audit_changes(
                    consult,
                    None,
                    ("held_on", "kind", "bedrijfsarts", "next_consult_on"),
                ),
                audit_changes(medical, None, ("notes",)),
            ),
        )
    return consult
