"""Template pieces the triage app offers to other apps' pages."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse
from django.utils import timezone, translation

from accounts.access import Action, can
from cases.models import AbsenceCase
from triage.engine import Definition
from triage.links import invitation_token
from triage.selectors import (
    case_invitations,
    invitations_open_for_employee,
    questionnaires_sendable,
)

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


@register.inclusion_tag("triage/_my_questionnaires.html", takes_context=True)
def my_questionnaires(context: dict[str, Any]) -> dict[str, Any]:
    """For an employee with an account: the questionnaires waiting for them,
    opened through the same signed link as the e-mail."""
    language = "en" if translation.get_language() == "en" else "nl"
    items = [
        {
            "title": Definition.parse(i.version.definition).title[language],
            "url": reverse("triage_public:start", args=[invitation_token(i)]),
            "expires_at": i.expires_at,
            "started": i.status == "started",
        }
        for i in invitations_open_for_employee(actor=context["request"].user)
    ]
    return {"items": items}
