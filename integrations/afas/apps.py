from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AfasConfig(AppConfig):
    name = "integrations.afas"
    label = "afas"
    verbose_name = _("AFAS Profit")
