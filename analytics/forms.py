"""The dashboard's period form (GET) and the monthly report's month picker."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from analytics.periods import Period, PeriodKind
from cases.models import Employee, Employer

# Figures go back no further than this year (a typing error such as 202
# would otherwise ask for figures of the year 202).
FIRST_YEAR = 2000

MONTHS = [
    (1, _("januari")),
    (2, _("februari")),
    (3, _("maart")),
    (4, _("april")),
    (5, _("mei")),
    (6, _("juni")),
    (7, _("juli")),
    (8, _("augustus")),
    (9, _("september")),
    (10, _("oktober")),
    (11, _("november")),
    (12, _("december")),
]
QUARTERS = [(1, _("K1")), (2, _("K2")), (3, _("K3")), (4, _("K4"))]
KINDS = [
    (PeriodKind.MONTH.value, _("Maand")),
    (PeriodKind.QUARTER.value, _("Kwartaal")),
    (PeriodKind.YEAR.value, _("Jaar")),
    (PeriodKind.CUSTOM.value, _("Aangepast")),
]


def employer_departments(employer: Employer) -> list[str]:
    """The departments of ``employer``'s employees (empty when it uses none)."""
    return list(
        Employee.objects.filter(employer=employer)
        .exclude(department="")
        .order_by("department")
        .values_list("department", flat=True)
        .distinct()
    )


def _year_field(today: dt.date) -> forms.IntegerField:
    return forms.IntegerField(
        label=_("Jaar"), min_value=FIRST_YEAR, max_value=today.year + 1
    )


def _previous_month(today: dt.date) -> tuple[int, int]:
    first = today.replace(day=1) - dt.timedelta(days=1)
    return first.year, first.month


class DashboardForm(forms.Form):
    """Which period (and department) the dashboard shows.

    Without any parameters the dashboard shows the current year to date: the
    running year is what HR reports on, and days still to come do not count
    (``as_of``), so the figures are those of January 1 up to today.
    """

    kind = forms.ChoiceField(label=_("Periode"), choices=KINDS)
    year = forms.IntegerField(label=_("Jaar"))
    month = forms.TypedChoiceField(
        label=_("Maand"), choices=MONTHS, coerce=int, required=False
    )
    quarter = forms.TypedChoiceField(
        label=_("Kwartaal"), choices=QUARTERS, coerce=int, required=False
    )
    start = forms.DateField(
        label=_("Van"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    end = forms.DateField(
        label=_("Tot en met"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    department = forms.ChoiceField(label=_("Afdeling"), required=False)

    def __init__(
        self,
        data: object = None,
        *,
        departments: list[str],
        today: dt.date,
    ) -> None:
        year, month = today.year, today.month
        super().__init__(
            data,
            initial={
                "kind": PeriodKind.YEAR.value,
                "year": year,
                "month": month,
                "quarter": (month - 1) // 3 + 1,
                "start": today.replace(day=1),
                "end": today,
            },
        )
        self.today = today
        self.fields["year"] = _year_field(today)
        self.fields["year"].required = False
        self.departments = departments
        self.fields["department"].choices = [("", _("Alle afdelingen"))] + [
            (name, name) for name in departments
        ]

    def clean(self) -> dict:
        data = super().clean()
        if self.errors:
            return data
        kind, year = data["kind"], data.get("year")
        try:
            if kind == PeriodKind.CUSTOM:
                for name in ("start", "end"):
                    if not data.get(name):
                        self.add_error(name, _("Vul een datum in."))
                if self.errors:
                    return data
                data["period"] = Period.custom(data["start"], data["end"])
                return data
            if year is None:
                self.add_error("year", _("Vul een jaar in."))
                return data
            if kind == PeriodKind.YEAR:
                data["period"] = Period.year(year)
            elif kind == PeriodKind.QUARTER:
                if not data.get("quarter"):
                    self.add_error("quarter", _("Kies een kwartaal."))
                    return data
                data["period"] = Period.quarter(year, data["quarter"])
            else:
                if not data.get("month"):
                    self.add_error("month", _("Kies een maand."))
                    return data
                data["period"] = Period.month(year, data["month"])
        except ValueError as error:
            raise forms.ValidationError(str(error)) from error
        if data["period"].start > self.today:
            raise forms.ValidationError(_("De periode begint na vandaag."))
        return data

    def result(self) -> tuple[Period, str]:
        """The period and department asked for; the defaults when the form
        was not filled in (call only when unbound or valid)."""
        if not self.is_bound:
            return Period.year(self.today.year), ""
        return self.cleaned_data["period"], self.cleaned_data["department"]


class ReportForm(forms.Form):
    """The month of the monthly PDF report; the last closed month by default."""

    year = forms.IntegerField(label=_("Jaar"))
    month = forms.TypedChoiceField(label=_("Maand"), choices=MONTHS, coerce=int)

    def __init__(self, data: object = None, *, today: dt.date) -> None:
        year, month = _previous_month(today)
        super().__init__(
            data, initial={"year": year, "month": month}, auto_id="report_%s"
        )
        self.today = today
        self.fields["year"] = _year_field(today)

    def clean(self) -> dict:
        data = super().clean()
        if self.errors:
            return data
        period = Period.month(data["year"], data["month"])
        if period.start > self.today:
            raise forms.ValidationError(_("Die maand is nog niet begonnen."))
        data["period"] = period
        return data
