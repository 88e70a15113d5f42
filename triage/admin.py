"""The tenant's routing rules in the tenant admin (/beheer/)."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from accounts.admin import TenantModelAdmin, tenant_admin_site
from core.exceptions import ApplicationError
from triage.models import RoutingPolicy
from triage.services import routing_rules_check


class RulesField(forms.JSONField):
    """JSON shown indented, so a tenant admin can read and edit the rules."""

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, forms.fields.InvalidJSONInput):
            return value
        return json.dumps(value, ensure_ascii=False, indent=2)


class RoutingPolicyForm(forms.ModelForm):
    rules = RulesField(
        label=_("regels"),
        widget=forms.Textarea(attrs={"rows": 30, "cols": 100}),
        help_text=_(
            "Per regel: id, label (nl en en), voorwaarde (when) en voorstel "
            "(then: route, early_consult, interventions). Zie de meegeleverde "
            "regels als voorbeeld."
        ),
    )

    class Meta:
        model = RoutingPolicy
        fields = ["questionnaire_key", "rules"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        key, rules = cleaned.get("questionnaire_key"), cleaned.get("rules")
        if key is None or "rules" in self.errors:
            return cleaned
        # The tenant is not a form field, so the unique constraint is checked
        # here, inside the tenant scope.
        if (
            RoutingPolicy.objects.filter(questionnaire_key=key)
            .exclude(pk=self.instance.pk)
            .exists()
        ):
            self.add_error(
                "questionnaire_key",
                _("Voor deze vragenlijst bestaan al routeringsregels."),
            )
            return cleaned
        try:
            routing_rules_check(questionnaire_key=key, rules=rules)
        except ApplicationError as error:
            error.add_to_form(self)
        return cleaned


@admin.register(RoutingPolicy, site=tenant_admin_site)
class RoutingPolicyAdmin(TenantModelAdmin):
    form = RoutingPolicyForm
    list_display = ["questionnaire_key", "updated_at"]
