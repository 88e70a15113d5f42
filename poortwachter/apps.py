from django.apps import AppConfig
from django.db.models.signals import post_save
from django.utils.translation import gettext_lazy as _


class PoortwachterConfig(AppConfig):
    name = "poortwachter"
    verbose_name = _("Poortwachter")

    def ready(self) -> None:
        from accounts.models import Tenant
        from cases.signals import case_facts_changed, case_people_changed
        from poortwachter import signals

        case_facts_changed.connect(signals.on_case_facts_changed)
        case_people_changed.connect(signals.on_case_people_changed)
        post_save.connect(signals.on_tenant_saved, sender=Tenant)
