from django.apps import AppConfig
from django.db.models.signals import post_save
from django.utils.translation import gettext_lazy as _


class TriageConfig(AppConfig):
    name = "triage"
    verbose_name = _("Triage")

    def ready(self) -> None:
        from accounts.models import Tenant
        from cases.signals import case_reported
        from triage import signals

        post_save.connect(
            signals.on_tenant_saved,
            sender=Tenant,
            dispatch_uid="triage_questionnaires_for_new_tenant",
        )
        case_reported.connect(
            signals.on_case_reported, dispatch_uid="triage_invite_on_ziekmelding"
        )
