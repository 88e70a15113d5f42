from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts en organisaties")

    def ready(self) -> None:
        # Login signal receivers: the session clock and the failed-login log.
        from accounts import security  # noqa: F401
