"""The tenant's protocol in the tenant admin (/beheer/)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import URLPattern, path
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.access import is_privacy_officer
from accounts.admin import TenantModelAdmin, tenant_admin_site
from poortwachter.models import MedicalAccessLog, MedicalRecordType, ProtocolStep
from poortwachter.selectors import (
    AccessLogFilters,
    access_log_search,
    employee_for_privacy_officer,
    employees_search,
)
from poortwachter.services import protocol_changed
from poortwachter.services.privacy import EXPORT_FORMATS, access_log_export


class ProtocolStepForm(forms.ModelForm):
    class Meta:
        model = ProtocolStep
        fields = [
            "code",
            "title",
            "title_en",
            "anchor",
            "offset",
            "unit",
            "assignee_role",
            "repeat_every_weeks",
            "route",
            "is_active",
            "position",
        ]

    def clean_code(self) -> str:
        # The tenant is not a form field, so the unique constraint is checked
        # here, inside the tenant scope.
        code = self.cleaned_data["code"]
        if ProtocolStep.objects.filter(code=code).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(_("Deze code bestaat al in uw protocol."))
        return code


@admin.register(ProtocolStep, site=tenant_admin_site)
class ProtocolStepAdmin(TenantModelAdmin):
    form = ProtocolStepForm
    list_display = [
        "position",
        "title",
        "anchor",
        "offset",
        "unit",
        "assignee_role",
        "repeat_every_weeks",
        "route",
        "is_active",
    ]
    list_display_links = ["title"]
    list_filter = ["is_active", "route", "assignee_role", "anchor"]
    search_fields = ["title", "code"]

    def save_model(
        self, request: HttpRequest, obj: Any, form: forms.ModelForm, change: bool
    ) -> None:
        super().save_model(request, obj, form, change)
        protocol_changed(tenant=request.tenant)

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        super().delete_model(request, obj)
        protocol_changed(tenant=request.tenant)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        super().delete_queryset(request, queryset)
        protocol_changed(tenant=request.tenant)


# --- The medical access log, for the privacy officer -------------------------


class AccessLogSearchForm(forms.Form):
    employee = forms.CharField(
        label=_("werknemer"),
        required=False,
        max_length=100,
        help_text=_("Naam of personeelsnummer."),
    )
    user = forms.CharField(
        label=_("gebruiker"),
        required=False,
        max_length=100,
        help_text=_("Naam of e-mailadres van wie inzag."),
    )
    record_type = forms.ChoiceField(
        label=_("soort gegevens"),
        required=False,
        choices=[("", _("Alle soorten")), *MedicalRecordType.choices],
    )
    date_from = forms.DateField(
        label=_("van"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("tot en met"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("De einddatum ligt vóór de begindatum."))
        return cleaned

    def filters(self) -> AccessLogFilters:
        return AccessLogFilters(**self.cleaned_data)


ACCESS_LOG_PAGE_SIZE = 50


@admin.register(MedicalAccessLog, site=tenant_admin_site)
class MedicalAccessLogAdmin(admin.ModelAdmin):
    """Search and export of the medical access log, for privacy officers only.

    The log is append-only: no add, change or delete here, and the database
    refuses them anyway (``poortwachter/migrations/0012``).
    """

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

    def get_urls(self) -> list[URLPattern]:
        name = f"{self.opts.app_label}_{self.opts.model_name}"
        return [
            path(
                "export/<int:employee_id>/<str:fmt>/",
                self.admin_site.admin_view(self.export_view),
                name=f"{name}_export",
            ),
            *super().get_urls(),
        ]

    def change_view(self, *args: Any, **kwargs: Any) -> HttpResponse:
        # One row says nothing the search page does not; no second door.
        raise Http404

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        """The search page: filters, one page of reads, export links."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        form = AccessLogSearchForm(request.GET or None)
        page, employees = None, []
        if not form.is_bound or form.is_valid():
            filters = form.filters() if form.is_bound else AccessLogFilters()
            rows = access_log_search(filters=filters)
            page = Paginator(rows, ACCESS_LOG_PAGE_SIZE).get_page(request.GET.get("p"))
            # Whoever matches can be exported, also with no reads at all.
            if filters.employee.strip():
                employees = list(employees_search(term=filters.employee))
        query = request.GET.copy()
        query.pop("p", None)
        return TemplateResponse(
            request,
            "admin/poortwachter/medicalaccesslog/search.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "app_label": self.opts.app_label,
                "title": gettext("Inzagelog medische gegevens"),
                "form": form,
                "page": page,
                "query": query.urlencode(),
                "employees": employees,
            },
        )

    def export_view(
        self, request: HttpRequest, employee_id: int, fmt: str
    ) -> HttpResponse:
        """Every read of one employee's medical data, as CSV or JSON."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        employee = employee_for_privacy_officer(employee_id=employee_id)
        if employee is None or fmt not in EXPORT_FORMATS:
            raise Http404
        export = access_log_export(actor=request.user, employee=employee, fmt=fmt)
        response = HttpResponse(export.content, content_type=export.content_type)
        response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
        response["Cache-Control"] = "no-store"
        return response
