"""API keys in the tenant admin (/beheer/).

A key is made through ``integrations.services.api_key_create``: the full key
is shown once, on the page that answers the form, and never again (only its
hash is stored). A key is never edited or deleted, only revoked, so the
audit trail keeps who acted through it.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.admin import TenantModelAdmin, tenant_admin_site
from cases.models import Employer
from core.exceptions import ApplicationError
from integrations.models import ApiKey, ApiKeyScope
from integrations.services import api_key_create, api_key_revoke


class ApiKeyCreateForm(forms.Form):
    name = forms.CharField(
        label=_("naam"),
        max_length=100,
        help_text=_("Het systeem dat de sleutel gebruikt, bijvoorbeeld 'AFAS'."),
    )
    scope = forms.ChoiceField(
        label=_("rechten"), choices=ApiKeyScope.choices, initial=ApiKeyScope.READ
    )
    all_employers = forms.BooleanField(
        label=_("alle werkgevers"),
        required=False,
        help_text=_("Ook werkgevers die later worden toegevoegd."),
    )
    employers = forms.ModelMultipleChoiceField(
        label=_("werkgevers"),
        queryset=Employer.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Of kies de werkgevers waarvoor de sleutel werkt."),
    )
    rate_limit_per_minute = forms.IntegerField(
        label=_("verzoeken per minuut"), min_value=1, max_value=6000, initial=120
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Inside the request's tenant scope (a class-level queryset would raise).
        self.fields["employers"].queryset = Employer.objects.order_by("name")


@admin.register(ApiKey, site=tenant_admin_site)
class ApiKeyAdmin(TenantModelAdmin):
    list_display = [
        "name",
        "prefix",
        "scope",
        "employers_covered",
        "created_at",
        "last_used_at",
        "revoked_at",
    ]
    list_filter = ["scope"]
    search_fields = ["name", "prefix"]
    fields = [
        "name",
        "prefix",
        "scope",
        "employers_covered",
        "rate_limit_per_minute",
        "created_by",
        "created_at",
        "last_used_at",
        "revoked_at",
    ]
    readonly_fields = fields
    actions = ["revoke"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[ApiKey]:
        return (
            super()
            .get_queryset(request)
            .select_related("created_by", "membership")
            .prefetch_related("membership__employers")
        )

    @admin.display(description=_("werkgevers"))
    def employers_covered(self, obj: ApiKey) -> str:
        if obj.membership.all_employers:
            return gettext("Alle werkgevers")
        return ", ".join(e.name for e in obj.membership.employers.all())

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description=_("Geselecteerde sleutels intrekken"))
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiKey]) -> None:
        for key in queryset:
            api_key_revoke(actor=request.user, key=key)
        self.message_user(
            request,
            gettext("%(count)d sleutel(s) ingetrokken; ze werken niet meer.")
            % {"count": len(queryset)},
            messages.SUCCESS,
        )

    def add_view(
        self,
        request: HttpRequest,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        form = ApiKeyCreateForm(request.POST or None)
        secret = None
        key = None
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                key, secret = api_key_create(
                    actor=request.user,
                    tenant=request.tenant,
                    name=data["name"],
                    scope=data["scope"],
                    employers=data["employers"],
                    all_employers=data["all_employers"],
                    rate_limit_per_minute=data["rate_limit_per_minute"],
                )
            except ApplicationError as exc:
                exc.add_to_form(form)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": gettext("API-sleutel maken"),
            "form": form,
            "key": key,
            "secret": secret,
        }
        response = TemplateResponse(
            request, "admin/integrations/apikey/add.html", context
        )
        # The page with the full key must not be kept by any cache.
        response["Cache-Control"] = "no-store"
        return response
