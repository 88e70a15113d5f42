"""Employers and employees in the tenant admin (/beheer/). Cases are not here:
a tenant administrator sees no case data by role alone; only one flagged as
privacy officer reads the audit trail of a case (who changed what, when)."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.access import is_privacy_officer
from accounts.admin import TenantModelAdmin, tenant_admin_site
from accounts.audit import REDACTED
from accounts.models import AuditEvent, Role, User
from accounts.selectors import audit_trail
from cases.models import Employee, Employer
from cases.selectors import case_chain_ids, cases_by_ids, cases_for_audit
from cases.services import employee_facts_changed
from cases.validators import normalize_bsn, validate_bsn

FULLTIME_HOURS_DEFAULT = Decimal(40)
FULLTIME_HOURS_MIN, FULLTIME_HOURS_MAX = Decimal(1), Decimal(60)
FULLTIME_HOURS_MESSAGE = _(
    "Voltijd uren per week is een getal van 1 tot en met 60 (bijvoorbeeld 38 of 36,5)."
)


class EmployerAdminForm(forms.ModelForm):
    fulltime_hours = forms.DecimalField(
        label=_("voltijd uren per week"),
        max_digits=4,
        decimal_places=1,
        required=False,
        localize=True,  # 36,5 as well as 36.5
        initial=FULLTIME_HOURS_DEFAULT,
        help_text=Employer._meta.get_field("fulltime_hours").help_text,
        error_messages={"invalid": FULLTIME_HOURS_MESSAGE},
    )

    class Meta:
        model = Employer
        fields = [
            "name",
            "kvk_number",
            "loonheffingennummer",
            "contact_name",
            "contact_email",
            "contact_phone",
            "eigenrisicodrager_zw",
            "eigenrisicodrager_wga",
            "fulltime_hours",
        ]

    def clean_fulltime_hours(self) -> Decimal:
        """Empty is the usual 40 hours; anything else lies in 1-60."""
        hours = self.cleaned_data.get("fulltime_hours")
        if hours is None:
            return FULLTIME_HOURS_DEFAULT
        if not FULLTIME_HOURS_MIN <= hours <= FULLTIME_HOURS_MAX:
            raise forms.ValidationError(FULLTIME_HOURS_MESSAGE)
        return hours


@admin.register(Employer, site=tenant_admin_site)
class EmployerAdmin(TenantModelAdmin):
    form = EmployerAdminForm
    list_display = [
        "name",
        "kvk_number",
        "contact_name",
        "fulltime_hours",
        "eigenrisicodrager_zw",
    ]
    search_fields = ["name", "kvk_number"]


class EmployeeAdminForm(forms.ModelForm):
    new_bsn = forms.CharField(
        label=_("BSN"),
        required=False,
        max_length=11,
        help_text=_("9 cijfers. Laat leeg om het opgeslagen BSN te behouden."),
    )

    class Meta:
        model = Employee
        # The admin adds the other fields at request time, inside the tenant
        # scope (see EmployeeAdmin.fields).
        fields: list[str] = []

    def clean_new_bsn(self) -> str:
        value = self.cleaned_data["new_bsn"].strip()
        if value:
            validate_bsn(value)
            value = normalize_bsn(value)
        return value

    def save(self, commit: bool = True) -> Employee:
        if self.cleaned_data.get("new_bsn"):
            self.instance.bsn = self.cleaned_data["new_bsn"]
        return super().save(commit=commit)


@admin.register(Employee, site=tenant_admin_site)
class EmployeeAdmin(TenantModelAdmin):
    form = EmployeeAdminForm
    list_display = [
        "surname",
        "initials",
        "personnel_number",
        "employer",
        "job_title",
        "bsn_masked",
        "employment_end",
    ]
    list_filter = ["employer", "department"]
    search_fields = ["surname", "first_name", "personnel_number"]
    readonly_fields = ["bsn_masked"]
    fields = [
        "employer",
        "personnel_number",
        "initials",
        "first_name",
        "surname_prefix",
        "surname",
        "birth_name",
        "date_of_birth",
        "bsn_masked",
        "new_bsn",
        "email",
        "phone",
        "preferred_language",
        "job_title",
        "job_description",
        "department",
        "contract_hours",
        "manager",
        "user",
        "employment_start",
        "employment_end",
        "vangnet_category",
    ]
    list_select_related = ["employer"]

    @admin.display(description=_("BSN"))
    def bsn_masked(self, obj: Employee) -> str:
        return obj.bsn_masked

    def save_model(
        self, request: HttpRequest, obj: Employee, form: forms.ModelForm, change: bool
    ) -> None:
        super().save_model(request, obj, form, change)
        if change and {"employment_end", "vangnet_category"} & set(form.changed_data):
            employee_facts_changed(employee=obj)

    def formfield_for_foreignkey(
        self, db_field: models.ForeignKey, request: HttpRequest, **kwargs: Any
    ) -> forms.Field | None:
        roles = {"manager": Role.LEIDINGGEVENDE, "user": Role.WERKNEMER}
        if db_field.name in roles:
            kwargs["queryset"] = User.objects.filter(
                memberships__tenant=request.tenant,
                memberships__role=roles[db_field.name],
            ).distinct()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


# --- The audit trail of one case, for the privacy officer ---------------------


class AuditTrailSearchForm(forms.Form):
    employee = forms.CharField(
        label=_("werknemer"),
        required=False,
        max_length=100,
        help_text=_("Naam of personeelsnummer."),
    )
    case = forms.IntegerField(
        label=_("dossiernummer"), required=False, min_value=1, widget=forms.HiddenInput
    )


AUDIT_TRAIL_PAGE_SIZE = 50


def _shown(value: Any) -> str:
    if isinstance(value, dict) and value.get(REDACTED):
        return gettext("(afgeschermd)")
    if value is None or value == "":
        return "—"
    return str(value)


def audit_rows(events: Iterable[AuditEvent]) -> list[dict[str, Any]]:
    """Events as the page shows them: facts, and each change before → after
    (masked values as "(afgeschermd)": only that they changed)."""
    rows = []
    for event in events:
        data = dict(event.data)
        changes = data.pop("changes", {}) or {}
        rows.append(
            {
                "event": event,
                "facts": sorted(data.items()),
                "changes": [
                    (name, _shown(change.get("before")), _shown(change.get("after")))
                    for name, change in changes.items()
                ],
            }
        )
    return rows


@admin.register(AuditEvent, site=tenant_admin_site)
class CaseAuditTrailAdmin(admin.ModelAdmin):
    """The audit trail of one case (and its relapses), for privacy officers.
    Read-only: the trail is written by the services and nowhere else."""

    actions = None

    def has_module_permission(self, request: HttpRequest) -> bool:
        return is_privacy_officer(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_privacy_officer(request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def change_view(self, *args: Any, **kwargs: Any) -> HttpResponse:
        raise Http404

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        """Find a case by its employee, then read its trail, newest first."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        form = AuditTrailSearchForm(request.GET or None)
        cases, page, case = [], None, None
        if form.is_bound and form.is_valid():
            if form.cleaned_data["case"]:
                wanted = form.cleaned_data["case"]
                ids = case_chain_ids(case_id=wanted)
                if not ids:
                    raise Http404
                case = cases_by_ids(ids=[wanted]).get()
                page = Paginator(
                    audit_trail(case_ids=ids), AUDIT_TRAIL_PAGE_SIZE
                ).get_page(request.GET.get("p"))
            elif form.cleaned_data["employee"].strip():
                cases = list(cases_for_audit(term=form.cleaned_data["employee"]))
        query = request.GET.copy()
        query.pop("p", None)
        return TemplateResponse(
            request,
            "admin/accounts/auditevent/trail.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "app_label": self.opts.app_label,
                "title": gettext("Audittrail van een verzuimdossier"),
                "form": form,
                "cases": cases,
                "case": case,
                "page": page,
                "rows": audit_rows(page.object_list) if page else [],
                "query": query.urlencode(),
            },
        )
