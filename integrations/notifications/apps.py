from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "integrations.notifications"
    label = "notifications"
    verbose_name = _("E-mailberichten")

    def ready(self) -> None:
        from cases.signals import case_reported
        from documents.signals import document_signatures_requested
        from integrations.notifications import signals
        from poortwachter.signals import appointment_changed

        case_reported.connect(
            signals.on_case_reported, dispatch_uid="notifications_ziekmelding"
        )
        document_signatures_requested.connect(
            signals.on_document_signatures_requested,
            dispatch_uid="notifications_signature_request",
        )
        appointment_changed.connect(
            signals.on_appointment_changed, dispatch_uid="notifications_appointment"
        )
