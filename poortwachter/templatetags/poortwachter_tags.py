"""Template pieces the poortwachter app offers to other apps' pages."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import template
from django.utils import timezone

from accounts.access import Action, can
from cases.models import AbsenceCase
from poortwachter.fml import fml_summary
from poortwachter.selectors import (
    appointment_kinds_for,
    appointment_list,
    case_open_tasks,
    consult_list,
    fml_latest,
    probleemanalyse_list,
)
from poortwachter.services import case_chain

register = template.Library()

# The case page lists open tasks planned within this window; later ones are
# counted (the deadlines page lists them all).
CASE_TASKS_AHEAD = dt.timedelta(days=14)


@register.inclusion_tag("poortwachter/_advice.html", takes_context=True)
def case_advice(context: dict[str, Any], case: AbsenceCase) -> dict[str, Any]:
    """The bedrijfsarts' advice on a case: the part every viewer may read
    (judgements, the latest FML as a list of limitations, when consults took
    place), and for physicians links to the (logged) medical parts."""
    user = context["request"].user
    may_see_medical = can(user, Action.VIEW_MEDICAL, case)
    chain = case_chain(case=case)
    fml = fml_latest(chain=chain)
    rubrieken = fml_summary(fml.entries) if fml else []
    return {
        "case": case,
        "records": probleemanalyse_list(chain=chain),
        "fml": fml,
        "fml_rubrieken": rubrieken,
        "fml_unlimited": [r for r in rubrieken if not r.limitations],
        "consults": consult_list(chain=chain),
        "may_see_medical": may_see_medical,
        "tenant": context.get("tenant"),
    }


@register.inclusion_tag("poortwachter/_case_tasks.html", takes_context=True)
def case_tasks(context: dict[str, Any], case: AbsenceCase) -> dict[str, Any]:
    """The open tasks on a case the viewer may work (a manager: their own)."""
    request = context["request"]
    today = timezone.localdate()
    tasks = list(case_open_tasks(actor=request.user, case=case))
    soon = [t for t in tasks if t.planned_for <= today + CASE_TASKS_AHEAD]
    return {
        "case": case,
        "tasks": soon,
        "later": len(tasks) - len(soon),
        "today": today,
        "tenant": context.get("tenant"),
        "back": request.get_full_path(),
    }


@register.inclusion_tag("poortwachter/_appointments.html", takes_context=True)
def case_appointments(context: dict[str, Any], case: AbsenceCase) -> dict[str, Any]:
    """The appointments of a case (spreekuur, evaluatiegesprek) with whether
    their invitations went out; planning and changing for those allowed."""
    kinds = appointment_kinds_for(actor=context["request"].user, case=case)
    return {
        "case": case,
        "appointments": list(appointment_list(case=case)),
        "kinds": kinds,
        "may_plan": bool(kinds) and case.status == "open",
        "today": timezone.localdate(),
        "tenant": context.get("tenant"),
    }
