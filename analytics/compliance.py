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

The re-integratieverslag of an open long case (past its 42e-weeksmelding) is
incomplete when the completeness check of the documents app
(``documents.reintegratieverslag``) finds something missing or unsigned
(severity ``ontbreekt`` or ``niet_ondertekend``); a part that was late but is
there, or one not due yet, does not make it incomplete. The check runs on
the RIV of the chain's open (latest) case.

Runs inside the caller's tenant scope and does not check access.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import (
    Count,
    DateField,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import TruncDate

from analytics.figures import Compliance, MilestoneCompliance
from analytics.periods import Period, Scope
from cases.models import AbsenceCase
from documents.reintegratieverslag import reintegratieverslag_findings_for_cases
from poortwachter.models import Deadline, Task, TaskSource, TaskStatus
from poortwachter.rules.milestones import (
    EERSTEJAARSEVALUATIE,
    PLAN_VAN_AANPAK,
    PROBLEEMANALYSE,
    UWV_42_WEEK_MELDING,
    WIA_AANVRAAG,
)
from poortwachter.services import chain_timelines

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
    or before ``as_of``), else NULL. One index lookup per deadline."""
    done = (
        Task.objects.filter(
            case_id=OuterRef("case_id"),
            source=TaskSource.LEGAL,
            key=OuterRef("milestone"),
            round=0,
            status=TaskStatus.DONE,
            completed_at__isnull=False,
        )
        .annotate(day=TruncDate("completed_at"))
        .filter(day__lte=as_of)
        .values("day")[:1]
    )
    return qs.annotate(done_on=Subquery(done, output_field=DateField()))


def _open_long_roots(scope: Scope, as_of: dt.date) -> dict[int, dt.date]:
    """Roots of the open chains past their 42e-weeksmelding, with its date."""
    return dict(
        _deadlines(scope)
        .filter(
            milestone=UWV_42_WEEK_MELDING.code,
            due_date__lt=as_of,
            case__timeline__is_open=True,
        )
        .values_list("case_id", "due_date")
    )


def cases_at_risk(scope: Scope, *, as_of: dt.date) -> list[CaseAtRisk]:
    """The open long cases of the scope whose re-integratieverslag is
    incomplete, with what is missing; oldest 42e-weeksmelding first.

    Names: a page may list them only to a user who may see each case (filter
    with ``accounts.access.cases_visible_to``). A fixed number of queries
    however many cases.
    """
    return _at_risk(_open_long_roots(scope, as_of), as_of)


def _at_risk(roots: dict[int, dt.date], as_of: dt.date) -> list[CaseAtRisk]:
    if not roots:
        return []
    chains = chain_timelines(cases=AbsenceCase.objects.filter(pk__in=roots))
    current = {root_id: chain[-1] for root_id, (chain, _t) in chains.items()}
    findings = reintegratieverslag_findings_for_cases(
        cases=current.values(), today=as_of
    )
    at_risk = [
        CaseAtRisk(
            case=case,
            uwv_42_week_due=roots[root_id],
            missing=tuple(
                f.message
                for f in findings[case.pk]
                if f.severity in INCOMPLETE_SEVERITIES
            ),
        )
        for root_id, case in current.items()
    ]
    return sorted(
        (item for item in at_risk if item.missing),
        key=lambda item: (item.uwv_42_week_due, item.case.pk),
    )


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
            missed_days=Sum(as_of_value - F("due_date"), filter=missed),
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
    open_long = _open_long_roots(scope, as_of)
    at_risk = _at_risk(open_long, as_of)
    return Compliance(
        milestones=tuple(milestones),
        overdue_now=overdue_now,
        open_long_cases=len(open_long),
        at_risk_cases=len(at_risk),
        average_days_late=_ratio(all_days, all_steps),
    )
