"""HTML pages inside a tenant (/t/<slug>/…). Thin: a selector, then a template."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.models import Role
from cases import selectors
from cases.models import CaseStatus

PAGE_SIZE = 50


def _page(request: HttpRequest, queryset: object) -> object:
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


def home(request: HttpRequest, tenant_slug: str) -> HttpResponse:
    """The landing page of a tenant, showing only what the role may see."""
    role = request.membership.role
    context: dict[str, object] = {"role": role}
    if role == Role.TENANT_ADMIN:
        context["employers"] = selectors.employer_list(actor=request.user)
        template = "cases/home_tenant_admin.html"
    elif role == Role.LEIDINGGEVENDE:
        context["page"] = _page(request, selectors.employee_list(actor=request.user))
        template = "cases/home_team.html"
    elif role == Role.WERKNEMER:
        context["cases"] = selectors.case_list(actor=request.user)
        template = "cases/home_werknemer.html"
    else:
        status = request.GET.get("status", CaseStatus.OPEN)
        if status not in CaseStatus.values:
            status = CaseStatus.OPEN
        context["status"] = status
        context["statuses"] = CaseStatus.choices
        context["page"] = _page(
            request, selectors.case_list(actor=request.user, status=status)
        )
        context["employers"] = selectors.employer_list(actor=request.user)
        template = "cases/home_cases.html"
    return render(request, template, context)


def employer_detail(request: HttpRequest, tenant_slug: str, pk: int) -> HttpResponse:
    employer = selectors.employer_get(actor=request.user, employer_id=pk)
    employees = selectors.employee_list(actor=request.user, employer=employer)
    return render(
        request,
        "cases/employer_detail.html",
        {"employer": employer, "page": _page(request, employees)},
    )


def employee_detail(request: HttpRequest, tenant_slug: str, pk: int) -> HttpResponse:
    employee = selectors.employee_get(actor=request.user, employee_id=pk)
    cases = selectors.case_list(actor=request.user).filter(employee=employee)
    return render(
        request, "cases/employee_detail.html", {"employee": employee, "cases": cases}
    )


def case_detail(request: HttpRequest, tenant_slug: str, pk: int) -> HttpResponse:
    case = selectors.case_get(actor=request.user, case_id=pk)
    return render(
        request,
        "cases/case_detail.html",
        {
            "case": case,
            "changes": case.workability_changes.all(),
            "notes": case.contact_notes.select_related("author"),
        },
    )
