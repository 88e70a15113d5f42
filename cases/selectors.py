"""Reads on employers, employees and cases, always through the access policy."""

from __future__ import annotations

from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.shortcuts import get_object_or_404
from django.utils import timezone

from accounts.access import (
    cases_visible_to,
    employees_reportable_by,
    employees_visible_to,
    employers_visible_to,
)
from accounts.models import User
from cases.models import (
    AbsenceCase,
    CaseStatus,
    Employee,
    Employer,
    Intervention,
    WorkabilityChange,
)


def employer_list(*, actor: User) -> QuerySet[Employer]:
    """Employers the actor may see, by name."""
    return employers_visible_to(actor).order_by("name")


def employer_get(*, actor: User, employer_id: int) -> Employer:
    """One employer the actor may see; 404 otherwise (also for other tenants)."""
    return get_object_or_404(employers_visible_to(actor), pk=employer_id)


def employee_list(
    *, actor: User, employer: Employer | None = None
) -> QuerySet[Employee]:
    """Employees the actor may see, each annotated with their current status.

    ``sick_since`` is the first sick day of the open case (or None when fit)
    and ``percentage_unfit`` the latest recorded percentage of that case; the
    list costs one query however long it is.
    """
    open_case = AbsenceCase.objects.filter(
        employee=OuterRef("pk"), status=CaseStatus.OPEN
    )
    latest_change = WorkabilityChange.objects.filter(
        case__employee=OuterRef("pk"), case__status=CaseStatus.OPEN
    ).order_by("-effective_date", "-id")
    qs = employees_visible_to(actor)
    if employer is not None:
        qs = qs.filter(employer=employer)
    return (
        qs.select_related("employer")
        .annotate(
            open_case_id=Subquery(open_case.values("pk")[:1]),
            sick_since=Subquery(open_case.values("first_sick_day")[:1]),
            percentage_unfit=Subquery(latest_change.values("percentage_unfit")[:1]),
        )
        .order_by("surname", "initials", "pk")
    )


def employee_get(*, actor: User, employee_id: int) -> Employee:
    """One employee the actor may see; 404 otherwise."""
    return get_object_or_404(
        employees_visible_to(actor).select_related("employer", "manager"),
        pk=employee_id,
    )


def employee_get_by_number(
    *, actor: User, employer_id: int, personnel_number: str
) -> Employee:
    """The employee with ``personnel_number`` at the employer, if the actor
    may see them; 404 otherwise."""
    return get_object_or_404(
        employees_visible_to(actor).select_related("employer", "manager"),
        employer_id=employer_id,
        personnel_number=personnel_number,
    )


def case_list(*, actor: User, status: str | None = None) -> QuerySet[AbsenceCase]:
    """Cases the actor may see, open ones first, newest first, each with
    ``percentage_unfit``: the latest recorded percentage (one query)."""
    latest_change = WorkabilityChange.objects.filter(case=OuterRef("pk")).order_by(
        "-effective_date", "-id"
    )
    qs = (
        cases_visible_to(actor)
        .select_related("employee", "employee__employer")
        .annotate(
            percentage_unfit=Subquery(latest_change.values("percentage_unfit")[:1])
        )
    )
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-first_sick_day", "-pk")


def case_get(*, actor: User, case_id: int) -> AbsenceCase:
    """One case the actor may see; 404 otherwise."""
    return get_object_or_404(
        cases_visible_to(actor).select_related(
            "employee",
            "employee__employer",
            "regiehouder",
            "casemanager",
            "bedrijfsarts",
            "previous_case",
        ),
        pk=case_id,
    )


def intervention_get(*, actor: User, intervention_id: int) -> Intervention:
    """One intervention on a case the actor may see; 404 otherwise."""
    return get_object_or_404(
        Intervention.objects.filter(case__in=cases_visible_to(actor)).select_related(
            "case__employee"
        ),
        pk=intervention_id,
    )


def employees_for_ziekmelding(*, actor: User) -> QuerySet[Employee]:
    """Employees the actor may report sick now, by name."""
    return (
        employees_reportable_by(actor)
        .filter(
            Q(employment_end__isnull=True) | Q(employment_end__gte=timezone.localdate())
        )
        .order_by("surname", "initials", "pk")
    )


AUDIT_CASE_SEARCH_LIMIT = 50


def cases_for_audit(*, term: str) -> QuerySet[AbsenceCase]:
    """Cases of the scoped tenant whose employee matches ``term`` (name or
    personnel number), newest first, for the privacy officer's audit trail.
    Callers check ``accounts.access.is_privacy_officer``."""
    term = term.strip()
    return (
        AbsenceCase.objects.filter(
            Q(employee__surname__icontains=term)
            | Q(employee__first_name__icontains=term)
            | Q(employee__personnel_number__iexact=term)
        )
        .select_related("employee__employer")
        .order_by("-first_sick_day", "-pk")[:AUDIT_CASE_SEARCH_LIMIT]
    )


def case_chain_ids(*, case_id: int) -> list[int]:
    """The ids of the chain of sick periods ``case_id`` belongs to (its first
    case and every relapse), for the audit trail of one case; empty when the
    scoped tenant has no such case. Tasks and deadlines hang on the first."""
    case = AbsenceCase.objects.filter(pk=case_id).first()
    if case is None:
        return []
    root = case
    while root.previous_case_id is not None:
        root = AbsenceCase.objects.get(pk=root.previous_case_id)
    ids, frontier = [root.pk], [root.pk]
    while frontier:
        frontier = list(
            AbsenceCase.objects.filter(previous_case_id__in=frontier).values_list(
                "pk", flat=True
            )
        )
        ids += frontier
    return ids


def cases_by_ids(*, ids: list[int]) -> QuerySet[AbsenceCase]:
    """Cases of the scoped tenant by id, with their employee and employer."""
    return AbsenceCase.objects.filter(pk__in=ids).select_related("employee__employer")
