"""Shared fixtures: two tenants with a persona for every role.

Tenant A has three employers and a person in every role; tenant B has one
employer and a casemanager who must see nothing of A.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from rest_framework.test import APIClient

from accounts.models import AuthenticatorDevice, Membership, Role, Tenant, User
from accounts.scoping import tenant_scope
from accounts.tests.factories import MembershipFactory, TenantFactory, UserFactory
from cases.models import AbsenceCase, Employee, Employer
from cases.tests.factories import (
    AbsenceCaseFactory,
    EmployeeFactory,
    EmployerFactory,
    WorkabilityChangeFactory,
)
from integrations.models import ApiKeyScope
from integrations.services import api_key_create

PASSWORD = "hervat-test"


@dataclass
class World:
    tenant_a: Tenant
    tenant_b: Tenant
    employer_a1: Employer
    employer_a2: Employer
    employer_a3: Employer
    employer_b: Employer
    users: dict[str, User]
    memberships: dict[str, Membership]
    casemanager_b: User
    team_employee: Employee
    team_case: AbsenceCase
    own_employee: Employee
    own_case: AbsenceCase
    a1_employee: Employee
    a1_case: AbsenceCase
    a2_case: AbsenceCase
    a3_case: AbsenceCase
    b_employee: Employee
    b_case: AbsenceCase

    def user(self, role: str) -> User:
        return self.users[role]


def _case(employee: Employee, **kwargs) -> AbsenceCase:
    case = AbsenceCaseFactory(employee=employee, **kwargs)
    WorkabilityChangeFactory(case=case)
    return case


@pytest.fixture
def world(db) -> World:
    tenant_a = TenantFactory(slug="tenant-a", name="Arbodienst A")
    tenant_b = TenantFactory(slug="tenant-b", name="Arbodienst B")
    with tenant_scope(tenant_a):
        employer_a1 = EmployerFactory(tenant=tenant_a, name="A1 Bouw")
        employer_a2 = EmployerFactory(tenant=tenant_a, name="A2 Zorg")
        employer_a3 = EmployerFactory(tenant=tenant_a, name="A3 Transport")
        users: dict[str, User] = {}
        memberships: dict[str, Membership] = {}
        scopes = {
            Role.HR: [employer_a1],
            Role.REGIEHOUDER: [employer_a1, employer_a2],
            Role.CASEMANAGER: [employer_a1, employer_a2],
        }
        for role in Role:
            user = UserFactory(email=f"{role.value}@tenant-a.test")
            users[role.value] = user
            memberships[role.value] = MembershipFactory(
                tenant=tenant_a,
                user=user,
                role=role,
                employers=scopes.get(role, []),
                taakdelegatie=False,
            )
        # A second casemanager, working in taakdelegatie of the bedrijfsarts.
        delegated = UserFactory(email="casemanager-td@tenant-a.test")
        users["casemanager_td"] = delegated
        memberships["casemanager_td"] = MembershipFactory(
            tenant=tenant_a,
            user=delegated,
            role=Role.CASEMANAGER,
            employers=[employer_a1, employer_a2],
            taakdelegatie=True,
        )
        manager = users[Role.LEIDINGGEVENDE]
        team_employee = EmployeeFactory(employer=employer_a1, manager=manager)
        own_employee = EmployeeFactory(
            employer=employer_a1, manager=manager, user=users[Role.WERKNEMER]
        )
        a1_employee = EmployeeFactory(employer=employer_a1, surname="Eerstema")
        a2_employee = EmployeeFactory(employer=employer_a2)
        a3_employee = EmployeeFactory(employer=employer_a3)
        bedrijfsarts = users[Role.BEDRIJFSARTS]
        team_case = _case(team_employee, bedrijfsarts=bedrijfsarts)
        own_case = _case(own_employee)
        a1_case = _case(a1_employee)
        a2_case = _case(a2_employee)
        a3_case = _case(a3_employee, bedrijfsarts=bedrijfsarts)
    with tenant_scope(tenant_b):
        employer_b = EmployerFactory(tenant=tenant_b, name="B Bakkerij")
        casemanager_b = UserFactory(email="casemanager@tenant-b.test")
        MembershipFactory(
            tenant=tenant_b,
            user=casemanager_b,
            role=Role.CASEMANAGER,
            employers=[employer_b],
        )
        b_employee = EmployeeFactory(employer=employer_b, surname="Buitenveld")
        b_case = _case(b_employee)
    return World(
        tenant_a=tenant_a,
        tenant_b=tenant_b,
        employer_a1=employer_a1,
        employer_a2=employer_a2,
        employer_a3=employer_a3,
        employer_b=employer_b,
        users=users,
        memberships=memberships,
        casemanager_b=casemanager_b,
        team_employee=team_employee,
        team_case=team_case,
        own_employee=own_employee,
        own_case=own_case,
        a1_employee=a1_employee,
        a1_case=a1_case,
        a2_case=a2_case,
        a3_case=a3_case,
        b_employee=b_employee,
        b_case=b_case,
    )


@pytest.fixture
def scope_a(world: World):
    """Run the test body inside tenant A's scope."""
    with tenant_scope(world.tenant_a):
        yield world


def verified_login(client: Client, user: User) -> Client:
    """Log ``client`` in as ``user`` as after a full login: password and the
    code from the authenticator app (the one shared way tests log in).

    Gives the user a confirmed authenticator when they have none and marks
    the session verified with it, as ``django_otp.login`` does, so
    ``accounts.security.TwoFactorMiddleware`` runs in every test and lets
    this session through. Tests of the 2FA pages themselves use
    ``client.force_login`` directly to get a session that owes a code.
    """
    client.force_login(user)
    device = AuthenticatorDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = AuthenticatorDevice.objects.create(
            user=user, name="test", confirmed=True
        )
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


@pytest.fixture
def login(client):
    """Log the test client in as ``user`` (2FA verified) and return it."""

    def _login(user: User):
        return verified_login(client, user)

    return _login


@pytest.fixture
def today() -> dt.date:
    return dt.date(2026, 11, 20)


@pytest.fixture
def make_key(world) -> Callable[..., str]:
    """Make a key of tenant A (or ``tenant``) and return its full text."""

    def _make(
        *,
        scope: str = ApiKeyScope.WRITE,
        employers=None,
        tenant=None,
        rate: int = 600,
    ) -> str:
        tenant = tenant or world.tenant_a
        with tenant_scope(tenant):
            _key, secret = api_key_create(
                actor=world.user("tenant_admin"),
                tenant=tenant,
                name="Salarissysteem",
                scope=scope,
                employers=employers or [],
                all_employers=employers is None,
                rate_limit_per_minute=rate,
            )
        return secret

    return _make


@pytest.fixture
def api(make_key) -> Callable[..., APIClient]:
    """A DRF test client carrying a fresh key (write, all employers by default)."""

    def _client(**kwargs) -> APIClient:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {make_key(**kwargs)}")
        return client

    return _client


# Every test connects as this role: no superuser, no BYPASSRLS, owner of
# nothing, granted DML only, as production runs the application (see
# docs/security/row-level-security.md). Row-level security therefore binds
# the whole suite, and every test proves its code path sets the tenant.
APP_ROLE = "hervat_test_app"
APP_ROLE_PASSWORD = "hervat-test-app"


# Who created the test database (the superuser here), for the few tests that
# must act as the owner (``owner_connection``; pg_dump, DDL): row-level
# security does not bind it.
DATABASE_OWNER: dict[str, str] = {}


def _grant_app_role(cursor, database: str) -> None:
    cursor.execute(
        "DO $$ BEGIN "
        f"CREATE ROLE {APP_ROLE} LOGIN PASSWORD '{APP_ROLE_PASSWORD}' "
        "NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE; "
        "EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$"
    )
    for statement in (
        f'GRANT CONNECT, TEMPORARY ON DATABASE "{database}" TO {APP_ROLE}',
        f"GRANT USAGE ON SCHEMA public TO {APP_ROLE}",
        "GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON ALL TABLES "
        f"IN SCHEMA public TO {APP_ROLE}",
        f"GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO {APP_ROLE}",
    ):
        cursor.execute(statement)


def _connect_as(user: str, password: str) -> None:
    from django.conf import settings
    from django.db import connections

    connection = connections["default"]
    connection.close()
    for settings_dict in (connection.settings_dict, settings.DATABASES["default"]):
        settings_dict["USER"] = user
        settings_dict["PASSWORD"] = password


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The owner creates and migrates the test database; tests run as
    ``APP_ROLE``. The owner comes back for pytest-django's teardown."""
    from django.db import connection

    if connection.vendor != "postgresql":
        yield
        return
    owner = (connection.settings_dict["USER"], connection.settings_dict["PASSWORD"])
    DATABASE_OWNER.update(user=owner[0], password=owner[1])
    with django_db_blocker.unblock():
        with connection.cursor() as cursor:
            _grant_app_role(cursor, connection.settings_dict["NAME"])
        _connect_as(APP_ROLE, APP_ROLE_PASSWORD)
    yield
    with django_db_blocker.unblock():
        _connect_as(*owner)


@pytest.fixture
def owner_connection(django_db_setup):
    """A psycopg connection to the test database as its owner (superuser
    here; row-level security does not bind it), in autocommit."""
    import psycopg
    from django.conf import settings

    db = settings.DATABASES["default"]
    with psycopg.connect(
        host=db["HOST"] or "127.0.0.1",
        port=db["PORT"] or 5432,
        dbname=db["NAME"],
        user=DATABASE_OWNER["user"],
        password=DATABASE_OWNER["password"] or None,
        autocommit=True,
    ) as raw:
        yield raw
