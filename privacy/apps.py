from django.apps import AppConfig
from django.db.models.signals import post_save
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    name = "privacy"
    verbose_name = _("Privacy en bewaartermijnen")

    def ready(self) -> None:
        from accounts.models import Tenant
        from privacy import signals

        post_save.connect(
            signals.on_tenant_saved,
            sender=Tenant,
            dispatch_uid="privacy_retention_policy_for_new_tenant",
        )
