"""``migrate`` with every tenant visible to the database.

Migrations are platform work. The tenant tables force row-level security
(``accounts.rls``) on their owner too, so a data migration (``RunPython``)
run by an owner role without BYPASSRLS would see no rows and could write
none. Django's own command runs here inside ``all_tenants``; everything it
does, including the ``post_migrate`` receivers, runs with
``hervat.all_tenants`` on.
"""

from typing import Any

from django.core.management.commands import migrate

from accounts.scoping import all_tenants


class Command(migrate.Command):
    def handle(self, *args: Any, **options: Any) -> None:
        with all_tenants("migrations change the data of every tenant"):
            super().handle(*args, **options)
