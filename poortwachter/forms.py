"""Forms of the poortwachter app: task actions and the bedrijfsarts' records."""

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


def _date_field(label: Any, required: bool = True) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


class FmlForm(forms.Form):
    """The six rubrieken of the FML, every item at the norm unless changed.

    A single-choice item is a select that starts at level 0 (the norm); an
    item where several limitations can apply is a set of check boxes that
    starts empty. Each item has an optional toelichting.
    """

    made_on = _date_field(_("Datum FML"))
    remarks = forms.CharField(
        label=_("Algemene toelichting"),
        required=False,
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("In functionele termen; geen diagnose."),
    )

    def __init__(self, *args: Any, previous: dict | None = None, **kwargs: Any) -> None:
        from poortwachter.fml import NOTE_MAX_LENGTH, catalogue

        super().__init__(*args, **kwargs)
        self.fields["made_on"].initial = timezone.localdate()
        previous = previous or {}
        self._items = []
        for rubriek in catalogue().rubrieken:
            rows = []
            for item in rubriek.items:
                key = item.code.replace(".", "_")
                earlier = previous.get(item.code, {})
                if item.multiple:
                    level = forms.TypedMultipleChoiceField(
                        label=f"{item.code} {item.label}",
                        required=False,
                        coerce=int,
                        choices=[(lv.code, lv.label) for lv in item.levels[1:]],
                        widget=forms.CheckboxSelectMultiple,
                        initial=earlier.get("levels", []),
                    )
                else:
                    level = forms.TypedChoiceField(
                        label=f"{item.code} {item.label}",
                        coerce=int,
                        required=False,
                        empty_value=0,
                        choices=[(lv.code, lv.label) for lv in item.levels],
                        initial=(earlier.get("levels") or [0])[0],
                    )
                note = forms.CharField(
                    label=_("Toelichting %(code)s") % {"code": item.code},
                    required=False,
                    max_length=NOTE_MAX_LENGTH,
                    initial=earlier.get("note", ""),
                )
                self.fields[f"level_{key}"] = level
                self.fields[f"note_{key}"] = note
                rows.append((item.code, key))
            self._items.append((rubriek, rows))

    def rubrieken(self) -> list[tuple[Any, list[tuple[forms.BoundField, ...]]]]:
        """Per rubriek its rows of (level field, note field)."""
        return [
            (rubriek, [(self[f"level_{key}"], self[f"note_{key}"]) for _c, key in rows])
            for rubriek, rows in self._items
        ]

    def entries(self) -> dict[str, dict[str, Any]]:
        """What was entered, per item code, for ``fml_record`` to check."""
        data = self.cleaned_data
        result = {}
        for _rubriek, rows in self._items:
            for code, key in rows:
                level = data.get(f"level_{key}")
                levels = level if isinstance(level, list) else [level]
                levels = [lv for lv in levels if lv not in (None, "")]
                note = data.get(f"note_{key}", "")
                if levels or note:
                    result[code] = {"levels": levels, "note": note}
        return result

    def add_item_error(self, code: str, message: str) -> None:
        key = f"level_{code.replace('.', '_')}"
        self.add_error(key if key in self.fields else None, message)


class ConsultForm(forms.Form):
    held_on = _date_field(_("Datum consult"))
    kind = forms.ChoiceField(label=_("Vorm"))
    next_consult_on = _date_field(_("Volgend consult"), required=False)
    notes = forms.CharField(
        label=_("Medische aantekeningen"),
        required=False,
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from poortwachter.models import ConsultKind

        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = ConsultKind.choices
        self.fields["held_on"].initial = timezone.localdate()


def _time_field(label: Any) -> forms.TimeField:
    return forms.TimeField(
        label=label,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )


class AppointmentForm(forms.Form):
    """Plan or move an appointment; the rules (future, end after start, a
    place or a link) are the service's and come back as field errors."""

    kind = forms.ChoiceField(label=_("Soort afspraak"))
    date = _date_field(_("Datum"))
    start_time = _time_field(_("Begintijd"))
    end_time = _time_field(_("Eindtijd"))
    location = forms.CharField(
        label=_("Locatie"),
        required=False,
        max_length=200,
        help_text=_("Adres of spreekkamer; leeg bij een videogesprek."),
    )
    video_url = forms.CharField(
        label=_("Videolink"),
        required=False,
        max_length=500,
        help_text=_("Begint met https://; leeg als de afspraak op locatie is."),
    )

    def __init__(
        self, *args: Any, kinds: list[tuple[str, str]] | None = None, **kwargs: Any
    ) -> None:
        """``kinds``: the kinds the user may plan; ``None`` when moving an
        appointment (its kind stays)."""
        super().__init__(*args, **kwargs)
        if kinds is None:
            del self.fields["kind"]
        else:
            self.fields["kind"].choices = kinds
