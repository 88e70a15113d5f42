"""Reads of the poortwachter app."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet

from accounts.access import cases_visible_to
from accounts.models import User
from cases.models import AbsenceCase, CaseStatus
from poortwachter.models import Deadline, Task, TaskStatus
from poortwachter.rules import RULES_VERSION


def cases_needing_refresh(*, today: dt.date, stale_only: bool = False) -> QuerySet:
    """Ids of chain roots (in the active scope) whose timeline must be refreshed.

    Stale ones (facts changed, protocol changed, enqueue failed), open chains
    without a timeline, and, unless ``stale_only``, open chains whose next
    repeating task round enters the planning horizon or whose timeline was
    computed by an older ``RULES_VERSION``. The cost follows these, not all
    cases.
    """
    needs = Q(timeline__stale=True)
    if not stale_only:
        needs |= Q(
            timeline__isnull=True, previous_case__isnull=True, status=CaseStatus.OPEN
        )
        needs |= Q(timeline__is_open=True, timeline__next_review_on__lte=today)
        needs |= Q(timeline__is_open=True) & ~Q(timeline__rules_version=RULES_VERSION)
    return AbsenceCase.objects.filter(needs).order_by("pk").values_list("pk", flat=True)


def chain_deadlines(*, root: AbsenceCase) -> QuerySet[Deadline]:
    return Deadline.objects.filter(case=root).order_by("due_date", "milestone")


def chain_tasks(*, root: AbsenceCase) -> QuerySet[Task]:
    return (
        Task.objects.filter(case=root)
        .select_related("assignee")
        .order_by("status", "due_date", "id")
    )


def task_list(*, actor: User, assignee: User | None = None) -> QuerySet[Task]:
    """Open tasks on cases the actor may see, soonest first."""
    qs = Task.objects.filter(
        status=TaskStatus.OPEN, case__in=cases_visible_to(actor)
    ).select_related("case__employee", "assignee")
    if assignee is not None:
        qs = qs.filter(assignee=assignee)
    return qs.order_by("due_date", "id")


def tasks_due_by(*, day: dt.date) -> QuerySet[Task]:
    """Open, assigned tasks due on or before ``day`` (in the active scope)."""
    return (
        Task.objects.filter(
            status=TaskStatus.OPEN, due_date__lte=day, assignee__isnull=False
        )
        .select_related("case__employee", "assignee")
        .order_by("assignee_id", "due_date", "id")
    )
