"""Template pieces the documents app offers to other apps' pages."""

from __future__ import annotations

from typing import Any

from django import template

from accounts.access import Action, can
from cases.models import AbsenceCase
from documents.selectors import documents_for_case

register = template.Library()


@register.inclusion_tag("documents/_case_documents.html", takes_context=True)
def case_documents(context: dict[str, Any], case: AbsenceCase) -> dict[str, Any]:
    """The documents of a case with links to the documents page and, for who
    may, the re-integratieverslag."""
    user = context["request"].user
    return {
        "case": case,
        "case_documents": documents_for_case(actor=user, case=case),
        "may_edit": can(user, Action.DOCUMENT_EDIT, case),
        "may_riv": can(user, Action.REINTEGRATIEVERSLAG, case),
        "tenant": context.get("tenant"),
    }
