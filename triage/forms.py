"""Forms of the triage app. Shape checks here; domain rules in services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cases.models import InterventionKind, Route
from triage.models import RoutingDecision
from triage.services import ROUTING_REASON_MAX_LENGTH

YES_NO = [(True, _("Ja")), (False, _("Nee"))]


class RoutingDecisionForm(forms.Form):
    """Accept the routing proposal as it stands, or change it and say why."""

    route = forms.ChoiceField(
        label=_("Route"), choices=Route.choices, widget=forms.RadioSelect
    )
    early_consult = forms.TypedChoiceField(
        label=_("Vroeg consult bedrijfsarts plannen"),
        choices=YES_NO,
        coerce=lambda value: value in (True, "True"),
        widget=forms.RadioSelect,
    )
    interventions = forms.MultipleChoiceField(
        label=_("Interventies aanvragen"),
        choices=InterventionKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    reason = forms.CharField(
        label=_("Reden"),
        required=False,
        max_length=ROUTING_REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Verplicht als u afwijkt van het voorstel. Geen medische informatie."
        ),
    )

    def __init__(self, *args: Any, decision: RoutingDecision, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",
            {
                "route": decision.proposed_route,
                "early_consult": decision.proposed_early_consult,
                "interventions": decision.proposed_interventions,
            },
        )
        super().__init__(*args, **kwargs)
