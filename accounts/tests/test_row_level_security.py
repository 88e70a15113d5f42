"""PostgreSQL row-level security behind the application's tenant scope.

The whole suite connects as the application role ``hervat_test_app`` (no
superuser, no BYPASSRLS, owner of nothing; see ``tests/fixtures.py``), so
these tests run raw SQL as the application would.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlparse

import psycopg
import pytest
import yaml
from django.conf import settings
from django.core.management import call_command
from django.db import connection, transaction
from django.db.models.signals import post_migrate
from django.db.utils import IntegrityError, ProgrammingError

from accounts.models import Membership, Role
from accounts.rls import POLICY_NAME, protected_tables, rls_install
from accounts.scoping import all_tenants, tenant_scope
from cases.models import Employer
from tests.fixtures import APP_ROLE, APP_ROLE_PASSWORD


def _fetch(sql: str, params: list | None = None) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])
        return cursor.fetchall()


def _count(table: str) -> int:
    return _fetch(f'SELECT count(*) FROM "{table}"')[0][0]  # noqa: S608


def _tenant_id_tables() -> set[str]:
    """Every table in the database with a ``tenant_id`` column."""
    return {
        name
        for (name,) in _fetch(
            """
            SELECT c.table_name FROM information_schema.columns c
            JOIN information_schema.tables t USING (table_schema, table_name)
            WHERE c.table_schema = current_schema() AND c.column_name = 'tenant_id'
              AND t.table_type = 'BASE TABLE'
            """
        )
    }


def _setting(name: str) -> str | None:
    return _fetch("SELECT current_setting(%s, true)", [name])[0][0]


def test_the_suite_runs_as_a_role_that_row_level_security_binds(db):
    user, superuser, bypass = _fetch(
        "SELECT rolname, rolsuper, rolbypassrls FROM pg_roles "
        "WHERE rolname = current_user"
    )[0]
    owned = _fetch(
        "SELECT count(*) FROM pg_class WHERE relowner = "
        "(SELECT oid FROM pg_roles WHERE rolname = current_user) "
        "AND relnamespace = current_schema()::regnamespace"
    )[0][0]
    assert (user, superuser, bypass, owned) == (APP_ROLE, False, False, 0)


def test_every_tenant_table_forces_row_level_security_with_the_policy(db):
    rows = _fetch(
        """
        SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity,
               p.cmd, p.roles::text[], p.qual, p.with_check
        FROM pg_class c
        LEFT JOIN pg_policies p
          ON p.tablename = c.relname AND p.schemaname = current_schema()
         AND p.policyname = %s
        WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind = 'r'
        """,
        [POLICY_NAME],
    )
    catalog = {row[0]: row[1:] for row in rows}
    guarded = {table.name for table in protected_tables()}
    # The models and the database agree on what tenant data is: a table with
    # a tenant_id column that no TenantOwned model declares is a miss too.
    with_tenant_id = _tenant_id_tables()
    assert with_tenant_id <= guarded
    assert "accounts_membership_employers" in guarded
    assert len(guarded) > 40
    offenders = []
    for name in sorted(guarded):
        enabled, forced, cmd, roles, qual, with_check = catalog[name]
        ok = enabled and forced and cmd == "ALL" and roles == ["public"]
        ok = ok and qual is not None and qual == with_check
        if name in with_tenant_id:
            ok = ok and "hervat.tenant_id" in qual and "hervat.all_tenants" in qual
        if not ok:
            offenders.append(name)
    assert offenders == []


def test_installing_again_changes_nothing_and_needs_no_owner(db):
    """After every migrate and flush the policies are checked again; when
    they are in place that takes no DDL, which the application role could
    not run."""
    assert rls_install() == []


def test_every_table_that_references_tenant_data_is_guarded(db):
    """A new link table (say, a many-to-many between two tenant models)
    must not be a way around the policies."""
    guarded = {table.name for table in protected_tables()}
    references = _fetch(
        """
        SELECT DISTINCT src.relname, dst.relname FROM pg_constraint k
        JOIN pg_class src ON src.oid = k.conrelid
        JOIN pg_class dst ON dst.oid = k.confrelid
        WHERE k.contype = 'f' AND src.relnamespace = current_schema()::regnamespace
        """
    )
    offenders = [
        (source, target)
        for source, target in references
        if target in guarded and source not in guarded
    ]
    assert offenders == []


def test_raw_sql_without_a_tenant_sees_no_rows(world):
    assert _setting("hervat.tenant_id") in (None, "")
    with all_tenants("test: the rows exist"):
        assert _count("cases_employer") == 4
        assert _count("accounts_membership_employers") > 0
    counts = {table.name: _count(table.name) for table in protected_tables()}
    assert {name: n for name, n in counts.items() if n} == {}


def test_raw_sql_with_a_tenant_sees_only_that_tenants_rows(world):
    a, b = world.tenant_a, world.tenant_b
    for tenant, employers in ((a, 3), (b, 1)):
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT set_config('hervat.tenant_id', %s, false)", [str(tenant.pk)]
            )
        try:
            assert _count("cases_employer") == employers
            for table in sorted(_tenant_id_tables()):
                tenants = {
                    tid
                    for (tid,) in _fetch(
                        f'SELECT DISTINCT tenant_id FROM "{table}"'  # noqa: S608
                    )
                }
                assert tenants <= {tenant.pk}, table
            links = _fetch(
                "SELECT e.tenant_id FROM accounts_membership_employers l "
                "JOIN cases_employer e ON e.id = l.employer_id"
            )
            assert links
            assert {tid for (tid,) in links} == {tenant.pk}
        finally:
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config('hervat.tenant_id', '', false)")


def test_tenant_scope_sets_the_tenant_and_restores_it(world):
    a, b = world.tenant_a, world.tenant_b
    with tenant_scope(a):
        assert _setting("hervat.tenant_id") == str(a.pk)
        with tenant_scope(b):
            assert _setting("hervat.tenant_id") == str(b.pk)
            assert _count("cases_employer") == 1
        assert _setting("hervat.tenant_id") == str(a.pk)
        with all_tenants("test: nested platform work"):
            assert _setting("hervat.all_tenants") == "on"
            assert _count("cases_employer") == 4
        assert _setting("hervat.all_tenants") == "off"
        assert _count("cases_employer") == 3
    assert _setting("hervat.tenant_id") == ""
    assert _count("cases_employer") == 0


def test_all_tenants_sees_every_row(world):
    with all_tenants("test: platform work"):
        assert _count("cases_employer") == 4
        assert Membership.objects.filter(role=Role.CASEMANAGER).count() == 3


def test_a_row_for_another_tenant_is_refused(world):
    """The application scope does not look at ``save()``; the database
    refuses the row all the same."""
    with tenant_scope(world.tenant_a):
        stray = Employer(tenant=world.tenant_b, name="Verkeerde organisatie")
        with (
            pytest.raises(ProgrammingError, match="row-level security"),
            transaction.atomic(),
        ):
            stray.save()
        with (
            pytest.raises(ProgrammingError, match="row-level security"),
            transaction.atomic(),
        ):
            Employer._base_manager.filter(pk=world.employer_a1.pk).update(
                tenant=world.tenant_b
            )
        # Another tenant's rows cannot be changed or removed: there are none.
        assert (
            Employer._base_manager.filter(pk=world.employer_b.pk).update(
                name="Overgenomen"
            )
            == 0
        )
        assert Employer._base_manager.filter(pk=world.employer_b.pk).delete()[0] == 0
    with tenant_scope(world.tenant_b):
        assert Employer.objects.get().name == "B Bakkerij"


def test_a_membership_cannot_be_linked_to_another_tenants_employer(world):
    membership = world.memberships[Role.HR]
    with tenant_scope(world.tenant_a):
        with (
            pytest.raises(ProgrammingError, match="row-level security"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(
                "INSERT INTO accounts_membership_employers "
                "(membership_id, employer_id) VALUES (%s, %s)",
                [membership.pk, world.employer_b.pk],
            )
        assert list(membership.employers.all()) == [world.employer_a1]


def test_a_scope_left_by_a_failed_transaction_leaves_the_outer_tenant(world):
    a, b = world.tenant_a, world.tenant_b
    with tenant_scope(a):
        with pytest.raises(IntegrityError), transaction.atomic(), tenant_scope(b):
            Employer.objects.create(tenant=b, name="B Bakkerij")
        assert _setting("hervat.tenant_id") == str(a.pk)
        assert _count("cases_employer") == 3
    assert _count("cases_employer") == 0


def test_a_reused_connection_carries_no_tenant_after_a_request(world, login):
    client = login(world.users[Role.CASEMANAGER])
    connection.ensure_connection()
    session = connection.connection
    response = client.get(f"/t/{world.tenant_a.slug}/taken/")
    assert response.status_code == 200
    assert connection.connection is session
    assert _setting("hervat.tenant_id") == ""
    assert _count("cases_absencecase") == 0


def test_migrate_runs_with_every_tenant_visible(world):
    """Data migrations see and may write every tenant's rows, even when the
    owner that runs them does not bypass row-level security."""
    seen = []

    def count_employers(**kwargs):
        seen.append(_count("cases_employer"))

    post_migrate.connect(count_employers, dispatch_uid="test-rls-migrate")
    try:
        call_command("migrate", verbosity=0, interactive=False)
    finally:
        post_migrate.disconnect(dispatch_uid="test-rls-migrate")
    assert seen and set(seen) == {4}
    assert _count("cases_employer") == 0


def test_a_fresh_connection_as_the_application_role_sees_nothing(
    transactional_db, world
):
    """What the issue asks for, on a session of its own: raw SQL without the
    setting sees no rows; with it, one tenant's; writes for another tenant
    are refused."""
    db = settings.DATABASES["default"]
    with psycopg.connect(
        host=db["HOST"] or "127.0.0.1",
        port=db["PORT"] or 5432,
        dbname=db["NAME"],
        user=APP_ROLE,
        password=APP_ROLE_PASSWORD,
        autocommit=True,
    ) as raw:
        assert raw.execute("SELECT current_user").fetchone()[0] == APP_ROLE
        for table in protected_tables():
            sql = f'SELECT count(*) FROM "{table.name}"'  # noqa: S608
            count = raw.execute(sql).fetchone()
            assert count[0] == 0, table.name
        raw.execute(
            "SELECT set_config('hervat.tenant_id', %s, false)",
            [str(world.tenant_a.pk)],
        )
        names = {n for (n,) in raw.execute("SELECT name FROM cases_employer")}
        assert names == {"A1 Bouw", "A2 Zorg", "A3 Transport"}
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            raw.execute("UPDATE cases_employer SET tenant_id = %s", [world.tenant_b.pk])
        raw.execute("SELECT set_config('hervat.all_tenants', 'on', false)")
        assert raw.execute("SELECT count(*) FROM cases_employer").fetchone()[0] == 4


def test_a_connection_opened_inside_a_scope_gets_the_scope(transactional_db, world):
    with tenant_scope(world.tenant_b):
        connection.close()
        assert _count("cases_employer") == 1
    assert _count("cases_employer") == 0


def test_a_session_lost_inside_a_scope_is_dropped_not_reused(
    transactional_db, world, owner_connection
):
    with tenant_scope(world.tenant_a):
        assert _count("cases_employer") == 3
        owner_connection.execute(
            "SELECT pg_terminate_backend(%s)", [connection.connection.info.backend_pid]
        )
    # Leaving the scope could not reset the dead session: it was closed
    # quietly, and the next query opens a new one without a tenant.
    assert connection.connection is None
    assert _count("cases_employer") == 0


ROOT = Path(__file__).resolve().parents[2]


def test_compose_runs_the_app_as_a_role_that_row_level_security_binds(
    transactional_db, world, owner_connection
):
    """docker-compose.yml: web, worker and beat connect as the role that
    deploy/postgres/initdb creates, migrate as the owner; the script works
    on this PostgreSQL and its role sees no tenant rows without a tenant."""
    services = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    users = {
        name: urlparse(services[name]["environment"]["DATABASE_URL"]).username
        for name in ("migrate", "web", "worker", "beat")
    }
    assert users == {
        "migrate": "hervat",
        "web": "hervat_app",
        "worker": "hervat_app",
        "beat": "hervat_app",
    }
    assert (
        "./deploy/postgres/initdb:/docker-entrypoint-initdb.d:ro"
        in (services["postgres"]["volumes"])
    )
    script = (ROOT / "deploy/postgres/initdb/10-hervat-app-role.sql").read_text()
    # Under another name: the cluster is shared, and nothing of it is kept.
    script = script.replace("hervat_app", "hervat_app_probe")
    with owner_connection.transaction(force_rollback=True):
        owner_connection.execute(script)
        cases = owner_connection.execute("SELECT count(*) FROM cases_absencecase")
        assert cases.fetchone()[0] == 6
        owner_connection.execute("SET LOCAL ROLE hervat_app_probe")
        row = owner_connection.execute(
            "SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user"
        ).fetchone()
        assert row == (False, False)
        count = owner_connection.execute("SELECT count(*) FROM cases_absencecase")
        assert count.fetchone()[0] == 0
        # The append-only access log's TRUNCATE check counts rows, which
        # row-level security hides from this role: so the role must not be
        # able to TRUNCATE at all, here or on any table.
        truncatable = owner_connection.execute(
            "SELECT count(*) FROM information_schema.role_table_grants "
            "WHERE grantee = current_user AND privilege_type = 'TRUNCATE'"
        )
        assert truncatable.fetchone()[0] == 0
        with (
            pytest.raises(psycopg.errors.InsufficientPrivilege),
            owner_connection.transaction(),
        ):
            owner_connection.execute("TRUNCATE poortwachter_medicalaccesslog")
