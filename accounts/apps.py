from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts en organisaties")

    def ready(self) -> None:
        from django.core.signals import request_finished, request_started
        from django.db.backends.signals import connection_created
        from django.db.models.signals import post_migrate

        from accounts import rls

        # Row-level security: every tenant table gets its policy after a
        # migrate, and every connection carries the scope of the code
        # that uses it (see accounts/rls.py).
        post_migrate.connect(rls.rls_post_migrate, sender=self)
        connection_created.connect(rls.rls_connection_created)
        request_started.connect(rls.rls_sync)
        request_finished.connect(rls.rls_sync)

        # Login signal receivers: the session clock and the failed-login log.
        from accounts import security  # noqa: F401
