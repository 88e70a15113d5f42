"""Immutable inputs and outputs of the rules engine. Dates only, no datetimes."""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass, field


class RulesInputError(ValueError):
    """The facts of a case are inconsistent; the message names the problem."""


class Vangnet(enum.StrEnum):
    """Why UWV pays sickness benefit instead of the employer (vangnet)."""

    FICTIEF_DIENSTVERBAND = "fictief_dienstverband"
    FLEXIBILISERINGSPERIODE = "flexibiliseringsperiode"
    ZIEK_DOOR_ZWANGERSCHAP_VOOR_VERLOF = "ziek_door_zwangerschap_voor_verlof"
    ZIEK_DOOR_BEVALLING_NA_VERLOF = "ziek_door_bevalling_na_verlof"
    NO_RISK_POLIS = "no_risk_polis"
    ORGAANDONATIE = "orgaandonatie"


class Outcome(enum.StrEnum):
    OPEN_SINGLE_PERIOD = "open_single_period"
    COMBINED_PERIOD = "combined_period"
    CLOSED_RECOVERED = "closed_recovered"
    NEW_CASE = "new_case"
    ZIEK_UIT_DIENST = "ziek_uit_dienst"


class ReintegratieverslagRequired(enum.StrEnum):
    NONE = "none"
    VERKORT = "verkort"
    VOLLEDIG = "volledig"


@dataclass(frozen=True)
class FullRecovery:
    """The employee works fully again from ``date`` (hersteldatum, first fit day)."""

    date: dt.date


@dataclass(frozen=True)
class Relapse:
    """The employee falls ill again; ``date`` is the first new sick day."""

    date: dt.date


@dataclass(frozen=True)
class PartialRecovery:
    """Partial return to work from ``date``; changes no deadline (rules §2.4)."""

    date: dt.date
    percentage_fit: int


@dataclass(frozen=True)
class WazoLeave:
    """Pregnancy/childbirth leave (WAZO) from ``start`` to ``end`` inclusive."""

    start: dt.date
    end: dt.date
    sick_directly_before: bool
    sick_directly_after: bool
    same_cause: bool

    @property
    def date(self) -> dt.date:
        return self.start


@dataclass(frozen=True)
class EmploymentEnd:
    """``date`` is the last day of employment (ziek uit dienst when still sick)."""

    date: dt.date


@dataclass(frozen=True)
class ProbleemanalyseMade:
    """The bedrijfsarts gave the probleemanalyse on ``date``."""

    date: dt.date


Event = (
    FullRecovery
    | Relapse
    | PartialRecovery
    | WazoLeave
    | EmploymentEnd
    | ProbleemanalyseMade
)


@dataclass(frozen=True)
class CaseFacts:
    """Everything the rules need to know about one case (or chain of periods)."""

    first_sick_day: dt.date
    events: tuple[Event, ...] = ()
    vangnet: Vangnet | None = None


@dataclass(frozen=True)
class SickSpan:
    """Consecutive sick days ``start`` .. ``end - 1``; ``end`` None while ongoing."""

    start: dt.date
    end: dt.date | None


@dataclass(frozen=True)
class Window:
    opens: dt.date
    due: dt.date


@dataclass(frozen=True)
class MilestoneDate:
    """One legal milestone of the counted period, as computed.

    ``due`` is the legal date (never moved off a weekend, except where the
    rule itself says "first working day"); ``plan_by`` is the last working day
    on or before it. ``applies`` is False when the milestone lapsed (full
    recovery before it, or employment ended before it); the dates are then
    those the milestone would have had.
    """

    code: str
    due: dt.date
    opens: dt.date | None
    plan_by: dt.date
    applies: bool


@dataclass(frozen=True)
class PreviousCase:
    first_sick_day: dt.date
    closed_on: dt.date


@dataclass(frozen=True)
class ZiekUitDienst:
    """The end of employment; ``melding_due`` is None when not sick at the end."""

    melding_due: dt.date | None
    sick_days_at_end_of_employment: int
    reintegratieverslag_required: ReintegratieverslagRequired

    @property
    def eindevaluatie_required(self) -> bool:
        volledig = ReintegratieverslagRequired.VOLLEDIG
        return self.reintegratieverslag_required == volledig


@dataclass(frozen=True)
class Timeline:
    """The Poortwachter timeline of the counted period (the current case)."""

    rules_version: str
    outcome: Outcome
    counted_period_first_sick_day: dt.date
    days_excluded_from_counter: int
    spans: tuple[SickSpan, ...]
    closed_on: dt.date | None
    milestones: tuple[MilestoneDate, ...]
    vangnet_uwv_ziekmelding_due: dt.date | None = None
    ziek_uit_dienst: ZiekUitDienst | None = None
    previous_case: PreviousCase | None = None
    employment_end: dt.date | None = field(default=None)

    def milestone(self, code: str) -> MilestoneDate:
        for milestone in self.milestones:
            if milestone.code == code:
                return milestone
        raise KeyError(code)

    def due(self, code: str) -> dt.date | None:
        """The due date of ``code`` when it applies, else None."""
        milestone = self.milestone(code)
        return milestone.due if milestone.applies else None
