"""The periods and scopes absence figures are computed over.

A period is a closed range of calendar days (both ends included). Figures
about the present stop at ``as_of`` (today): days still to come are neither
sick days nor employment days yet.
"""

from __future__ import annotations

import calendar
import datetime as dt
import enum
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from cases.models import Employer


class PeriodKind(enum.StrEnum):
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"
    CUSTOM = "custom"


# Longest custom period: three years and a leap day.
MAX_PERIOD_DAYS = 3 * 366


@dataclass(frozen=True)
class Period:
    """Calendar days ``start`` … ``end``, both included."""

    kind: PeriodKind
    start: dt.date
    end: dt.date

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError(_("Het einde van de periode ligt vóór het begin."))
        if self.days > MAX_PERIOD_DAYS:
            raise ValueError(_("Een periode is hooguit drie jaar lang."))

    @classmethod
    def month(cls, year: int, month: int) -> Period:
        last = calendar.monthrange(year, month)[1]
        return cls(
            PeriodKind.MONTH, dt.date(year, month, 1), dt.date(year, month, last)
        )

    @classmethod
    def quarter(cls, year: int, quarter: int) -> Period:
        if quarter not in (1, 2, 3, 4):
            raise ValueError(_("Een kwartaal is 1, 2, 3 of 4."))
        first = 3 * (quarter - 1) + 1
        end = cls.month(year, first + 2).end
        return cls(PeriodKind.QUARTER, dt.date(year, first, 1), end)

    @classmethod
    def year(cls, year: int) -> Period:
        return cls(PeriodKind.YEAR, dt.date(year, 1, 1), dt.date(year, 12, 31))

    @classmethod
    def custom(cls, start: dt.date, end: dt.date) -> Period:
        return cls(PeriodKind.CUSTOM, start, end)

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def is_closed(self, today: dt.date) -> bool:
        """Whether every day of the period has passed (its figures are final
        unless someone corrects old data)."""
        return self.end < today

    def until(self, as_of: dt.date) -> dt.date:
        """The last day that counts on ``as_of``: the end, or ``as_of`` for
        a period still running."""
        return min(self.end, as_of)

    def months(self) -> list[Period]:
        """The calendar months this period touches, each clipped to it."""
        months: list[Period] = []
        year, month = self.start.year, self.start.month
        while dt.date(year, month, 1) <= self.end:
            whole = Period.month(year, month)
            months.append(
                Period(
                    PeriodKind.MONTH,
                    max(whole.start, self.start),
                    min(whole.end, self.end),
                )
            )
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return months

    @property
    def annualisation(self) -> Decimal:
        """What turns a count in this period into a yearly figure: x12 for a
        month, x4 for a quarter (Vernet), x1 for a year, 365/days otherwise."""
        factors = {PeriodKind.MONTH: 12, PeriodKind.QUARTER: 4, PeriodKind.YEAR: 1}
        if self.kind in factors:
            return Decimal(factors[self.kind])
        return Decimal(365) / Decimal(self.days)

    @property
    def label(self) -> str:
        if self.kind == PeriodKind.MONTH:
            return f"{self.start:%Y-%m}"
        if self.kind == PeriodKind.QUARTER:
            return _("K%(quarter)s %(year)s") % {
                "quarter": (self.start.month - 1) // 3 + 1,
                "year": self.start.year,
            }
        if self.kind == PeriodKind.YEAR:
            return str(self.start.year)
        return f"{self.start:%d-%m-%Y} - {self.end:%d-%m-%Y}"


@dataclass(frozen=True)
class Scope:
    """Whose figures: one employer, or one department of it."""

    employer: Employer
    department: str = ""

    @property
    def label(self) -> str:
        if self.department:
            return f"{self.employer.name} — {self.department}"
        return self.employer.name
