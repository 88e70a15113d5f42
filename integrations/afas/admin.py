"""AFAS connections in the tenant admin (/beheer/); the token is write-only."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from accounts.admin import TenantModelAdmin, tenant_admin_site
from integrations.afas.models import AfasConnection


class AfasConnectionForm(forms.ModelForm):
    base_url = forms.URLField(
        label=_("adres van de REST-services"),
        assume_scheme="https",
        help_text=_("Bijvoorbeeld https://12345.rest.afas.online/ProfitRestServices"),
    )
    new_token = forms.CharField(
        label=_("token"),
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=_(
            "Het token uit AFAS (de hele <token>…</token> of alleen de data). "
            "Laat leeg om het opgeslagen token te houden."
        ),
    )

    class Meta:
        model = AfasConnection
        fields = ["base_url", "connector_id", "field_map", "is_active"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if not self.instance.pk and not cleaned.get("new_token"):
            self.add_error("new_token", gettext("Vul het token in."))
        employer = cleaned.get("employer")
        if (
            employer is not None
            and AfasConnection.objects.filter(employer=employer)
            .exclude(pk=self.instance.pk)
            .exists()
        ):
            self.add_error(
                "employer", gettext("Deze werkgever heeft al een AFAS-koppeling.")
            )
        return cleaned

    def save(self, commit: bool = True) -> AfasConnection:
        if self.cleaned_data.get("new_token"):
            self.instance.token = self.cleaned_data["new_token"].strip()
        return super().save(commit=commit)


@admin.register(AfasConnection, site=tenant_admin_site)
class AfasConnectionAdmin(TenantModelAdmin):
    form = AfasConnectionForm
    list_display = ["employer", "connector_id", "base_url", "is_active"]
    fields = [
        "employer",
        "base_url",
        "connector_id",
        "new_token",
        "field_map",
        "is_active",
    ]
    actions = ["sync_now"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[AfasConnection]:
        return super().get_queryset(request).select_related("employer")

    @admin.action(description=_("Nu synchroniseren"))
    def sync_now(
        self, request: HttpRequest, queryset: QuerySet[AfasConnection]
    ) -> None:
        from integrations.afas.services import afas_sync_request

        if not settings.AFAS_ENABLED:
            self.message_user(
                request,
                gettext("De AFAS-koppeling staat uit op dit platform (AFAS_ENABLED)."),
                messages.WARNING,
            )
            return
        count = 0
        for connection in queryset.filter(is_active=True):
            afas_sync_request(connection=connection)
            count += 1
        self.message_user(
            request,
            ngettext(
                "%(count)d synchronisatie gestart; het resultaat staat bij imports.",
                "%(count)d synchronisaties gestart; het resultaat staat bij imports.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )
