"""The tenant's protocol in the tenant admin (/beheer/)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from accounts.admin import TenantModelAdmin, tenant_admin_site
from poortwachter.models import ProtocolStep
from poortwachter.services import protocol_changed


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
