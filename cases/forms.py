"""Forms of the manager's flows. Shape checks here; domain rules in services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from cases.models import (
    ContactChannel,
    Employee,
    ExpectedDuration,
    InterventionKind,
    InterventionStatus,
)

YES_NO = [(True, _("Ja")), (False, _("Nee"))]


class EmployeeChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Employee) -> str:
        return f"{obj.display_name} ({obj.personnel_number})"


class ZiekmeldingForm(forms.Form):
    """What a manager reports on the first day; nothing about the illness."""

    employee = EmployeeChoiceField(
        label=_("Werknemer"), queryset=Employee.objects.none(), empty_label=None
    )
    first_sick_day = forms.DateField(
        label=_("Eerste ziektedag"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("De eerste dag dat de werknemer niet (volledig) werkte."),
    )
    expected_duration = forms.ChoiceField(
        label=_("Verwachte duur"),
        choices=ExpectedDuration.choices,
        initial=ExpectedDuration.UNKNOWN,
        widget=forms.RadioSelect,
    )
    reachable_phone = forms.CharField(
        label=_("Bereikbaar op telefoonnummer"), max_length=30, required=False
    )
    reachable_address = forms.CharField(
        label=_("Verblijfadres tijdens het verzuim (als dat afwijkt)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    accident_or_third_party = forms.TypedChoiceField(
        label=_("Is er een ongeval gebeurd of een derde bij betrokken?"),
        choices=YES_NO,
        coerce=lambda value: value in (True, "True"),
        initial=False,
        widget=forms.RadioSelect,
    )
    work_possible = forms.TypedChoiceField(
        label=_("Is (aangepast of gedeeltelijk) werk mogelijk?"),
        choices=YES_NO,
        coerce=lambda value: value in (True, "True"),
        initial=False,
        widget=forms.RadioSelect,
    )
    agreements = forms.CharField(
        label=_("Gemaakte afspraken"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Bijvoorbeeld wanneer u weer contact heeft. Geen medische informatie."
        ),
    )

    def __init__(
        self, *args: Any, employees: QuerySet[Employee], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["employee"].queryset = employees
        self.fields["first_sick_day"].initial = timezone.localdate()


class HersteldmeldingForm(forms.Form):
    FULL = "full"
    PARTIAL = "partial"

    kind = forms.ChoiceField(
        label=_("Soort herstel"),
        choices=[(FULL, _("Volledig hersteld")), (PARTIAL, _("Gedeeltelijk hersteld"))],
        initial=FULL,
        widget=forms.RadioSelect,
    )
    effective_date = forms.DateField(
        label=_("Per datum"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_(
            "Bij volledig herstel: de eerste dag dat de werknemer weer volledig werkt."
        ),
    )
    percentage_fit = forms.IntegerField(
        label=_("Werkt weer voor (%)"),
        min_value=1,
        max_value=99,
        required=False,
        help_text=_("Alleen bij gedeeltelijk herstel, 1 tot 99."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["effective_date"].initial = timezone.localdate()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get("kind") == self.PARTIAL and not cleaned.get("percentage_fit"):
            self.add_error(
                "percentage_fit",
                _("Vul in voor hoeveel procent de werknemer weer werkt."),
            )
        return cleaned

    @property
    def percentage(self) -> int:
        if self.cleaned_data["kind"] == self.FULL:
            return 100
        return self.cleaned_data["percentage_fit"]


class ContactNoteForm(forms.Form):
    contact_date = forms.DateField(
        label=_("Datum"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    channel = forms.ChoiceField(label=_("Hoe"), choices=ContactChannel.choices)
    with_whom = forms.CharField(label=_("Met wie"), max_length=200, required=False)
    summary = forms.CharField(
        label=_("Samenvatting"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Afspraken, werkhervatting, mogelijkheden. Geen diagnose, klachten of "
            "behandeling: die zijn alleen voor de bedrijfsarts."
        ),
    )
    confirm_no_medical = forms.BooleanField(
        label=_("Ik heb de tekst nagelezen: er staat geen medische informatie in."),
        required=False,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["contact_date"].initial = timezone.localdate()


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.get_full_name()


class CaseAssignForm(forms.Form):
    route = forms.ChoiceField(label=_("Route"), required=False)
    regiehouder = PersonChoiceField(
        label=_("Regiehouder"), queryset=User.objects.none(), required=False
    )
    casemanager = PersonChoiceField(
        label=_("Casemanager"), queryset=User.objects.none(), required=False
    )
    bedrijfsarts = PersonChoiceField(
        label=_("Bedrijfsarts"), queryset=User.objects.none(), required=False
    )

    def __init__(self, *args: Any, people: dict[str, QuerySet], **kwargs: Any) -> None:
        from cases.models import Route

        super().__init__(*args, **kwargs)
        self.fields["route"].choices = [("", _("Nog niet bepaald")), *Route.choices]
        for name, queryset in people.items():
            self.fields[name].queryset = queryset


class InterventionForm(forms.Form):
    kind = forms.ChoiceField(label=_("Soort"), choices=InterventionKind.choices)
    provider = forms.CharField(label=_("Uitvoerder"), max_length=200, required=False)
    requested_on = forms.DateField(
        label=_("Aangevraagd op"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    start_date = forms.DateField(
        label=_("Startdatum"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    end_date = forms.DateField(
        label=_("Einddatum"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    cost = forms.DecimalField(
        label=_("Kosten (euro)"),
        required=False,
        min_value=0,
        max_digits=9,
        decimal_places=2,
    )
    status = forms.ChoiceField(label=_("Status"), choices=InterventionStatus.choices)
    notes = forms.CharField(
        label=_("Toelichting"),
        required=False,
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Doel en afspraken; geen medische informatie."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["requested_on"].initial = timezone.localdate()
