"""Retention and the employee's privacy rights in the tenant admin (/beheer/).

* "Bewaartermijnen": the tenant's periods per category, with a preview of
  what the nightly run would do today.
* "Bewaartermijnrapporten": what each run did, in counts (read-only).
* On employees, two actions for a request of the employee: export their data
  (AVG art. 15/20) and erase it (art. 17). They are for the tenant's privacy
  officer (a tenant admin with that flag), who answers such requests; other
  admins do not see them, and Django refuses the action if posted anyway.
  The medical parts of an export are handed out by the bedrijfsarts
  (``employee_export`` command).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.access import is_privacy_officer
from accounts.admin import TenantModelAdmin, tenant_admin_site
from cases.admin import EmployeeAdmin
from cases.models import Employee
from core.exceptions import ApplicationError
from privacy import selectors
from privacy.models import (
    RetentionAction,
    RetentionCategory,
    RetentionPolicy,
    RetentionRun,
)
from privacy.services import (
    RetentionReport,
    employee_erase,
    employee_export,
    retention_run,
)


def report_lines(counts: dict[str, dict[str, Any]]) -> list[tuple[str, str, int]]:
    """``(category, action, rows)`` labels of a report, in category order."""
    labels = dict(RetentionCategory.choices)
    actions = dict(RetentionAction.choices)
    return [
        (
            str(labels[category]),
            str(actions.get(str(counts[category]["action"]), "")),
            int(counts[category]["rows"]),
        )
        for category in RetentionCategory.values
        if category in counts
    ]


def _report_message(report: RetentionReport) -> str:
    lines = report_lines(report.counts)
    if not lines:
        return gettext("Er is nu niets dat zijn bewaartermijn voorbij is.")
    parts = "; ".join(
        f"{label}: {rows} ({action.lower()})" for label, action, rows in lines
    )
    return gettext(
        "%(cases)s dossiers, %(employees)s werknemers, %(files)s bestanden. %(parts)s"
    ) % {
        "cases": report.cases,
        "employees": report.employees,
        "files": report.files,
        "parts": parts,
    }


@admin.register(RetentionPolicy, site=tenant_admin_site)
class RetentionPolicyAdmin(TenantModelAdmin):
    """One row per tenant, made with the tenant; it can be changed, not
    deleted."""

    list_display = [
        "__str__",
        "case_data_months",
        "medical_months",
        "employee_months",
        "eigenrisicodrager_months",
        "updated_at",
    ]
    fieldsets = [
        (_("Dossier"), {"fields": [("case_data_months", "case_data_action")]}),
        (
            _("Contactmomenten"),
            {"fields": [("contact_notes_months", "contact_notes_action")]},
        ),
        (_("Documenten"), {"fields": ["documents_months"]}),
        (_("Vragenlijsten"), {"fields": [("triage_months", "triage_action")]}),
        (_("Medische gegevens"), {"fields": ["medical_months"]}),
        (_("Audittrail"), {"fields": [("audit_months", "audit_action")]}),
        (_("Werknemers"), {"fields": [("employee_months", "employee_action")]}),
        (_("Eigenrisicodragers"), {"fields": ["eigenrisicodrager_months"]}),
    ]
    actions = ["preview"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return (
            super().has_add_permission(request) and not RetentionPolicy.objects.exists()
        )

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description=_("Proefdraaien: wat zou de run vandaag doen?"))
    def preview(
        self, request: HttpRequest, queryset: QuerySet[RetentionPolicy]
    ) -> None:
        report = retention_run(
            tenant=request.tenant, today=timezone.localdate(), dry_run=True
        )
        self.message_user(request, _report_message(report), messages.INFO)


@admin.register(RetentionRun, site=tenant_admin_site)
class RetentionRunAdmin(TenantModelAdmin):
    """What each run did, in counts; nothing here names a person."""

    list_display = [
        "started_at",
        "trigger",
        "reference_date",
        "cases",
        "employees",
        "files",
        "complete",
    ]
    list_filter = ["trigger", "complete"]
    fields = [
        "trigger",
        "reference_date",
        "actor",
        "started_at",
        "finished_at",
        "cases",
        "employees",
        "files",
        "complete",
        "counts_table",
    ]
    readonly_fields = fields
    list_select_related = ["actor"]

    @admin.display(description=_("per categorie"))
    def counts_table(self, obj: RetentionRun) -> str:
        lines = report_lines(obj.counts)
        if not lines:
            return gettext("niets")
        return format_html(
            "<table><tr><th>{}</th><th>{}</th><th>{}</th></tr>{}</table>",
            gettext("categorie"),
            gettext("daarna"),
            gettext("rijen"),
            format_html_join("", "<tr><td>{}</td><td>{}</td><td>{}</td></tr>", lines),
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class EmployeeEraseForm(forms.Form):
    force = forms.BooleanField(
        label=_("toch wissen"),
        required=False,
        help_text=_(
            "Alleen als de werknemer erom vraagt en u de wettelijke plicht om "
            "te bewaren hebt afgewogen."
        ),
    )
    reason = forms.CharField(
        label=_("reden"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text=_("Waarom toch gewist wordt; geen namen of medische gegevens."),
    )


tenant_admin_site.unregister(Employee)


@admin.register(Employee, site=tenant_admin_site)
class EmployeePrivacyAdmin(EmployeeAdmin):
    """The employee admin of ``cases`` with the privacy actions added."""

    actions = ["export_data", "erase_data"]

    def has_privacy_permission(self, request: HttpRequest) -> bool:
        """The actions below are the privacy officer's (``permissions=``)."""
        return is_privacy_officer(request.user)

    def _one(
        self, request: HttpRequest, queryset: QuerySet[Employee]
    ) -> Employee | None:
        if queryset.count() != 1:
            self.message_user(
                request, gettext("Kies precies één werknemer."), messages.ERROR
            )
            return None
        return queryset.select_related("employer").first()

    @admin.action(
        description=_("Gegevens exporteren (AVG art. 15/20)"), permissions=["privacy"]
    )
    def export_data(
        self, request: HttpRequest, queryset: QuerySet[Employee]
    ) -> HttpResponse | None:
        employee = self._one(request, queryset)
        if employee is None:
            return None
        today = timezone.localdate()
        export = employee_export(actor=request.user, employee=employee, today=today)
        response = HttpResponse(export.content, content_type="application/zip")
        response["Content-Disposition"] = (
            f'attachment; filename="hervat-export-{employee.pk}-{today:%Y%m%d}.zip"'
        )
        response["Cache-Control"] = "no-store"
        return response

    @admin.action(
        description=_("Gegevens wissen (AVG art. 17)"), permissions=["privacy"]
    )
    def erase_data(
        self, request: HttpRequest, queryset: QuerySet[Employee]
    ) -> HttpResponse | None:
        employee = self._one(request, queryset)
        if employee is None:
            return None
        today = timezone.localdate()
        form = EmployeeEraseForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            name = employee.display_name
            try:
                report = employee_erase(
                    actor=request.user,
                    employee=employee,
                    today=today,
                    force=form.cleaned_data["force"],
                    reason=form.cleaned_data["reason"],
                )
            except ApplicationError as error:
                error.add_to_form(form)
            else:
                self.message_user(
                    request,
                    gettext("De gegevens van %(name)s zijn gewist. %(report)s")
                    % {"name": name, "report": _report_message(report)},
                    messages.SUCCESS,
                )
                return None
        policy = selectors.retention_policy_for(tenant=request.tenant)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": gettext("Gegevens wissen"),
            "employee": employee,
            "form": form,
            "check": selectors.employee_erase_check(
                employee=employee, policy=policy, today=today
            ),
            "preview": report_lines(
                employee_erase(
                    actor=request.user, employee=employee, today=today, dry_run=True
                ).counts
            ),
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/privacy/employee_erase.html", context)
