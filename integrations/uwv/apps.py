from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class UwvConfig(AppConfig):
    """No models: registered so its management command and templates load."""

    name = "integrations.uwv"
    label = "uwv"
    verbose_name = _("Export voor UWV")
