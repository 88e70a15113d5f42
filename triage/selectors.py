"""Reads of the triage app."""

from __future__ import annotations

from django.shortcuts import get_object_or_404

from accounts.access import cases_visible_to
from accounts.models import User
from cases.models import AbsenceCase
from triage.models import RoutingDecision


def routing_decision_latest(*, case: AbsenceCase) -> RoutingDecision | None:
    """The newest routing proposal of ``case`` (with its decision, if any)."""
    return (
        RoutingDecision.objects.filter(case=case).select_related("decided_by").first()
    )


def routing_decision_get(*, actor: User, decision_id: int) -> RoutingDecision:
    """One routing proposal on a case ``actor`` may see; 404 otherwise."""
    return get_object_or_404(
        RoutingDecision.objects.filter(case__in=cases_visible_to(actor)).select_related(
            "case__employee", "decided_by"
        ),
        pk=decision_id,
    )
