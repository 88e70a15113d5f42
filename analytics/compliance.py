"""How well an employer keeps the Poortwachter timeline.

The legal steps counted, in this order: the probleemanalyse, the plan van
aanpak, the 42e-weeksmelding, the eerstejaarsevaluatie and the WIA
application (the re-integratieverslag goes with it); codes of
``poortwachter.rules.milestones``.

Where the data comes from:

- The due date is the chain's ``poortwachter.models.Deadline`` as the rules
  computed it; only deadlines that apply count (a step whose date lies on or
  after the hersteldatum lapsed, and was never due).
- A step is *done* when its legal task (``Task`` with ``source="legal"``,
  ``key`` = the milestone, round 0) has status ``done``; it was done on the
  local date of ``completed_at``. This is the notion of the task queue and of
  the refresh (which dates the probleemanalyse and plan van aanpak the same
  way). A task the system closed as not applicable (recovery) is not done.
  A completion dated after ``as_of`` does not count yet.
- A chain is open while its ``CaseTimeline.is_open`` is set (no hersteldatum,
  still employed): the same flag the refresh keeps.

Counted days are ``period.start`` .. ``period.until(as_of)``. A step is due
when its due date is in them; it is then on time, late or missed. A step due
on ``as_of`` itself that is not done yet is still undecided and not counted,
so ``due == on_time + late + missed`` always.

Days late: done date - due date for a late step; for a missed one, the days
from the due date until ``as_of`` or, when the chain has closed since (its
hersteldatum, or the end of employment), until then: a step can no longer
be done once the case is over, and a past period's figure must not keep
growing every day.

The re-integratieverslag of an open long case (past its 42e-weeksmelding) is
incomplete when the completeness check of the documents app
(``documents.reintegratieverslag``) finds something missing or unsigned
(severity ``ontbreekt`` or ``niet_ondertekend``); a part that was late but is
there, or one not due yet, does not make it incomplete. The check runs on
the RIV of the chain's open (latest) case, against the due dates the refresh
stored rather than recomputing thousands of timelines (the RIV page itself
recomputes them); a chain whose facts changed since is refreshed within
minutes by the stale sweep.

Runs inside the caller's tenant scope and does not check access.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import (
    Case,
    Count,
    DateField,
    F,
    FilteredRelation,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Least, TruncDate

from analytics.figures import Compliance, MilestoneCompliance
from analytics.periods import Period, Scope
from cases.models import AbsenceCase
from documents.reintegratieverslag import (
    ChainFacts,
    reintegratieverslag_findings_for_cases,
)
from poortwachter.models import Deadline, TaskSource, TaskStatus
from poortwachter.rules.milestones import (
    EERSTEJAARSEVALUATIE,
    PLAN_VAN_AANPAK,
    PROBLEEMANALYSE,
    UWV_42_WEEK_MELDING,
    WIA_AANVRAAG,
)

COMPLIANCE_MILESTONES = tuple(
    m.code
    for m in (
        PROBLEEMANALYSE,
        PLAN_VAN_AANPAK,
        UWV_42_WEEK_MELDING,
        EERSTEJAARSEVALUATIE,
        WIA_AANVRAAG,
    )
)
# Findings of the RIV check that mean a part is missing or not signed.
INCOMPLETE_SEVERITIES = ("ontbreekt", "niet_ondertekend")

_CENT = Decimal("0.01")


@dataclass(frozen=True)
class CaseAtRisk:
    """An open long case whose re-integratieverslag is incomplete."""

    case: AbsenceCase  # the chain's open (latest) case, with its employee
    uwv_42_week_due: dt.date
    missing: tuple[str, ...]  # the check's messages, in UWV's order


def _ratio(numerator: Decimal | int, denominator: int) -> Decimal | None:
    if not denominator:
        return None
    return (Decimal(numerator) / Decimal(denominator)).quantize(
        _CENT, rounding=ROUND_HALF_UP
    )


def _deadlines(scope: Scope) -> QuerySet[Deadline]:
    """The applicable legal deadlines of the chains of the scope."""
    qs = Deadline.objects.filter(
        case__employee__employer=scope.employer,
        milestone__in=COMPLIANCE_MILESTONES,
        applies=True,
    )
    if scope.department:
        qs = qs.filter(case__employee__department=scope.department)
    return qs


def _with_done_on(qs: QuerySet[Deadline], as_of: dt.date) -> QuerySet[Deadline]:
    """Annotate ``done_on``: the day the step's legal task was completed (on
    or before ``as_of``), else NULL. A LEFT JOIN on the task's unique key
    (case, source, key, round), so each deadline row is read once."""
    task = "case__tasks"
    return qs.annotate(
        legal_task=FilteredRelation(
            task,
            condition=Q(
                case__tasks__source=TaskSource.LEGAL,
                case__tasks__key=F("milestone"),
                case__tasks__round=0,
                case__tasks__status=TaskStatus.DONE,
                case__tasks__completed_at__isnull=False,
            ),
        ),
        task_day=TruncDate("legal_task__completed_at"),
    ).annotate(
        done_on=Case(
            When(task_day__lte=as_of, then=F("task_day")),
            default=None,
            output_field=DateField(),
        )
    )


@dataclass(frozen=True)
class _LongChain:
    root_id: int
    first_sick_day: dt.date
    uwv_42_week_due: dt.date


def _open_long(scope: Scope, as_of: dt.date) -> list[_LongChain]:
    """The open chains of the scope past their 42e-weeksmelding (one query)."""
    return [
        _LongChain(*row)
        for row in _deadlines(scope)
        .filter(
            milestone=UWV_42_WEEK_MELDING.code,
            due_date__lt=as_of,
            case__timeline__is_open=True,
        )
        .values_list("case_id", "case__first_sick_day", "due_date")
    ]


def _chain_facts(long_chains: list[_LongChain]) -> dict[int, ChainFacts]:
    """Per current (latest) case of each chain: the facts the RIV check
    needs, with the due dates the refresh stored (``Deadline``) rather than
    recomputed. Two queries, and one more per relapse depth."""
    roots = [chain.root_id for chain in long_chains]
    members = {root_id: [root_id] for root_id in roots}
    tail_to_root = {root_id: root_id for root_id in roots}
    while tail_to_root:
        following: dict[int, int] = {}
        for pk, previous_id in (
            AbsenceCase.objects.filter(previous_case_id__in=list(tail_to_root))
            .order_by("first_sick_day", "pk")
            .values_list("pk", "previous_case_id")
        ):
            root_id = tail_to_root[previous_id]
            members[root_id].append(pk)
            following[pk] = root_id
        tail_to_root = following
    due: dict[int, dict[str, dt.date]] = defaultdict(dict)
    for case_id, milestone, day in Deadline.objects.filter(
        case_id__in=roots, applies=True
    ).values_list("case_id", "milestone", "due_date"):
        due[case_id][milestone] = day
    return {
        members[chain.root_id][-1]: ChainFacts(
            first_sick_day=chain.first_sick_day,
            case_ids=tuple(members[chain.root_id]),
            due=due[chain.root_id],
        )
        for chain in long_chains
    }


def _at_risk(
    long_chains: list[_LongChain], as_of: dt.date
) -> dict[int, tuple[int, list[str]]]:
    """Per current case of an open long chain whose RIV is incomplete: the
    chain's root, and what is missing or unsigned by the documents app's
    completeness check."""
    if not long_chains:
        return {}
    chains = _chain_facts(long_chains)
    findings = reintegratieverslag_findings_for_cases(
        case_ids=list(chains), today=as_of, chains=chains
    )
    at_risk: dict[int, tuple[int, list[str]]] = {}
    for case_id, found in findings.items():
        missing = [f.message for f in found if f.severity in INCOMPLETE_SEVERITIES]
        if missing:
            at_risk[case_id] = (chains[case_id].case_ids[0], missing)
    return at_risk


def cases_at_risk(scope: Scope, *, as_of: dt.date) -> list[CaseAtRisk]:
    """The open long cases of the scope whose re-integratieverslag is
    incomplete, with what is missing; oldest 42e-weeksmelding first.

    Names: a page may list them only to a user who may see each case (filter
    with ``accounts.access.cases_visible_to``). A fixed number of queries
    however many cases.
    """
    long_chains = _open_long(scope, as_of)
    at_risk = _at_risk(long_chains, as_of)
    reported = {chain.root_id: chain.uwv_42_week_due for chain in long_chains}
    listed = [
        CaseAtRisk(
            case=case,
            uwv_42_week_due=reported[at_risk[case.pk][0]],
            missing=tuple(at_risk[case.pk][1]),
        )
        for case in AbsenceCase.objects.filter(pk__in=list(at_risk)).select_related(
            "employee"
        )
    ]
    return sorted(listed, key=lambda item: (item.uwv_42_week_due, item.case.pk))


def compliance(scope: Scope, period: Period, *, as_of: dt.date) -> Compliance:
    """The Poortwachter compliance figures of ``scope`` over ``period``.

    One aggregate query for the per-milestone counts, one for the steps
    overdue now, and a fixed number for the open long cases and their RIV.
    """
    until = period.until(as_of)
    on_time = Q(done_on__isnull=False, done_on__lte=F("due_date"))
    late = Q(done_on__isnull=False, done_on__gt=F("due_date"))
    missed = Q(done_on__isnull=True, due_date__lt=as_of)
    as_of_value = Value(as_of, output_field=DateField())
    # A missed step is late until as_of, or until its chain closed (recovery,
    # end of employment): after that it can no longer be done.
    missed_until = Least(
        as_of_value,
        Coalesce("case__timeline__closed_on", as_of_value),
        Coalesce("case__employee__employment_end", as_of_value),
    )
    rows = {
        row["milestone"]: row
        for row in _with_done_on(
            _deadlines(scope).filter(due_date__gte=period.start, due_date__lte=until),
            as_of,
        )
        .order_by()
        .values("milestone")
        .annotate(
            on_time=Count("pk", filter=on_time),
            late=Count("pk", filter=late),
            missed=Count("pk", filter=missed),
            late_days=Sum(F("done_on") - F("due_date"), filter=late),
            missed_days=Sum(missed_until - F("due_date"), filter=missed),
        )
    }
    milestones: list[MilestoneCompliance] = []
    all_days, all_steps = 0, 0
    for code in COMPLIANCE_MILESTONES:
        row = rows.get(code)
        if row is None:
            milestones.append(MilestoneCompliance(code, 0, 0, 0, 0, None, None))
            continue
        days = sum(
            (value.days for value in (row["late_days"], row["missed_days"]) if value),
            0,
        )
        steps = row["late"] + row["missed"]
        due = row["on_time"] + steps
        all_days, all_steps = all_days + days, all_steps + steps
        milestones.append(
            MilestoneCompliance(
                milestone=code,
                due=due,
                on_time=row["on_time"],
                late=row["late"],
                missed=row["missed"],
                percentage_on_time=_ratio(100 * row["on_time"], due),
                average_days_late=_ratio(days, steps),
            )
        )

    overdue_now = (
        _with_done_on(
            _deadlines(scope).filter(due_date__lt=as_of, case__timeline__is_open=True),
            as_of,
        )
        .filter(done_on__isnull=True)
        .count()
    )
    long_chains = _open_long(scope, as_of)
    at_risk = _at_risk(long_chains, as_of)
    return Compliance(
        milestones=tuple(milestones),
        overdue_now=overdue_now,
        open_long_cases=len(long_chains),
        at_risk_cases=len(at_risk),
        average_days_late=_ratio(all_days, all_steps),
    )
