"""Employers and employees in the tenant admin (/beheer/). Cases are not here:
a tenant administrator sees no case data by role alone."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db import models
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from accounts.admin import TenantModelAdmin, tenant_admin_site
from accounts.models import Role, User
from cases.models import Employee, Employer
from cases.services import employee_facts_changed
from cases.validators import normalize_bsn, validate_bsn


@admin.register(Employer, site=tenant_admin_site)
class EmployerAdmin(TenantModelAdmin):
    list_display = ["name", "kvk_number", "contact_name", "eigenrisicodrager_zw"]
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
    list_filter = ["employer"]
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
