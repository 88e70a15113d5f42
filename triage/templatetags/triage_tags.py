"""Template pieces the triage app offers to other apps' pages."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone

from accounts.access import Action, can
from cases.models import AbsenceCase
from triage.selectors import case_invitations, questionnaires_sendable

register = template.Library()


@register.inclusion_tag("triage/_case_questionnaires.html", takes_context=True)
def case_questionnaires(context: dict[str, Any], case: AbsenceCase) -> dict[str, Any]:
    """The questionnaires sent on a case with their state; for the people who
    run the case, sending, resending and revoking."""
    user = context["request"].user
    may_send = can(user, Action.QUESTIONNAIRE, case)
    now = timezone.now()
    invitations = case_invitations(case=case)
    for invitation in invitations:
        invitation.expired = invitation.expires_at <= now
    return {
        "case": case,
        "invitations": invitations,
        "may_send": may_send,
        "sendable": list(questionnaires_sendable()) if may_send else [],
        "has_email": bool(case.employee.email),
        "tenant": context.get("tenant"),
        "csrf_token": context.get("csrf_token"),
    }
