"""Forms of the task queue's inline actions."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class TaskCompleteForm(forms.Form):
    note = forms.CharField(
        label=_("Notitie"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class TaskSnoozeForm(forms.Form):
    until = forms.DateField(
        label=_("Uitstellen tot"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    reason = forms.CharField(label=_("Reden"), max_length=300)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["until"].initial = timezone.localdate() + dt.timedelta(days=1)


class TaskReassignForm(forms.Form):
    assignee = forms.TypedChoiceField(label=_("Nieuwe uitvoerder"), coerce=int)

    def __init__(
        self, *args: Any, choices: list[tuple[int, str]], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignee"].choices = choices


class ProbleemanalyseForm(forms.Form):
    """Two parts, rendered apart: advice (employer-facing) and medical."""

    kind = forms.ChoiceField(label=_("Soort oordeel"))
    made_on = forms.DateField(
        label=_("Datum oordeel"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    limitations = forms.CharField(
        label=_("Beperkingen en mogelijkheden (functioneel)"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
        help_text=_("Wat kan de werknemer wel en niet? Geen diagnose."),
    )
    prognosis = forms.CharField(
        label=_("Prognose"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    advice = forms.CharField(
        label=_("Advies over werkhervatting"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    plan_van_aanpak_needed = forms.BooleanField(
        label=_("Een plan van aanpak is nodig"), required=False, initial=True
    )
    anamnesis = forms.CharField(
        label=_("Anamnese"),
        required=False,
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    assessment = forms.CharField(
        label=_("Medische beoordeling"),
        required=False,
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    treatment = forms.CharField(
        label=_("Behandeling en verwijzingen"),
        required=False,
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    MEDICAL_FIELDS = ("anamnesis", "assessment", "treatment")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from poortwachter.models import ProbleemanalyseKind

        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = ProbleemanalyseKind.choices
        self.fields["made_on"].initial = timezone.localdate()

    def advice_fields(self) -> list[forms.BoundField]:
        return [f for f in self if f.name not in self.MEDICAL_FIELDS]

    def medical_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.MEDICAL_FIELDS]
