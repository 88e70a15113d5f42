"""Reads of the privacy app: the tenant's policy, what is past its period,
and what stands in the way of erasing an employee."""

from __future__ import annotations

import calendar
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from accounts.models import Tenant
from cases.models import AbsenceCase, CaseStatus, Employee
from privacy.models import (
    CASE_CATEGORIES,
    RetentionCategory,
    RetentionMark,
    RetentionPolicy,
    RetentionRun,
)

# A relapse within 28 fit days continues the same sick period (art. 7:629
# lid 10 BW): until then the employer needs the closed case to count on.
SAMENTELLING_DAYS = 28


def retention_policy_for(*, tenant: Tenant) -> RetentionPolicy:
    """The tenant's policy; the defaults (unsaved) if it has none."""
    return RetentionPolicy.objects.filter(tenant=tenant).first() or RetentionPolicy(
        tenant=tenant
    )


def months_before(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` calendar months earlier (the last day of the
    month when that month is shorter): data whose period ends on or before
    this date is past a period of ``months``."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


_ERD = Q(employee__employer__eigenrisicodrager_zw=True) | Q(
    employee__employer__eigenrisicodrager_wga=True
)


def _case_end() -> Coalesce:
    # A recovered case ends on its hersteldatum; a case closed without one
    # (ziek uit dienst) with the employment.
    return Coalesce("recovery_date", "employee__employment_end")


def retention_case_candidates(
    *, policy: RetentionPolicy, today: dt.date, after: int = 0, limit: int = 500
) -> list[int]:
    """Ids of closed cases (in the scoped tenant, above ``after``) of which at
    least one category is past its period and not yet processed. Whether the
    case's whole chain is past it too is checked per chain afterwards."""
    due = Q(pk__in=[])
    for category in CASE_CATEGORIES:
        unmarked = ~Exists(
            RetentionMark.objects.filter(case=OuterRef("pk"), category=category)
        )
        normal = months_before(
            today, policy.months_for(category, eigenrisicodrager=False)
        )
        erd = months_before(today, policy.months_for(category, eigenrisicodrager=True))
        due |= Q(unmarked) & (
            (~_ERD & Q(retention_end__lte=normal)) | (_ERD & Q(retention_end__lte=erd))
        )
    return list(
        AbsenceCase.objects.exclude(status=CaseStatus.OPEN)
        .annotate(retention_end=_case_end())
        .filter(due, pk__gt=after)
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )


@dataclass
class Chain:
    """The cases counted as one sick period (samentelling), oldest first."""

    case_ids: list[int]
    employee_id: int
    end: dt.date | None
    is_open: bool
    eigenrisicodrager: bool
    marked: dict[str, set[int]] = field(default_factory=dict)

    def unmarked(self, category: str) -> bool:
        """Whether some case of the chain still has ``category`` to process."""
        return self.marked.get(category, set()) != set(self.case_ids)


def retention_chains(*, case_ids: list[int]) -> list[Chain]:
    """The whole chains the given cases belong to, each once, with their end
    (the end of their last case; None while a case has none), whether a case
    is open, and what was processed already. A fixed number of queries."""
    employees = AbsenceCase.objects.filter(pk__in=case_ids).values("employee_id")
    rows = list(
        AbsenceCase.objects.filter(employee_id__in=employees)
        .annotate(retention_end=_case_end())
        .values(
            "pk",
            "employee_id",
            "previous_case_id",
            "status",
            "retention_end",
            "employee__employer__eigenrisicodrager_zw",
            "employee__employer__eigenrisicodrager_wga",
        )
    )
    by_pk = {row["pk"]: row for row in rows}

    def root_of(pk: int) -> int:
        while by_pk[pk]["previous_case_id"] in by_pk:
            pk = by_pk[pk]["previous_case_id"]
        return pk

    members: dict[int, list[dict]] = defaultdict(list)
    for row in rows:
        members[root_of(row["pk"])].append(row)
    wanted = {root_of(pk) for pk in case_ids if pk in by_pk}
    chain_case_ids = [row["pk"] for root in wanted for row in members[root]]
    marks: dict[int, set[str]] = defaultdict(set)
    for case_id, category in RetentionMark.objects.filter(
        case_id__in=chain_case_ids
    ).values_list("case_id", "category"):
        marks[case_id].add(category)
    chains = []
    for root in sorted(wanted):
        cases = members[root]
        ends = [row["retention_end"] for row in cases]
        marked: dict[str, set[int]] = defaultdict(set)
        for row in cases:
            for category in marks[row["pk"]]:
                marked[category].add(row["pk"])
        first = cases[0]
        chains.append(
            Chain(
                case_ids=sorted(row["pk"] for row in cases),
                employee_id=first["employee_id"],
                end=None if None in ends else max(ends),
                is_open=any(row["status"] == CaseStatus.OPEN for row in cases),
                eigenrisicodrager=bool(
                    first["employee__employer__eigenrisicodrager_zw"]
                    or first["employee__employer__eigenrisicodrager_wga"]
                ),
                marked=dict(marked),
            )
        )
    return chains


def retention_employee_candidates(
    *, policy: RetentionPolicy, today: dt.date, after: int = 0, limit: int = 500
) -> list[int]:
    """Ids of employees out of service (in the scoped tenant, above
    ``after``) whose period after the end of employment has passed, without
    an open case, not yet anonymised. Their cases are checked afterwards."""
    category = RetentionCategory.EMPLOYEE
    normal = months_before(today, policy.months_for(category, eigenrisicodrager=False))
    erd = months_before(today, policy.months_for(category, eigenrisicodrager=True))
    employer_erd = Q(employer__eigenrisicodrager_zw=True) | Q(
        employer__eigenrisicodrager_wga=True
    )
    return list(
        Employee.objects.filter(
            (~employer_erd & Q(employment_end__lte=normal))
            | (employer_erd & Q(employment_end__lte=erd)),
            pk__gt=after,
        )
        .exclude(
            Exists(
                AbsenceCase.objects.filter(
                    employee=OuterRef("pk"), status=CaseStatus.OPEN
                )
            )
        )
        .exclude(Exists(RetentionMark.objects.filter(employee=OuterRef("pk"))))
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )


def employees_with_medical_data(
    *, employee_ids: list[int], except_case_ids: Iterable[int] = ()
) -> set[int]:
    """Those of ``employee_ids`` of whose cases (but those in
    ``except_case_ids``) medical data remains."""
    from poortwachter.models import ConsultMedical, ProbleemanalyseMedical
    from triage.models import ResponseMedical

    excluded = list(except_case_ids)
    found: set[int] = set()
    for qs, path in (
        (ConsultMedical.objects, "consult__case"),
        (ProbleemanalyseMedical.objects, "probleemanalyse__case"),
        (ResponseMedical.objects, "response__invitation__case"),
    ):
        found.update(
            qs.filter(**{f"{path}__employee_id__in": employee_ids})
            .exclude(**{f"{path}_id__in": excluded})
            .values_list(f"{path}__employee_id", flat=True)
        )
    return found


def case_ends_of_employees(
    *, employee_ids: list[int]
) -> list[tuple[int, int, dt.date | None, str]]:
    """``(employee id, case id, end, status)`` of every case of the employees."""
    return list(
        AbsenceCase.objects.filter(employee_id__in=employee_ids)
        .annotate(retention_end=_case_end())
        .order_by("pk")
        .values_list("employee_id", "pk", "retention_end", "status")
    )


def employee_case_ends(*, employee: Employee) -> list[tuple[int, dt.date | None, str]]:
    """``(case id, end, status)`` of every case of ``employee``."""
    return list(
        AbsenceCase.objects.filter(employee=employee)
        .annotate(retention_end=_case_end())
        .order_by("pk")
        .values_list("pk", "retention_end", "status")
    )


@dataclass(frozen=True)
class ErasureCheck:
    """What stands in the way of erasing an employee now: an open case (no
    erasure at all) and legal duties to keep (``force`` with a reason)."""

    open_case: bool
    duties: tuple[str, ...]


def employee_erase_check(
    *, employee: Employee, policy: RetentionPolicy, today: dt.date
) -> ErasureCheck:
    """Why ``employee``'s data cannot be erased today, if it cannot.

    While a case is open the Poortwachter process needs it. A legal duty to
    keep: a relapse within 28 days of the last hersteldatum still counts as
    the same sick period (samentelling), and an eigenrisicodrager keeps the
    data of the ZW/WGA for five years after the case.
    """
    cases = employee_case_ends(employee=employee)
    open_case = any(status == CaseStatus.OPEN for _pk, _end, status in cases)
    ends = [end for _pk, end, _status in cases if end is not None]
    duties: list[str] = []
    if ends:
        last = max(ends)
        if (today - last).days < SAMENTELLING_DAYS:
            duties.append(
                _(
                    "Het laatste dossier is minder dan 28 dagen geleden "
                    "geëindigd: een nieuwe ziekmelding telt dan nog mee "
                    "(samentelling)."
                )
            )
        employer = employee.employer
        if employer.eigenrisicodrager_zw or employer.eigenrisicodrager_wga:
            months = policy.eigenrisicodrager_months
            if last > months_before(today, months):
                duties.append(
                    _(
                        "De werkgever is eigenrisicodrager: de gegevens moeten "
                        "%(months)s maanden na het einde van het dossier "
                        "bewaard blijven."
                    )
                    % {"months": months}
                )
    return ErasureCheck(open_case=open_case, duties=tuple(duties))


def retention_runs() -> QuerySet[RetentionRun]:
    """The scoped tenant's reports, newest first."""
    return RetentionRun.objects.select_related("actor").order_by("-started_at", "-pk")
