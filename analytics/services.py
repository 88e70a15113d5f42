"""Writes of the analytics app: the FigureSnapshots of closed periods.

A snapshot holds the dashboard of one employer (or department) over one
closed month, quarter or year. ``analytics.signals`` deletes the ones a
correction of old data touches; the nightly task (``analytics.tasks``) and
``manage.py refresh_statistics`` fill them in again.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet

from analytics.figures import Dashboard
from analytics.models import FigureSnapshot
from analytics.periods import Period, Scope
from cases.models import Employee, Employer

# What the nightly refresh keeps ready: the last 13 closed months, the last
# 4 closed quarters and the last closed year.
REFRESH_MONTHS = 13
REFRESH_QUARTERS = 4


def snapshot_store(
    *, scope: Scope, period: Period, figures: Dashboard, replace: bool
) -> None:
    """Keep ``figures`` as the snapshot of ``scope`` over ``period``: one
    INSERT; an existing snapshot is overwritten when ``replace``, else kept
    (two requests computing the same period at once store it once)."""
    from analytics.serialization import dashboard_to_json

    row = FigureSnapshot(
        tenant_id=scope.employer.tenant_id,
        employer=scope.employer,
        department=scope.department,
        period_kind=period.kind.value,
        period_start=period.start,
        period_end=period.end,
        data=dashboard_to_json(figures),
        computed_at=figures.computed_at,
    )
    unique = ["employer", "department", "period_start", "period_end"]
    if replace:
        FigureSnapshot.objects.bulk_create(
            [row],
            update_conflicts=True,
            unique_fields=unique,
            update_fields=["period_kind", "data", "computed_at"],
        )
    else:
        FigureSnapshot.objects.bulk_create([row], ignore_conflicts=True)


def refresh_periods(*, today: dt.date) -> list[Period]:
    """The closed periods the refresh keeps ready on ``today``."""
    periods: list[Period] = []
    year, month = today.year, today.month
    for _ in range(REFRESH_MONTHS):
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
        periods.append(Period.month(year, month))
    year, quarter = today.year, (today.month - 1) // 3 + 1
    for _ in range(REFRESH_QUARTERS):
        year, quarter = (year - 1, 4) if quarter == 1 else (year, quarter - 1)
        periods.append(Period.quarter(year, quarter))
    periods.append(Period.year(today.year - 1))
    return periods


def refresh_scopes(*, employer: Employer) -> list[Scope]:
    """The whole employer and each department in use there."""
    departments = (
        Employee.objects.filter(employer=employer)
        .exclude(department="")
        .values_list("department", flat=True)
        .distinct()
        .order_by("department")
    )
    return [Scope(employer), *(Scope(employer, d) for d in departments)]


def snapshots_refresh_employer(
    *, employer: Employer, today: dt.date, force: bool = False
) -> int:
    """Compute the snapshots of ``employer`` (whole and per department) over
    ``refresh_periods``: only the missing ones, or all when ``force``.
    Returns how many were computed."""
    from analytics.selectors import dashboard_compute

    periods = refresh_periods(today=today)
    present: set[tuple[str, dt.date, dt.date]] = set()
    if not force:
        present = set(
            FigureSnapshot.objects.filter(
                employer=employer, period_start__gte=min(p.start for p in periods)
            ).values_list("department", "period_start", "period_end")
        )
    computed = 0
    for scope in refresh_scopes(employer=employer):
        for period in periods:
            if (scope.department, period.start, period.end) in present:
                continue
            figures = dashboard_compute(scope, period, as_of=today)
            snapshot_store(scope=scope, period=period, figures=figures, replace=True)
            computed += 1
    return computed


def employers_for_refresh(*, employer_id: int | None = None) -> QuerySet[Employer]:
    """The employers of the current tenant scope (or the one asked for)."""
    employers = Employer.objects.order_by("pk")
    if employer_id is not None:
        employers = employers.filter(pk=employer_id)
    return employers
