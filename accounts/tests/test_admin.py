"""The tenant admin (/beheer/): a tenant administrator manages their own tenant."""

import pytest

from accounts.models import Membership, Role, User
from accounts.scoping import tenant_scope
from cases.models import Employee, Employer


@pytest.fixture
def admin_client(world, login):
    client = login(world.user(Role.TENANT_ADMIN))
    assert client.get("/t/tenant-a/beheer/").status_code == 302
    return client


def test_tenant_admin_adds_an_employer_to_own_tenant(world, admin_client):
    response = admin_client.post(
        "/beheer/cases/employer/add/", {"name": "Nieuwe Werkgever B.V."}
    )
    assert response.status_code == 302
    with tenant_scope(world.tenant_a):
        assert Employer.objects.filter(name="Nieuwe Werkgever B.V.").exists()
    with tenant_scope(world.tenant_b):
        assert not Employer.objects.filter(name="Nieuwe Werkgever B.V.").exists()


def _employee_form(world, **overrides):
    data = {
        "employer": world.employer_a2.pk,
        "personnel_number": "NW-1",
        "surname": "Nieuw",
        "preferred_language": "nl",
        "employment_start": "2025-01-01",
        "vangnet_category": "",
    }
    data.update(overrides)
    return data


def test_invalid_bsn_gives_a_form_error_and_saves_nothing(world, admin_client):
    response = admin_client.post(
        "/beheer/cases/employee/add/", _employee_form(world, new_bsn="123456789")
    )
    assert response.status_code == 200
    assert "elfproef" in response.text
    with tenant_scope(world.tenant_a):
        assert not Employee.objects.filter(personnel_number="NW-1").exists()


def test_employee_with_valid_bsn_is_saved_encrypted(world, admin_client):
    response = admin_client.post(
        "/beheer/cases/employee/add/", _employee_form(world, new_bsn="1112.22.333")
    )
    assert response.status_code == 302
    with tenant_scope(world.tenant_a):
        employee = Employee.objects.get(personnel_number="NW-1")
    assert employee.bsn == "111222333"
    assert employee.tenant == world.tenant_a
    page = admin_client.get(f"/beheer/cases/employee/{employee.pk}/change/")
    assert "******333" in page.text
    assert "111222333" not in page.text


def test_employer_of_other_tenant_cannot_be_chosen(world, admin_client):
    response = admin_client.post(
        "/beheer/cases/employee/add/",
        _employee_form(world, employer=world.employer_b.pk),
    )
    assert response.status_code == 200
    assert "errorlist" in response.text


def test_membership_for_new_email_creates_the_account(world, admin_client):
    response = admin_client.post(
        "/beheer/accounts/membership/add/",
        {
            "email": "Nieuwe.HR@Example.test",
            "full_name": "Nieuwe HR",
            "role": Role.HR,
            "employers": [world.employer_a3.pk],
            "is_active": "on",
        },
    )
    assert response.status_code == 302, response.text[:2000]
    user = User.objects.get(email="nieuwe.hr@example.test")
    assert not user.has_usable_password()
    with tenant_scope(world.tenant_a):
        membership = Membership.objects.get(user=user)
        assert list(membership.employers.all()) == [world.employer_a3]


def test_hr_membership_needs_exactly_one_employer(world, admin_client):
    response = admin_client.post(
        "/beheer/accounts/membership/add/",
        {
            "email": "hr2@example.test",
            "role": Role.HR,
            "employers": [world.employer_a1.pk, world.employer_a2.pk],
            "is_active": "on",
        },
    )
    assert response.status_code == 200
    assert "precies één werkgever" in response.text


def test_taakdelegatie_for_non_casemanager_is_a_form_error(world, admin_client):
    response = admin_client.post(
        "/beheer/accounts/membership/add/",
        {
            "email": "arts2@example.test",
            "role": Role.REGIEHOUDER,
            "taakdelegatie": "on",
            "is_active": "on",
        },
    )
    assert response.status_code == 200
    assert "alleen mogelijk voor een casemanager" in response.text
    assert not User.objects.filter(email="arts2@example.test").exists()


def test_second_membership_for_same_user_is_a_form_error(world, admin_client):
    response = admin_client.post(
        "/beheer/accounts/membership/add/",
        {
            "email": world.user(Role.HR).email,
            "role": Role.CASEMANAGER,
            "is_active": "on",
        },
    )
    assert response.status_code == 200
    assert "al een lidmaatschap" in response.text


def test_user_list_shows_only_own_tenant_members(world, admin_client):
    page = admin_client.get("/beheer/accounts/user/")
    assert world.user(Role.HR).email in page.text
    assert world.casemanager_b.email not in page.text
    url = f"/beheer/accounts/user/{world.casemanager_b.pk}/change/"
    assert admin_client.get(url).status_code == 404


def test_tenant_admin_has_no_case_admin(world, admin_client):
    assert admin_client.get("/beheer/cases/absencecase/").status_code == 404


def test_platform_admin_is_only_for_staff(world, login):
    client = login(world.user(Role.TENANT_ADMIN))
    assert client.get("/admin/").status_code == 302
    staff = User.objects.create_user("ops@hervat.test", "x", is_staff=True)
    staff.is_superuser = True
    staff.save()
    hr = world.user(Role.HR)
    hr.full_name = "Hanneke Hofman"
    hr.save()
    client = login(staff)
    page = client.get(f"/admin/accounts/tenant/{world.tenant_a.pk}/change/")
    assert page.status_code == 200
    assert "Hanneke Hofman" in page.text
    assert world.casemanager_b.get_full_name() not in page.text
