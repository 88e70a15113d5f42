"""The triage app in the tenant admin (/beheer/)."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from accounts.admin import TenantModelAdmin, tenant_admin_site
from triage.models import SignalPolicy

# --- Early signals: the tenant's thresholds (SignalPolicy) -------------------


@admin.register(SignalPolicy, site=tenant_admin_site)
class SignalPolicyAdmin(TenantModelAdmin):
    """One row per tenant; without it the defaults apply."""

    list_display = [
        "__str__",
        "frequent_absence_count",
        "frequent_absence_months",
        "no_contact_days",
        "manager_contact_days",
        "questionnaire_hours",
    ]
    fieldsets = [
        (None, {"fields": ["frequent_absence_count", "frequent_absence_months"]}),
        (None, {"fields": ["no_contact_days", "manager_contact_days"]}),
        (None, {"fields": ["questionnaire_hours"]}),
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return super().has_add_permission(request) and not SignalPolicy.objects.exists()


# --- end of early signals -----------------------------------------------------
