from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebhooksConfig(AppConfig):
    name = "integrations.webhooks"
    label = "webhooks"
    verbose_name = _("Webhooks")

    def ready(self) -> None:
        from cases.signals import case_recovered, case_reported
        from documents.signals import document_signed
        from integrations.webhooks import signals
        from poortwachter.signals import task_completed

        case_reported.connect(
            signals.on_case_reported, dispatch_uid="webhooks_case_created"
        )
        case_recovered.connect(
            signals.on_case_recovered, dispatch_uid="webhooks_case_recovered"
        )
        document_signed.connect(
            signals.on_document_signed, dispatch_uid="webhooks_document_signed"
        )
        task_completed.connect(
            signals.on_task_completed, dispatch_uid="webhooks_task_completed"
        )
