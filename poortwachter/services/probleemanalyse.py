"""Recording the bedrijfsarts' probleemanalyse, bijstelling and actueel oordeel."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.access import Action, can
from accounts.models import User
from accounts.services import audit_event_record
from cases.models import AbsenceCase
from cases.signals import case_facts_changed
from core.exceptions import ApplicationError
from poortwachter.models import (
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
    today = today or timezone.localdate()
    if not can(actor, Action.VIEW_MEDICAL, case):
        raise ApplicationError(
            _(
                "Alleen de bedrijfsarts of een casemanager in taakdelegatie "
                "legt dit vast."
            )
        )
    if kind not in ProbleemanalyseKind.values:
        raise ApplicationError(_("Kies wat voor oordeel dit is."), field="kind")
    root = case_chain(case=case)[0]
    if made_on > today:
        raise ApplicationError(
            _("De datum van het oordeel ligt in de toekomst."), field="made_on"
        )
    if made_on < root.first_sick_day:
        raise ApplicationError(
            _("De datum van het oordeel ligt vóór de eerste ziektedag."),
            field="made_on",
        )
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
        ProbleemanalyseMedical.objects.create(
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
