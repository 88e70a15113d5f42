"""PostgreSQL row-level security: the database's own tenant wall.

The application scope (django-scopes, opened only by ``accounts.scoping``)
filters every ORM query by tenant. Row-level security repeats that rule in
PostgreSQL, so raw SQL, a base manager, a forgotten filter or a bug in a
scope still cannot read or write another tenant's rows.

Every tenant-owned table gets the policy ``hervat_tenant_isolation``: a row
is visible, and may be written, when its ``tenant_id`` equals the session
setting ``hervat.tenant_id`` or when ``hervat.all_tenants`` is ``on``.
Without either setting a table is empty and refuses every write. Tables
are found from the models (every ``TenantOwned`` subclass and the
auto-created many-to-many tables that hang off one), and the policies are
(re)installed after every ``migrate`` (``rls_install``), so a new table
cannot be missed; ``accounts/tests/test_row_level_security.py`` checks the
catalog against every table that has a ``tenant_id`` column.

How the database learns the tenant: ``accounts.scoping`` wraps each scope
in ``rls_state``, which writes the scope to the connection with
``set_config(..., false)`` on entry and writes the previous value back on
exit. These are session settings, not ``SET LOCAL``: Django runs in
autocommit, where a transaction-local setting would be gone before the next
query. They cannot go stale on a reused (``CONN_MAX_AGE``) connection
because

- a scope always restores the previous value when it exits, and scopes nest
  like the ``atomic`` blocks around them: when PostgreSQL rolls a
  transaction or savepoint back it also undoes the settings made inside it,
  which leaves exactly the value of the scope that is still open;
- a scope that exits inside a failed transaction skips the write (the
  rollback that must follow restores the value) and marks the connection
  unknown, so the next scope change or the end of the request writes it;
- a new or reconnected session gets the current scope written when it is
  created (``connection_created``);
- ``request_started`` and ``request_finished`` bring every open connection
  in line with the current scope (no query when it already is).

SQLite (``make demo``) has no row-level security: everything here is a
no-op there.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db import DatabaseError, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Model

TENANT_SETTING = "hervat.tenant_id"
ALL_TENANTS_SETTING = "hervat.all_tenants"
POLICY_NAME = "hervat_tenant_isolation"

# A row of a tenant-owned table is visible when it belongs to the tenant of
# the session, or when platform work has switched all tenants on. NULLIF: a
# setting that was reset reads as '' (not NULL), which is no bigint. The
# sub-selects make PostgreSQL read each setting once per query instead of
# once per row.
TENANT_CONDITION = (
    "tenant_id = (SELECT NULLIF(current_setting('hervat.tenant_id', true), '')"
    "::bigint) OR (SELECT current_setting('hervat.all_tenants', true)) = 'on'"
)


@dataclass(frozen=True)
class RlsState:
    """What the database may show: one tenant, all tenants, or nothing."""

    tenant_id: int | None = None
    all_tenants: bool = False


UNSCOPED = RlsState()
_state: ContextVar[RlsState] = ContextVar("hervat_rls_state", default=UNSCOPED)
# The state last written to a connection's session (None: not known).
_APPLIED_ATTR = "_hervat_rls_applied"


@contextmanager
def rls_state(state: RlsState) -> Iterator[None]:
    """Run the block with ``state`` written to every open connection.

    Only ``accounts.scoping`` calls this, together with the django-scopes
    scope of the same block.
    """
    previous = _state.get()
    _state.set(state)
    try:
        _sync_all(strict=True)
        yield
    finally:
        _state.set(previous)
        _sync_all(strict=False)


def rls_sync(**_: Any) -> None:
    """Write the current state to every open connection that lacks it.

    A receiver of ``request_started`` and ``request_finished``: a connection
    kept open between requests never carries a tenant the next request did
    not ask for. Costs no query when the connection is already in line.
    """
    _sync_all(strict=False)


def _sync_all(*, strict: bool) -> None:
    for connection in connections.all(initialized_only=True):
        try:
            _sync(connection)
        except DatabaseError:
            if strict:
                raise
            # Leaving a scope must not hide the error that ended it, and a
            # session whose tenant could not be reset is not used again.
            setattr(connection, _APPLIED_ATTR, None)
            with suppress(DatabaseError):
                connection.close()


def _sync(connection: BaseDatabaseWrapper) -> None:
    if connection.vendor != "postgresql" or connection.connection is None:
        return
    desired = _state.get()
    if getattr(connection, _APPLIED_ATTR, None) == desired:
        return
    if connection.needs_rollback or _in_failed_transaction(connection):
        # Nothing can run until the rollback, and the rollback restores the
        # value this scope found when it was entered.
        setattr(connection, _APPLIED_ATTR, None)
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT set_config(%s, %s, false), set_config(%s, %s, false)",
            [
                TENANT_SETTING,
                "" if desired.tenant_id is None else str(desired.tenant_id),
                ALL_TENANTS_SETTING,
                "on" if desired.all_tenants else "off",
            ],
        )
    setattr(connection, _APPLIED_ATTR, desired)


def _in_failed_transaction(connection: BaseDatabaseWrapper) -> bool:
    from psycopg.pq import TransactionStatus

    return connection.connection.info.transaction_status == TransactionStatus.INERROR


def rls_connection_created(
    sender: Any, connection: BaseDatabaseWrapper, **_: Any
) -> None:
    """A new session carries no setting; give it the current scope's."""
    if connection.vendor != "postgresql":
        return
    setattr(connection, _APPLIED_ATTR, UNSCOPED)
    _sync(connection)


# --- Policies ---------------------------------------------------------------


@dataclass(frozen=True)
class ProtectedTable:
    """A table with the tenant policy and the condition it uses."""

    name: str
    condition: str

    @property
    def fingerprint(self) -> str:
        """Stored as the policy's comment: a changed condition is re-applied."""
        digest = hashlib.sha256(self.condition.encode()).hexdigest()[:16]
        return f"hervat-rls:{digest}"


def _is_tenant_owned(model: type[Model]) -> bool:
    from accounts.models import TenantOwned

    return issubclass(model, TenantOwned)


def protected_tables() -> list[ProtectedTable]:
    """Every table that holds tenant data, from the installed models.

    A ``TenantOwned`` table is guarded by its own ``tenant_id``. An
    auto-created many-to-many table (``accounts_membership_employers``) has
    no ``tenant_id``: a row is visible, and may be written, only when the
    tenant-owned rows it links are visible. Its policy therefore looks the
    rows up in their own tables, whose policies apply to that look-up too.
    """
    tables: dict[str, ProtectedTable] = {}
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if not meta.managed or meta.proxy:
            continue
        if _is_tenant_owned(model):
            tables[meta.db_table] = ProtectedTable(meta.db_table, TENANT_CONDITION)
        elif meta.auto_created:
            links = [
                (field.column, field.related_model._meta)
                for field in meta.local_fields
                if field.is_relation and _is_tenant_owned(field.related_model)
            ]
            if links:
                condition = " AND ".join(
                    f'EXISTS (SELECT 1 FROM "{target.db_table}" p WHERE '  # noqa: S608 - identifiers from model meta
                    f'p."{target.pk.column}" = "{meta.db_table}"."{column}")'
                    for column, target in links
                )
                tables[meta.db_table] = ProtectedTable(meta.db_table, condition)
    return sorted(tables.values(), key=lambda table: table.name)


def rls_install(*, using: str = "default") -> list[str]:
    """Enable, force and (re)create the tenant policy where it is missing.

    Idempotent and cheap when everything is in place (one catalog query,
    no DDL), so it can run after every ``migrate`` and ``flush``. Tables
    that do not exist yet (a partial migrate) are skipped. Returns the
    tables it changed.
    """
    connection = connections[using]
    if connection.vendor != "postgresql":
        return []
    wanted = {table.name: table for table in protected_tables()}
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity,
                   obj_description(p.oid, 'pg_policy')
            FROM pg_class c
            LEFT JOIN pg_policy p
              ON p.polrelid = c.oid AND p.polname = %s
            WHERE c.relkind = 'r'
              AND c.relnamespace = current_schema()::regnamespace
              AND c.relname = ANY(%s)
            """,
            [POLICY_NAME, list(wanted)],
        )
        found = {row[0]: row[1:] for row in cursor.fetchall()}
    changed = []
    for name, table in wanted.items():
        if name not in found:
            continue
        enabled, forced, comment = found[name]
        if enabled and forced and comment == table.fingerprint:
            continue
        _apply_policy(connection, table)
        changed.append(name)
    return changed


def _apply_policy(connection: BaseDatabaseWrapper, table: ProtectedTable) -> None:
    quoted = connection.ops.quote_name(table.name)
    with connection.cursor() as cursor:
        # FORCE: the table's owner is held to the policy too, so an
        # application that connects as the owner by mistake is still
        # fenced in. Superusers and BYPASSRLS roles (migrations, backups)
        # are not.
        cursor.execute(f"ALTER TABLE {quoted} ENABLE ROW LEVEL SECURITY")
        cursor.execute(f"ALTER TABLE {quoted} FORCE ROW LEVEL SECURITY")
        cursor.execute(f"DROP POLICY IF EXISTS {POLICY_NAME} ON {quoted}")
        cursor.execute(
            f"CREATE POLICY {POLICY_NAME} ON {quoted} "
            f"USING ({table.condition}) WITH CHECK ({table.condition})"
        )
        cursor.execute(
            f"COMMENT ON POLICY {POLICY_NAME} ON {quoted} IS %s",
            [table.fingerprint],
        )


def rls_post_migrate(sender: Any, using: str = "default", **_: Any) -> None:
    """Receiver of ``post_migrate``: guard every tenant table."""
    rls_install(using=using)
