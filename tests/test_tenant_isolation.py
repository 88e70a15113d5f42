"""Tenant isolation: every row belongs to a tenant and nothing crosses over."""

import re

import pytest
from django.apps import apps
from django.urls import reverse
from django_scopes.exceptions import ScopeError

from accounts.middleware import ADMIN_TENANT_SESSION_KEY
from accounts.models import Membership, Role, TenantOwned
from accounts.scoping import tenant_scope
from accounts.tests.factories import UserFactory
from cases.models import AbsenceCase, Employer

TENANT_APPS = (
    "cases",
    "poortwachter",
    "triage",
    "documents",
    "integrations",
    "imports",
    "afas",
    "notifications",
    "webhooks",
    "privacy",
)


def _tenant_models():
    return [
        model
        for app_label in TENANT_APPS
        for model in apps.get_app_config(app_label).get_models()
    ]


def test_every_model_in_a_tenant_app_is_tenant_owned():
    offenders = [m.__name__ for m in _tenant_models() if not issubclass(m, TenantOwned)]
    assert offenders == []


@pytest.mark.parametrize(
    "model", [*_tenant_models(), Membership], ids=lambda m: m.__name__
)
def test_query_without_scope_raises(db, model):
    with pytest.raises(ScopeError):
        list(model.objects.filter(pk=1))


def test_tenant_scope_refuses_none():
    # django-scopes reads scope(tenant=None) as "all tenants".
    with pytest.raises(ValueError, match="never None"), tenant_scope(None):
        pass


def test_scope_only_returns_own_tenant_rows(world):
    with tenant_scope(world.tenant_b):
        assert set(Employer.objects.all()) == {world.employer_b}
        assert not AbsenceCase.objects.filter(pk=world.a1_case.pk).exists()


def _pages(world, slug):
    return [
        reverse("cases:employer_detail", args=[slug, world.employer_a1.pk]),
        reverse("cases:employee_detail", args=[slug, world.a1_employee.pk]),
        reverse("cases:case_detail", args=[slug, world.a1_case.pk]),
    ]


def test_tenant_b_user_gets_404_for_tenant_a_pages(world, login):
    client = login(world.casemanager_b)
    for url in _pages(world, "tenant-a"):
        assert client.get(url).status_code == 404, url


def test_tenant_a_objects_are_404_through_tenant_b_urls(world, login):
    client = login(world.casemanager_b)
    for url in _pages(world, "tenant-b"):
        assert client.get(url).status_code == 404, url


def test_unknown_tenant_and_foreign_tenant_look_the_same(world, login):
    client = login(world.casemanager_b)
    foreign = client.get("/t/tenant-a/")
    unknown = client.get("/t/no-such-tenant/")
    assert foreign.status_code == unknown.status_code == 404

    def normalized(response, path):
        text = response.text.replace(path, "PATH")
        text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", text)
        return re.sub(r'"X-CSRFToken": "[^"]+"', "", text)

    assert normalized(foreign, "/t/tenant-a/") == normalized(
        unknown, "/t/no-such-tenant/"
    )


def test_user_without_membership_is_rejected(world, login):
    client = login(UserFactory())
    assert client.get("/t/tenant-a/").status_code == 404


def test_anonymous_visitor_is_sent_to_login(world, client):
    response = client.get("/t/tenant-a/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_own_tenant_pages_work(world, login):
    client = login(world.user(Role.CASEMANAGER))
    for url in _pages(world, "tenant-a"):
        assert client.get(url).status_code == 200, url


def test_tenant_b_admin_gets_404_for_tenant_a_admin(world, login):
    admin_b = UserFactory()
    with tenant_scope(world.tenant_b):
        Membership.objects.create(
            tenant=world.tenant_b, user=admin_b, role=Role.TENANT_ADMIN
        )
    client = login(admin_b)
    assert client.get("/t/tenant-a/beheer/").status_code == 404
    # Entering B's admin works, and A's objects are not found there.
    assert client.get("/t/tenant-b/beheer/").status_code == 302
    for model, obj in (
        ("employer", world.employer_a1),
        ("employee", world.a1_employee),
    ):
        url = f"/beheer/cases/{model}/{obj.pk}/change/"
        assert client.get(url).status_code == 404, url
    listing = client.get("/beheer/cases/employer/")
    assert listing.status_code == 200
    assert world.employer_b.name in listing.text
    assert world.employer_a1.name not in listing.text


def test_tenant_admin_session_cannot_be_pointed_at_another_tenant(world, login):
    client = login(world.user(Role.TENANT_ADMIN))
    session = client.session
    session[ADMIN_TENANT_SESSION_KEY] = world.tenant_b.pk
    session.save()
    assert client.get("/beheer/").status_code == 404


def test_non_admin_role_cannot_open_tenant_admin(world, login):
    client = login(world.user(Role.HR))
    assert client.get("/t/tenant-a/beheer/").status_code == 404
    assert client.get("/beheer/").status_code == 404


def test_employees_of_other_tenant_not_in_tenant_admin_list(world, login):
    client = login(world.user(Role.TENANT_ADMIN))
    client.get("/t/tenant-a/beheer/")
    page = client.get("/beheer/cases/employee/")
    assert page.status_code == 200
    assert world.a1_employee.surname in page.text
    assert "Buitenveld" not in page.text
