"""Shared fixtures: two tenants with a persona for every role.

Tenant A has three employers and a person in every role; tenant B has one
employer and a casemanager who must see nothing of A.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import Membership, Role, Tenant, User
from accounts.scoping import tenant_scope
from accounts.tests.factories import MembershipFactory, TenantFactory, UserFactory
from cases.models import AbsenceCase, Employee, Employer
from cases.tests.factories import (
    AbsenceCaseFactory,
    EmployeeFactory,
    EmployerFactory,
    WorkabilityChangeFactory,
)

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
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
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
