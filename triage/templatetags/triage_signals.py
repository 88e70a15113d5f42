"""Template pieces the triage app offers to other apps' pages."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone

from accounts.access import signal_kinds_visible_to
from accounts.scoping import current_tenant
from cases.models import AbsenceCase, CaseStatus
from triage.early_signals import signal_policy_for, signals_for_cases

register = template.Library()


@register.inclusion_tag("triage/_case_signals.html", takes_context=True)
def case_signals(context: dict[str, Any], case: AbsenceCase) -> dict[str, Any]:
    """The early signals of an open case, of the kinds the viewer sees
    (``accounts.access.signal_kinds_visible_to``); nothing when there are
    none. The page has already checked that the viewer may open the case."""
    kinds = signal_kinds_visible_to(context["request"].user)
    tenant = current_tenant()
    signals = []
    if kinds and tenant is not None and case.status == CaseStatus.OPEN:
        found = signals_for_cases(
            cases=[case], today=timezone.localdate(), policy=signal_policy_for(tenant)
        )
        signals = [signal for signal in found[case.pk] if signal.kind in kinds]
    return {"signals": signals}
