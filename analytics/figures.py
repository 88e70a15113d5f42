"""What the statistics selectors return: plain, frozen values.

The definitions follow Vernet (``shared/poortwachter-rules.md`` §5). Each
figure keeps its numerator and denominator, so a page can show the formula
with the numbers filled in, and a test can check both. A figure that has no
denominator (no employees, no ended cases) is ``None``, shown as "-", never
as 0.

``analytics.selectors`` computes them, one selector per figure, each one SQL
aggregate::

    verzuimpercentage(scope, period, *, as_of) -> Verzuimpercentage
    verzuimpercentage_by_month(scope, period, *, as_of) -> tuple[MonthlyPercentage, ...]
    meldingsfrequentie(scope, period, *, as_of) -> Meldingsfrequentie
    verzuimduur(scope, period, *, as_of) -> Verzuimduur
    nulverzuim(scope, period, *, as_of) -> Nulverzuim
    frequent_absence(scope, period, *, as_of) -> FrequentAbsence
    compliance(scope, period, *, as_of) -> Compliance
    dashboard(scope, period, *, as_of) -> Dashboard   # all of them; closed
                                                      # periods come from
                                                      # FigureSnapshot

``scope`` is an ``analytics.periods.Scope``, ``period`` an
``analytics.periods.Period``; ``as_of`` is today's date (days after it do
not count yet). They run inside the caller's tenant scope and do not check
access: the view asks ``accounts.access.can(user, Action.STATISTICS,
employer)`` first.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext_lazy as _


class DurationClass(enum.StrEnum):
    """Vernet's duurklassen, by calendar days from first sick day to
    hersteldatum (capped at 730)."""

    KORT = "kort"
    MIDDELLANG = "middellang"
    LANG = "lang"
    EXTRA_LANG = "extra_lang"

    @property
    def bounds(self) -> tuple[int, int]:
        return _DURATION_BOUNDS[self]

    @property
    def label(self) -> str:
        return str(_DURATION_LABELS[self])

    @classmethod
    def for_days(cls, days: int) -> DurationClass:
        for duration_class, (low, high) in _DURATION_BOUNDS.items():
            if low <= days <= high:
                return duration_class
        raise ValueError(f"no duration class for {days} days")


_DURATION_BOUNDS = {
    DurationClass.KORT: (1, 14),
    DurationClass.MIDDELLANG: (15, 91),
    DurationClass.LANG: (92, 365),
    DurationClass.EXTRA_LANG: (366, 730),
}
_DURATION_LABELS = {
    DurationClass.KORT: _("kort (1-14 dagen)"),
    DurationClass.MIDDELLANG: _("middellang (15-91 dagen)"),
    DurationClass.LANG: _("lang (92-365 dagen)"),
    DurationClass.EXTRA_LANG: _("extra lang (366-730 dagen)"),
}

# A case counts for at most this many days (Vernet).
MAX_CASE_DAYS = 730


@dataclass(frozen=True)
class Verzuimpercentage:
    """VP = 100 x Σ sick days (part-time factor x AO factor) / Σ employment
    days (part-time factor), calendar days; also without the cases whose
    vangnet category is pregnancy-related."""

    sick_days: Decimal
    employment_days: Decimal
    percentage: Decimal | None
    sick_days_excl_pregnancy: Decimal
    percentage_excl_pregnancy: Decimal | None


@dataclass(frozen=True)
class MonthlyPercentage:
    """The verzuimpercentage of one calendar month (clipped to the period)."""

    month: dt.date  # the first day of the month
    percentage: Decimal | None
    percentage_excl_pregnancy: Decimal | None


@dataclass(frozen=True)
class Meldingsfrequentie:
    """MF = ziekmeldingen (cases whose first sick day is in the period) /
    average headcount (Σ employment days / days in the period); annualised
    x12 for a month, x4 for a quarter, x365/days for a custom period."""

    reports: int
    average_headcount: Decimal
    frequency: Decimal | None
    annualised: Decimal | None


@dataclass(frozen=True)
class DurationClassCount:
    duration_class: DurationClass
    cases: int
    share: Decimal | None  # percentage of the ended cases


@dataclass(frozen=True)
class Verzuimduur:
    """Mean length of the cases ended (hersteldatum) in the period, in
    calendar days = hersteldatum - first sick day, capped at 730, with the
    distribution over the duration classes."""

    ended_cases: int
    total_days: int
    mean_days: Decimal | None
    classes: tuple[DurationClassCount, ...]


@dataclass(frozen=True)
class Nulverzuim:
    """Share of the employees employed in the period who have no
    ziekmelding (no case with a first sick day) in it."""

    employees: int
    without_report: int
    percentage: Decimal | None


@dataclass(frozen=True)
class FrequentAbsence:
    """Employees with 3 or more ziekmeldingen in the 12 months ending on the
    last counted day of the period: a count, never names."""

    employees: int
    window_start: dt.date
    window_end: dt.date


@dataclass(frozen=True)
class MilestoneCompliance:
    """One legal milestone over the cases whose due date is in the period."""

    milestone: str  # poortwachter.rules.milestones code
    due: int  # due in the period (up to as_of)
    on_time: int  # done on or before the due date
    late: int  # done after the due date
    missed: int  # due date passed, not done yet
    percentage_on_time: Decimal | None  # on_time / due
    average_days_late: Decimal | None  # over late (days done - due) and
    # missed (days as_of - due)


@dataclass(frozen=True)
class Compliance:
    """How well the Poortwachter timeline is kept."""

    milestones: tuple[MilestoneCompliance, ...]
    overdue_now: int  # open legal steps past their due date on as_of
    open_long_cases: int  # open cases past the 42-week report
    at_risk_cases: int  # of those, whose re-integratieverslag is incomplete
    average_days_late: Decimal | None  # over every late or missed step


@dataclass(frozen=True)
class Dashboard:
    scope_label: str
    period_label: str
    period_start: dt.date
    period_end: dt.date
    as_of: dt.date
    computed_at: dt.datetime
    verzuimpercentage: Verzuimpercentage
    trend: tuple[MonthlyPercentage, ...]
    meldingsfrequentie: Meldingsfrequentie
    verzuimduur: Verzuimduur
    nulverzuim: Nulverzuim
    frequent_absence: FrequentAbsence
    compliance: Compliance
