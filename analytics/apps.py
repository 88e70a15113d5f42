from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnalyticsConfig(AppConfig):
    name = "analytics"
    verbose_name = _("Verzuimcijfers")

    def ready(self) -> None:
        from analytics.signals import connect

        connect()
