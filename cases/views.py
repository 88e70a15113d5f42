"""HTML pages inside a tenant (/t/<slug>/…). Thin: a selector, then a template."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from accounts.access import Action, can
from accounts.models import Role
from accounts.selectors import users_with_role
from cases import selectors
from cases.forms import (
    CaseAssignForm,
    ContactNoteForm,
    HersteldmeldingForm,
    InterventionForm,
    ZiekmeldingForm,
)
from cases.medical_terms import medical_terms_in
from cases.models import CaseStatus
from cases.services import (
    case_assign,
    contact_note_create,
    hersteldmelding_create,
    intervention_create,
    intervention_update,
    ziekmelding_create,
)
from core.exceptions import ApplicationError

PAGE_SIZE = 50
CASE_PEOPLE_ROLES = ("regiehouder", "casemanager", "bedrijfsarts")


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
    elif role == Role.BEDRIJFSARTS:
        return redirect("poortwachter:physician_cases", tenant_slug=tenant_slug)
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
            "interventions": case.interventions.all(),
            "can_report": can(request.user, Action.HERSTELDMELDING, case),
            "can_intervene": can(request.user, Action.INTERVENTION, case),
            "can_note": can(request.user, Action.CONTACT_NOTE, case),
            "can_assign": can(request.user, Action.ASSIGN_CASE, case),
        },
    )


def ziekmelding(request: HttpRequest, tenant_slug: str) -> HttpResponse:
    """Report an employee sick: the manager's one-minute form."""
    employees = selectors.employees_for_ziekmelding(actor=request.user)
    form = ZiekmeldingForm(request.POST or None, employees=employees)
    if request.method == "POST" and form.is_valid():
        try:
            case = ziekmelding_create(actor=request.user, **form.cleaned_data)
        except ApplicationError as error:
            error.add_to_form(form)
        else:
            messages.success(
                request,
                _("%(name)s is ziek gemeld.") % {"name": case.employee.display_name},
            )
            return redirect("cases:case_detail", tenant_slug=tenant_slug, pk=case.pk)
    return render(
        request,
        "cases/ziekmelding.html",
        {"form": form, "has_employees": employees.exists()},
    )


def hersteldmelding(request: HttpRequest, tenant_slug: str, pk: int) -> HttpResponse:
    """Report a full or partial recovery."""
    case = selectors.case_get(actor=request.user, case_id=pk)
    if not can(request.user, Action.HERSTELDMELDING, case):
        raise Http404
    form = HersteldmeldingForm(request.POST or None)
    if case.status != CaseStatus.OPEN:
        form = None
    elif request.method == "POST" and form.is_valid():
        try:
            hersteldmelding_create(
                actor=request.user,
                case=case,
                effective_date=form.cleaned_data["effective_date"],
                percentage_fit=form.percentage,
            )
        except ApplicationError as error:
            error.add_to_form(form)
        else:
            messages.success(request, _("Het herstel is vastgelegd."))
            return redirect("cases:case_detail", tenant_slug=tenant_slug, pk=case.pk)
    return render(request, "cases/hersteldmelding.html", {"case": case, "form": form})


def contact_note_add(request: HttpRequest, tenant_slug: str, pk: int) -> HttpResponse:
    """Add a contact moment; warn first when the text looks medical."""
    case = selectors.case_get(actor=request.user, case_id=pk)
    if not can(request.user, Action.CONTACT_NOTE, case):
        raise Http404
    form = ContactNoteForm(request.POST or None)
    medical: list[str] = []
    if request.method == "POST" and form.is_valid():
        medical = medical_terms_in(form.cleaned_data["summary"])
        if medical and not form.cleaned_data["confirm_no_medical"]:
            form.add_error(
                "summary",
                _(
                    "Deze tekst lijkt medische informatie te bevatten. Een "
                    "leidinggevende of HR mag die niet vastleggen; pas de tekst aan "
                    "of bevestig hieronder dat het geen medische informatie is."
                ),
            )
        else:
            data = form.cleaned_data
            try:
                contact_note_create(
                    actor=request.user,
                    case=case,
                    contact_date=data["contact_date"],
                    channel=data["channel"],
                    with_whom=data["with_whom"],
                    summary=data["summary"],
                )
            except ApplicationError as error:
                error.add_to_form(form)
            else:
                messages.success(request, _("Het contactmoment is opgeslagen."))
                return redirect(
                    "cases:case_detail", tenant_slug=tenant_slug, pk=case.pk
                )
    return render(
        request,
        "cases/contact_note_form.html",
        {"case": case, "form": form, "medical_terms": medical},
    )


def case_assign_view(request: HttpRequest, tenant_slug: str, pk: int) -> HttpResponse:
    """Route and the people who run a case (regiehouder and casemanager)."""
    case = selectors.case_get(actor=request.user, case_id=pk)
    if not can(request.user, Action.ASSIGN_CASE, case):
        raise Http404
    people = {role: users_with_role(role=role) for role in CASE_PEOPLE_ROLES}
    initial = {
        "route": case.route,
        "regiehouder": case.regiehouder_id,
        "casemanager": case.casemanager_id,
        "bedrijfsarts": case.bedrijfsarts_id,
    }
    form = CaseAssignForm(request.POST or None, initial=initial, people=people)
    if request.method == "POST" and form.is_valid():
        try:
            case_assign(actor=request.user, case=case, **form.cleaned_data)
        except ApplicationError as error:
            error.add_to_form(form)
        else:
            messages.success(request, _("De toewijzing is opgeslagen."))
            return redirect("cases:case_detail", tenant_slug=tenant_slug, pk=case.pk)
    return render(request, "cases/case_assign.html", {"case": case, "form": form})


def intervention_form(
    request: HttpRequest, tenant_slug: str, pk: int, intervention_pk: int | None = None
) -> HttpResponse:
    """Record a new intervention on case ``pk``, or change one."""
    if intervention_pk is None:
        case = selectors.case_get(actor=request.user, case_id=pk)
        intervention = None
        initial = None
    else:
        intervention = selectors.intervention_get(
            actor=request.user, intervention_id=intervention_pk
        )
        case = intervention.case
        if case.pk != pk:
            raise Http404
        initial = {
            name: getattr(intervention, name) for name in InterventionForm.base_fields
        }
    if not can(request.user, Action.INTERVENTION, case):
        raise Http404
    form = InterventionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            if intervention is None:
                intervention_create(actor=request.user, case=case, **form.cleaned_data)
            else:
                intervention_update(
                    actor=request.user, intervention=intervention, **form.cleaned_data
                )
        except ApplicationError as error:
            error.add_to_form(form)
        else:
            messages.success(request, _("De interventie is opgeslagen."))
            return redirect("cases:case_detail", tenant_slug=tenant_slug, pk=case.pk)
    return render(
        request,
        "cases/intervention_form.html",
        {"case": case, "form": form, "intervention": intervention},
    )
