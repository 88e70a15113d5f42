"""From the facts of a case to its Poortwachter timeline."""

from __future__ import annotations

import datetime as dt

from poortwachter.rules.calendar import (
    last_working_day_on_or_before,
    next_working_day_on_or_after,
)
from poortwachter.rules.milestones import (
    MILESTONES,
    PLAN_VAN_AANPAK,
    PROBLEEMANALYSE,
    VANGNET_DAY_4,
    VANGNET_MELDING,
    ZIEK_UIT_DIENST_MELDING,
    DateRule,
    Milestone,
)
from poortwachter.rules.periods import Chain, split_periods
from poortwachter.rules.types import (
    CaseFacts,
    MilestoneDate,
    Outcome,
    PreviousCase,
    ReintegratieverslagRequired,
    Timeline,
    ZiekUitDienst,
)

RULES_VERSION = "2026.11.1"

_ONE_DAY = dt.timedelta(days=1)
# Ziek uit dienst: re-integratieverslag by counted sick days at the end of
# employment: < 42 none, 42-69 verkort, >= 70 volledig (rules §1.9).
RIV_VERKORT_FROM = 42
RIV_VOLLEDIG_FROM = 70
# Art. 38a lid 5 ZW: a vangnet case that already recovered is reported with
# the betermelding, at the latest the second day after it.
VANGNET_BETERMELDING_DAYS = 2


def _milestone_due(milestone: Milestone, chain: Chain) -> dt.date:
    day = chain.sick_day(milestone.sick_day)
    if milestone.date_rule == DateRule.FIRST_WORKING_DAY_AFTER:
        return next_working_day_on_or_after(day + _ONE_DAY)
    if milestone.date_rule == DateRule.DAY_AFTER:
        return day + _ONE_DAY
    return day


def _report_due(milestone: Milestone, due: dt.date) -> MilestoneDate:
    """A report to UWV that applies on ``due`` (vangnet, ziek uit dienst)."""
    return MilestoneDate(
        code=milestone.code,
        due=due,
        opens=None,
        plan_by=last_working_day_on_or_before(due),
        applies=True,
    )


def _riv_required(sick_days: int) -> ReintegratieverslagRequired:
    if sick_days >= RIV_VOLLEDIG_FROM:
        return ReintegratieverslagRequired.VOLLEDIG
    if sick_days >= RIV_VERKORT_FROM:
        return ReintegratieverslagRequired.VERKORT
    return ReintegratieverslagRequired.NONE


def compute_timeline(facts: CaseFacts) -> Timeline:
    """The timeline of the counted period that ``facts`` end in.

    Every legal date is the date of the K-th counted sick day of the chain
    (samentelling moves dates after a gap by the days left out); a milestone
    whose date is on or after the hersteldatum, or after the last day of
    employment, lapses (``applies`` False, and None in the JSON). Pure: the
    same facts always give the same timeline.
    """
    periods = split_periods(facts)
    chain = periods.chains[-1]
    closed_on = chain.closed_on
    employment_end = periods.employment_end

    def applies(due: dt.date) -> bool:
        if closed_on is not None and due >= closed_on:
            return False
        return not (employment_end is not None and due > employment_end)

    dates: list[MilestoneDate] = []
    probleemanalyse_due = chain.sick_day(PROBLEEMANALYSE.sick_day)
    for milestone in MILESTONES:
        due = _milestone_due(milestone, chain)
        if (
            milestone is PLAN_VAN_AANPAK
            and periods.probleemanalyse_date is not None
            and periods.probleemanalyse_date > probleemanalyse_due
        ):
            due = periods.probleemanalyse_date + dt.timedelta(days=14)
        opens = (
            chain.sick_day(milestone.opens_at_sick_day)
            if milestone.opens_at_sick_day
            else None
        )
        dates.append(
            MilestoneDate(
                code=milestone.code,
                due=due,
                opens=opens,
                plan_by=last_working_day_on_or_before(due),
                applies=applies(due),
            )
        )

    vangnet_due: dt.date | None = None
    if facts.vangnet is not None:
        if facts.vangnet in VANGNET_DAY_4:
            due = chain.sick_day(4)
            vangnet_due = due if closed_on is None or due < closed_on else None
        else:
            due = chain.sick_day(42)
            if closed_on is not None and closed_on <= due:
                due = closed_on + dt.timedelta(days=VANGNET_BETERMELDING_DAYS)
            vangnet_due = due
        if vangnet_due is not None:
            dates.append(_report_due(VANGNET_MELDING, vangnet_due))

    ziek_uit_dienst: ZiekUitDienst | None = None
    sick_at_end = False
    if employment_end is not None:
        sick_at_end = chain.first_sick_day <= employment_end and (
            closed_on is None or closed_on > employment_end
        )
        sick_days = chain.sick_days_through(employment_end) if sick_at_end else 0
        ziek_uit_dienst = ZiekUitDienst(
            melding_due=employment_end if sick_at_end else None,
            sick_days_at_end_of_employment=sick_days,
            reintegratieverslag_required=_riv_required(sick_days),
        )
        if sick_at_end:
            dates.append(_report_due(ZIEK_UIT_DIENST_MELDING, employment_end))

    if sick_at_end:
        outcome = Outcome.ZIEK_UIT_DIENST
    elif closed_on is not None:
        outcome = Outcome.CLOSED_RECOVERED
    elif len(periods.chains) > 1:
        outcome = Outcome.NEW_CASE
    elif len(chain.spans) > 1:
        outcome = Outcome.COMBINED_PERIOD
    else:
        outcome = Outcome.OPEN_SINGLE_PERIOD

    previous = periods.chains[-2] if len(periods.chains) > 1 else None
    return Timeline(
        rules_version=RULES_VERSION,
        outcome=outcome,
        counted_period_first_sick_day=chain.first_sick_day,
        days_excluded_from_counter=chain.excluded_days,
        spans=chain.spans,
        closed_on=closed_on,
        milestones=tuple(dates),
        vangnet_uwv_ziekmelding_due=vangnet_due,
        ziek_uit_dienst=ziek_uit_dienst,
        previous_case=(
            PreviousCase(previous.first_sick_day, previous.closed_on)
            if previous is not None and previous.closed_on is not None
            else None
        ),
        employment_end=employment_end,
    )
