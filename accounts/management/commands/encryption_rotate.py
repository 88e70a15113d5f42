"""Re-encrypt every encrypted column with the newest key.

Run after a new key was put first in ``FIELD_ENCRYPTION_KEYS`` and deployed
(docs/security/audit-and-encryption.md has the whole procedure). The
application keeps running: every configured key still decrypts, each batch
is its own short transaction, and a row is only rewritten when its stored
token is still the one read (compare-and-swap), so a concurrent write, which
already uses the newest key, is never overwritten. Rows already under the
newest key are skipped, so the command is idempotent and resumes where an
interrupted run stopped. ``--check`` changes nothing and fails while any row
is still under an older key.
"""

from __future__ import annotations

from typing import Any

from cryptography.fernet import InvalidToken
from django.apps import apps
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, models, transaction

from accounts.models import Tenant, TenantOwned
from accounts.scoping import tenant_scope
from core.crypto import is_current, rotate_token
from core.fields import EncryptedTextField


def encrypted_columns() -> list[tuple[type[models.Model], list[str]]]:
    """Every concrete model with encrypted fields, with their columns."""
    found = []
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        columns = [
            field.column
            for field in model._meta.concrete_fields
            if isinstance(field, EncryptedTextField)
        ]
        if columns:
            found.append((model, columns))
    return sorted(found, key=lambda item: item[0]._meta.db_table)


class Command(BaseCommand):
    help = "Re-encrypt encrypted columns with the newest FIELD_ENCRYPTION_KEYS key."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--check",
            action="store_true",
            help="Change nothing; count rows still under an older key and "
            "exit with an error while there are any.",
        )
        parser.add_argument("--batch-size", type=int, default=500)

    def handle(self, *args: Any, check: bool, batch_size: int, **options: Any) -> None:
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        totals = {"rows": 0, "stale": 0, "rotated": 0, "unreadable": 0}
        tenants = list(Tenant.objects.order_by("pk"))
        for model, columns in encrypted_columns():
            counts = {"rows": 0, "stale": 0, "rotated": 0, "unreadable": 0}
            if issubclass(model, TenantOwned):
                # Per tenant, inside its scope: the same doors as every
                # other tenant-owned read.
                for tenant in tenants:
                    with tenant_scope(tenant):
                        self._table(
                            model, columns, tenant.pk, check, batch_size, counts
                        )
            else:
                self._table(model, columns, None, check, batch_size, counts)
            for key, value in counts.items():
                totals[key] += value
            self.stdout.write(
                f"{model._meta.db_table}: {counts['rows']} rows, "
                f"{counts['stale']} under an older key, "
                f"{counts['rotated']} re-encrypted, "
                f"{counts['unreadable']} unreadable"
            )
        self.stdout.write(
            f"total: {totals['rows']} rows, {totals['stale']} under an older key, "
            f"{totals['rotated']} re-encrypted, {totals['unreadable']} unreadable"
        )
        if totals["unreadable"]:
            raise CommandError(
                f"{totals['unreadable']} values cannot be decrypted with any "
                "configured key: restore the key they were written with."
            )
        if check and totals["stale"]:
            raise CommandError(
                f"{totals['stale']} rows are still under an older key: run "
                "encryption_rotate before removing it."
            )

    def _table(
        self,
        model: type[models.Model],
        columns: list[str],
        tenant_id: int | None,
        check: bool,
        batch_size: int,
        counts: dict[str, int],
    ) -> None:
        qn = connection.ops.quote_name
        table, pk = qn(model._meta.db_table), qn(model._meta.pk.column)
        selected = ", ".join(qn(column) for column in columns)
        where = [f"{pk} > %s"]
        if tenant_id is not None:
            where.append(f"{qn('tenant_id')} = %s")
        select = (
            f"SELECT {pk}, {selected} FROM {table} WHERE {' AND '.join(where)} "  # noqa: S608 - quoted identifiers
            f"ORDER BY {pk} LIMIT %s"
        )
        last: Any = 0
        while True:
            with transaction.atomic(), connection.cursor() as cursor:
                params = [last, *([tenant_id] if tenant_id is not None else [])]
                cursor.execute(select, [*params, batch_size])
                rows = cursor.fetchall()
                for row_pk, *values in rows:
                    self._row(cursor, table, pk, columns, row_pk, values, check, counts)
            if len(rows) < batch_size:
                return
            last = rows[-1][0]

    def _row(
        self,
        cursor: Any,
        table: str,
        pk: str,
        columns: list[str],
        row_pk: Any,
        values: list[str | None],
        check: bool,
        counts: dict[str, int],
    ) -> None:
        counts["rows"] += 1
        old: dict[str, str] = {}
        for column, value in zip(columns, values, strict=True):
            if value and not is_current(value):
                old[column] = value
        if not old:
            return
        try:
            new = {column: rotate_token(value) for column, value in old.items()}
        except (InvalidToken, UnicodeEncodeError):
            counts["unreadable"] += 1
            return
        counts["stale"] += 1
        if check:
            return
        qn = connection.ops.quote_name
        assignments = ", ".join(f"{qn(column)} = %s" for column in new)
        unchanged = " AND ".join(f"{qn(column)} = %s" for column in old)
        cursor.execute(
            f"UPDATE {table} SET {assignments} WHERE {pk} = %s AND {unchanged}",  # noqa: S608 - quoted identifiers
            [*new.values(), row_pk, *old.values()],
        )
        counts["rotated"] += cursor.rowcount
