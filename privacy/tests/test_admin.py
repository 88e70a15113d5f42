"""Retention and privacy requests in the tenant admin (/beheer/)."""

import io
import zipfile

import pytest

from accounts.models import Membership, Role
from accounts.scoping import tenant_scope
from accounts.tests.factories import MembershipFactory, TenantFactory, UserFactory
from cases.models import Employee
from privacy.models import RetentionPolicy, RetentionRun
from privacy.services import retention_run
from privacy.tests.conftest import (
    PAST_PERIOD,
    PERSONAL,
    RECOVERY_DATE,
    make_case,
    make_employee,
    travel,
)
from tests.fixtures import verified_login

EMPLOYEES = "/beheer/cases/employee/"


@pytest.fixture
def admin_a(world, login):
    client = login(world.user(Role.TENANT_ADMIN))
    assert client.get("/t/tenant-a/beheer/").status_code == 302
    return client


@pytest.fixture
def officer_a(world, admin_a):
    """The tenant admin of tenant A, who is also its privacy officer."""
    with tenant_scope(world.tenant_a):
        Membership.objects.filter(
            user=world.user(Role.TENANT_ADMIN), tenant=world.tenant_a
        ).update(privacy_officer=True)
    return admin_a


@pytest.fixture
def admin_b(world, client):
    user = UserFactory(email="beheer@tenant-b.test")
    with tenant_scope(world.tenant_b):
        MembershipFactory(
            tenant=world.tenant_b,
            user=user,
            role=Role.TENANT_ADMIN,
            privacy_officer=True,
        )
    verified_login(client, user)
    assert client.get("/t/tenant-b/beheer/").status_code == 302
    return client


def _policy(tenant) -> RetentionPolicy:
    with tenant_scope(tenant):
        return RetentionPolicy.objects.get()


def test_a_new_tenant_gets_the_default_policy(db):
    tenant = TenantFactory()
    policy = _policy(tenant)
    assert policy.case_data_months == 24
    assert policy.medical_months == 24
    assert policy.eigenrisicodrager_months == 60
    assert policy.case_data_action == "anonymise"


def _form(policy: RetentionPolicy, **changes) -> dict:
    data = {
        f"{category}_{part}": getattr(policy, f"{category}_{part}")
        for category in (
            "case_data",
            "contact_notes",
            "triage",
            "audit",
            "employee",
        )
        for part in ("months", "action")
    }
    data["medical_months"] = policy.medical_months
    data["documents_months"] = policy.documents_months
    data["eigenrisicodrager_months"] = policy.eigenrisicodrager_months
    data.update(changes)
    return data


def test_tenant_admin_changes_a_period(world, admin_a):
    policy = _policy(world.tenant_a)
    url = f"/beheer/privacy/retentionpolicy/{policy.pk}/change/"
    assert admin_a.get(url).status_code == 200
    response = admin_a.post(url, _form(policy, contact_notes_months=12))
    assert response.status_code == 302
    assert _policy(world.tenant_a).contact_notes_months == 12


def test_eigenrisicodrager_period_below_five_years_is_refused(world, admin_a):
    policy = _policy(world.tenant_a)
    url = f"/beheer/privacy/retentionpolicy/{policy.pk}/change/"
    response = admin_a.post(url, _form(policy, eigenrisicodrager_months=24))
    assert response.status_code == 200
    assert "minstens 5 jaar" in response.text
    assert _policy(world.tenant_a).eigenrisicodrager_months == 60


def test_policy_cannot_be_deleted_or_added_twice(world, admin_a):
    policy = _policy(world.tenant_a)
    assert (
        admin_a.get(f"/beheer/privacy/retentionpolicy/{policy.pk}/delete/").status_code
        == 403
    )
    assert admin_a.get("/beheer/privacy/retentionpolicy/add/").status_code == 403


def test_preview_shows_what_would_happen_and_writes_nothing(world, admin_a):
    with tenant_scope(world.tenant_a):
        make_case(world, make_employee(world))
    policy = _policy(world.tenant_a)
    with travel(PAST_PERIOD):
        response = admin_a.post(
            "/beheer/privacy/retentionpolicy/",
            {"action": "preview", "_selected_action": [policy.pk]},
            follow=True,
        )
    assert "1 dossiers" in response.text
    with tenant_scope(world.tenant_a):
        assert not RetentionRun.objects.exists()


def test_run_reports_are_readable_in_counts(
    world, admin_a, django_assert_max_num_queries
):
    with tenant_scope(world.tenant_a):
        make_case(world, make_employee(world))
        retention_run(tenant=world.tenant_a, today=PAST_PERIOD)
        for _ in range(5):
            retention_run(tenant=world.tenant_a, today=PAST_PERIOD)
        run = RetentionRun.objects.filter(cases=1).get()
    with django_assert_max_num_queries(12):
        listing = admin_a.get("/beheer/privacy/retentionrun/")
    assert listing.status_code == 200
    detail = admin_a.get(f"/beheer/privacy/retentionrun/{run.pk}/change/")
    assert "Contactmomenten" in detail.text
    assert PERSONAL["surname"] not in detail.text


def test_tenant_b_admin_gets_404_on_tenant_a_policy_and_runs(world, admin_b):
    with tenant_scope(world.tenant_a):
        run = retention_run(tenant=world.tenant_a, today=PAST_PERIOD).run
    policy = _policy(world.tenant_a)
    assert (
        admin_b.get(f"/beheer/privacy/retentionpolicy/{policy.pk}/change/").status_code
        == 404
    )
    assert (
        admin_b.get(f"/beheer/privacy/retentionrun/{run.pk}/change/").status_code == 404
    )
    listing = admin_b.get("/beheer/privacy/retentionrun/")
    assert f"/retentionrun/{run.pk}/" not in listing.text


def test_export_action_downloads_a_zip(world, officer_a):
    with tenant_scope(world.tenant_a):
        employee = make_employee(world)
        make_case(world, employee)
    response = officer_a.post(
        EMPLOYEES, {"action": "export_data", "_selected_action": [employee.pk]}
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert "no-store" in response["Cache-Control"]
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        names = archive.namelist()
    assert "werknemer.json" in names
    assert "medisch/LEESMIJ.txt" in names


def test_export_action_wants_exactly_one_employee(world, officer_a):
    response = officer_a.post(
        EMPLOYEES,
        {
            "action": "export_data",
            "_selected_action": [world.a1_employee.pk, world.team_employee.pk],
        },
        follow=True,
    )
    assert "precies één werknemer" in response.text


def test_only_the_privacy_officer_gets_the_export_and_erase_actions(world, admin_a):
    """A tenant admin without the privacy-officer flag neither sees the two
    actions nor gets them done by posting them: the employee stays."""
    listing = admin_a.get(EMPLOYEES)
    assert listing.status_code == 200
    assert "export_data" not in listing.text
    assert "erase_data" not in listing.text
    with tenant_scope(world.tenant_a):
        employee = make_employee(world)
        make_case(world, employee)
    for action in ("export_data", "erase_data"):
        response = admin_a.post(
            EMPLOYEES,
            {"action": action, "_selected_action": [employee.pk], "apply": "1"},
            follow=True,
        )
        assert response["Content-Type"].startswith("text/html")
        assert "Definitief wissen" not in response.text
    with tenant_scope(world.tenant_a):
        assert Employee.objects.get(pk=employee.pk).surname == PERSONAL["surname"]


def test_tenant_b_admin_cannot_export_or_erase_a_tenant_a_employee(world, admin_b):
    for action in ("export_data", "erase_data"):
        response = admin_b.post(
            EMPLOYEES,
            {"action": action, "_selected_action": [world.a1_employee.pk]},
            follow=True,
        )
        assert response.status_code == 200
        assert response.get("Content-Type", "").startswith("text/html")
        assert world.a1_employee.surname not in response.text


def test_erase_action_asks_for_confirmation_then_erases(world, officer_a):
    with tenant_scope(world.tenant_a):
        employee = make_employee(world)
        make_case(world, employee)
    data = {"action": "erase_data", "_selected_action": [employee.pk]}
    with travel(PAST_PERIOD):
        page = officer_a.post(EMPLOYEES, data)
        assert page.status_code == 200
        assert "Definitief wissen" in page.text
        with tenant_scope(world.tenant_a):
            assert Employee.objects.get(pk=employee.pk).surname == PERSONAL["surname"]
        done = officer_a.post(EMPLOYEES, {**data, "apply": "1"}, follow=True)
    assert "zijn gewist" in done.text
    with tenant_scope(world.tenant_a):
        assert Employee.objects.get(pk=employee.pk).surname == "Geanonimiseerd"


def test_erase_action_within_a_duty_to_keep_needs_force_and_reason(world, officer_a):
    with tenant_scope(world.tenant_a):
        employee = make_employee(world)
        make_case(world, employee)
    data = {"action": "erase_data", "_selected_action": [employee.pk], "apply": "1"}
    soon = RECOVERY_DATE
    with travel(soon):
        refused = officer_a.post(EMPLOYEES, data)
        assert refused.status_code == 200
        assert "samentelling" in refused.text
        no_reason = officer_a.post(EMPLOYEES, {**data, "force": "on"})
        assert "waarom" in no_reason.text
        with tenant_scope(world.tenant_a):
            assert Employee.objects.get(pk=employee.pk).surname == PERSONAL["surname"]
        officer_a.post(
            EMPLOYEES, {**data, "force": "on", "reason": "Verzoek werknemer"}
        )
    with tenant_scope(world.tenant_a):
        assert Employee.objects.get(pk=employee.pk).surname == "Geanonimiseerd"


def test_erase_action_on_an_open_case_offers_no_button(world, officer_a):
    with tenant_scope(world.tenant_a):
        employee = make_employee(world)
        make_case(world, employee, recovery=None)
    page = officer_a.post(
        EMPLOYEES, {"action": "erase_data", "_selected_action": [employee.pk]}
    )
    assert "open verzuimdossier" in page.text
    assert "Definitief wissen" not in page.text
