"""The triage block of the case page: the routing proposal and decision."""

from __future__ import annotations

from typing import Any

from django import template
from django.contrib.auth.models import AnonymousUser
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from accounts.access import Action, can
from accounts.models import User
from cases.models import AbsenceCase, InterventionKind
from triage.forms import RoutingDecisionForm
from triage.models import RoutingDecision
from triage.selectors import routing_decision_latest

register = template.Library()


def _kind_labels(kinds: list[str]) -> list[str]:
    return [
        str(InterventionKind(kind).label) if kind in InterventionKind.values else kind
        for kind in kinds
    ]


def _reason_labels(reasons: list[dict]) -> list[str]:
    """What a reader sees of the rules that fired: their label, or for a rule
    on medical answers only the generic text (once)."""
    language = (get_language() or "nl")[:2]
    labels: list[str] = []
    for reason in reasons:
        if reason.get("medical"):
            label = _("Op basis van antwoorden voor de bedrijfsarts")
        else:
            texts = reason.get("label") or {}
            label = texts.get(language) or texts.get("nl") or reason.get("rule", "")
        if label not in labels:
            labels.append(label)
    return labels


def routing_context(
    *,
    user: User | AnonymousUser,
    case: AbsenceCase,
    decision: RoutingDecision | None = None,
    form: RoutingDecisionForm | None = None,
) -> dict[str, Any]:
    """What the triage block shows ``user``: to whoever may read the proposal
    (regiehouder, casemanager, bedrijfsarts) the proposal, its non-medical
    reasons and the decision, with a form for whoever decides; to everyone
    else only the route decided."""
    if not can(user, Action.ROUTE_PROPOSAL, case):
        return {"case": case, "show_proposal": False}
    if decision is None:
        decision = routing_decision_latest(case=case)
    may_decide = can(user, Action.ROUTE_DECIDE, case)
    if decision is not None and form is None and may_decide and not decision.is_decided:
        form = RoutingDecisionForm(decision=decision)
    return {
        "case": case,
        "show_proposal": True,
        "decision": decision,
        "form": form if may_decide else None,
        "reasons": _reason_labels(decision.reasons) if decision else [],
        "proposed_interventions": _kind_labels(decision.proposed_interventions)
        if decision
        else [],
        "decided_interventions": _kind_labels(decision.interventions)
        if decision
        else [],
        "show_score": can(user, Action.VIEW_MEDICAL, case),
    }


@register.inclusion_tag("triage/_routing.html", takes_context=True)
def case_routing(context: dict[str, Any], case: AbsenceCase) -> dict[str, Any]:
    """The routing proposal after triage and the decision on it."""
    return {
        **routing_context(user=context["request"].user, case=case),
        "tenant": context.get("tenant"),
        "csrf_token": context.get("csrf_token"),
    }
