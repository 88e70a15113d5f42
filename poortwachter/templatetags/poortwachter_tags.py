"""Template pieces the poortwachter app offers to other apps' pages."""

from __future__ import annotations

from typing import Any

from django import template

from accounts.access import Action, can
from cases.models import AbsenceCase
from poortwachter.selectors import probleemanalyse_list

register = template.Library()


@register.inclusion_tag("poortwachter/_advice.html", takes_context=True)
def case_advice(context: dict[str, Any], case: AbsenceCase) -> dict[str, Any]:
    """The bedrijfsarts' advice on a case: the part every viewer may read, and
    for physicians links to the (logged) medical part."""
    user = context["request"].user
    return {
        "case": case,
        "records": probleemanalyse_list(case=case),
        "may_see_medical": can(user, Action.VIEW_MEDICAL, case),
        "tenant": context.get("tenant"),
    }
