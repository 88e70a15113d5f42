"""Sick periods, samentelling and the sick-day counter.

Art. 7:629 lid 10 BW (text of Stb. 2005, 65): periods of incapacity are added
together when the interruption between them is less than four weeks; periods
directly before and directly after pregnancy/childbirth leave (WAZO) are added
together too, unless the illness does not stem from the same cause. Only sick
days count; the days in between (fit days, leave days) do not (rules §2).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from poortwachter.rules.types import (
    CaseFacts,
    EmploymentEnd,
    Event,
    FullRecovery,
    PartialRecovery,
    ProbleemanalyseMade,
    Relapse,
    RulesInputError,
    SickSpan,
    WazoLeave,
)

# "een onderbreking van minder dan vier weken": 27 non-sick days or fewer
# between two periods combine them; 28 or more start a new case (rules §2.2).
MAX_COMBINING_INTERRUPTION_DAYS = 27

_ONE_DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class Chain:
    """Sick spans that count as one period, with the days left out between them."""

    spans: tuple[SickSpan, ...]
    excluded_days: int

    @property
    def first_sick_day(self) -> dt.date:
        return self.spans[0].start

    @property
    def closed_on(self) -> dt.date | None:
        """The first day not sick after the last span, or None while ongoing."""
        return self.spans[-1].end

    def sick_day(self, number: int) -> dt.date:
        """The date of the ``number``-th counted sick day (day 1 = first sick day).

        Past the end of a closed chain the count continues as if the illness
        had gone on, which gives the date a milestone would have had.
        """
        if number < 1:
            raise ValueError("Sick days are counted from 1.")
        remaining = number
        for span in self.spans:
            if span.end is None:
                break
            length = (span.end - span.start).days
            if remaining <= length:
                break
            remaining -= length
        else:
            # Closed chain: keep counting from the first day that was not sick.
            return self.spans[-1].end + dt.timedelta(days=remaining - 1)
        return span.start + dt.timedelta(days=remaining - 1)

    def sick_days_through(self, day: dt.date) -> int:
        """How many counted sick days fall on or before ``day``."""
        total = 0
        for span in self.spans:
            if day < span.start:
                break
            end = span.end if span.end is not None else day + _ONE_DAY
            total += (min(end, day + _ONE_DAY) - span.start).days
        return total


@dataclass(frozen=True)
class Periods:
    chains: tuple[Chain, ...]
    employment_end: dt.date | None
    probleemanalyse_date: dt.date | None


def _sort_key(event: Event) -> dt.date:
    return event.start if isinstance(event, WazoLeave) else event.date


def split_periods(facts: CaseFacts) -> Periods:
    """Turn the events of a case into sick spans grouped into chains.

    Raises ``RulesInputError`` naming the first inconsistency: events out of
    order, a recovery while not sick, a relapse while sick, overlapping
    leave, a percentage out of range, events after the end of employment.
    """
    spans: list[SickSpan] = []
    # For every boundary between spans: True when the WAZO rule combines them
    # (sick directly before and after the leave, same cause).
    joins: list[bool] = []
    sick_since: dt.date | None = facts.first_sick_day
    not_sick_since: dt.date | None = None
    employment_end: dt.date | None = None
    probleemanalyse: dt.date | None = None
    previous_date = facts.first_sick_day
    leave_until: dt.date | None = None

    for index, event in enumerate(facts.events):
        where = f"event {index + 1} ({_name(event)})"
        day = _sort_key(event)
        if day < previous_date:
            raise RulesInputError(
                f"{where}: dates out of order ({day} is before {previous_date})."
            )
        if leave_until is not None and day <= leave_until:
            if isinstance(event, WazoLeave):
                raise RulesInputError(
                    f"{where}: overlaps the leave that ends {leave_until}."
                )
            if not isinstance(event, EmploymentEnd):
                raise RulesInputError(
                    f"{where}: falls inside the wazo_leave that ends {leave_until}."
                )
        if employment_end is not None and not isinstance(event, ProbleemanalyseMade):
            raise RulesInputError(
                f"{where}: comes after the employment_end of {employment_end}."
            )
        if isinstance(event, PartialRecovery):
            if sick_since is None:
                raise RulesInputError(
                    f"{where}: the employee is not sick on {event.date}."
                )
            if not 0 < event.percentage_fit < 100:
                raise RulesInputError(
                    f"{where}: percentage_fit must be between 1 and 99 "
                    "(100 is a full_recovery)."
                )
        elif isinstance(event, FullRecovery):
            if sick_since is None:
                raise RulesInputError(
                    f"{where}: the employee is not sick on {event.date}."
                )
            if event.date <= sick_since:
                raise RulesInputError(
                    f"{where}: the recovery date must be after the first sick "
                    f"day {sick_since}."
                )
            spans.append(SickSpan(sick_since, event.date))
            sick_since, not_sick_since = None, event.date
        elif isinstance(event, Relapse):
            if sick_since is not None:
                raise RulesInputError(
                    f"{where}: the employee is already sick on {event.date}."
                )
            if not_sick_since is not None and event.date <= not_sick_since:
                raise RulesInputError(
                    f"{where}: the relapse must be after the recovery date."
                )
            joins.append(False)
            sick_since, not_sick_since = event.date, None
        elif isinstance(event, WazoLeave):
            if event.end < event.start:
                raise RulesInputError(f"{where}: the leave ends before it starts.")
            if event.sick_directly_before:
                if sick_since is None:
                    raise RulesInputError(
                        f"{where}: sick_directly_before, but the employee is not "
                        f"sick on {event.start}."
                    )
                if event.start <= sick_since:
                    raise RulesInputError(
                        f"{where}: the leave starts on a first sick day."
                    )
                spans.append(SickSpan(sick_since, event.start))
                sick_since, not_sick_since = None, event.start
            elif sick_since is not None:
                raise RulesInputError(
                    f"{where}: the employee is sick when the leave starts; set "
                    "sick_directly_before or add a full_recovery first."
                )
            leave_until = event.end
            if event.sick_directly_after:
                joins.append(event.sick_directly_before and event.same_cause)
                sick_since = event.end + _ONE_DAY
                not_sick_since = None
        elif isinstance(event, EmploymentEnd):
            if event.date < facts.first_sick_day:
                raise RulesInputError(
                    f"{where}: employment ends before the first sick day."
                )
            employment_end = event.date
        elif isinstance(event, ProbleemanalyseMade):
            if probleemanalyse is not None:
                raise RulesInputError(f"{where}: a second probleemanalyse date.")
            probleemanalyse = event.date
        else:  # pragma: no cover - the parser only builds known events
            raise RulesInputError(f"{where}: unknown event.")
        previous_date = day

    if sick_since is not None:
        spans.append(SickSpan(sick_since, None))

    chains: list[Chain] = []
    current = [spans[0]]
    excluded = 0
    for join_by_wazo, span in zip(joins, spans[1:], strict=True):
        previous = current[-1]
        # Every span but the last is closed, so ``previous.end`` is a date.
        gap = (span.start - previous.end).days  # type: ignore[operator]
        if join_by_wazo or gap <= MAX_COMBINING_INTERRUPTION_DAYS:
            current.append(span)
            excluded += gap
        else:
            chains.append(Chain(tuple(current), excluded))
            current, excluded = [span], 0
    chains.append(Chain(tuple(current), excluded))
    return Periods(tuple(chains), employment_end, probleemanalyse)


def _name(event: Event) -> str:
    return {
        FullRecovery: "full_recovery",
        Relapse: "relapse",
        PartialRecovery: "partial_recovery",
        WazoLeave: "wazo_leave",
        EmploymentEnd: "employment_end",
        ProbleemanalyseMade: "probleemanalyse",
    }[type(event)]
