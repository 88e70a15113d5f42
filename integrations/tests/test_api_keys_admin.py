"""API keys in the tenant admin: made with the full key shown once, stored
hashed, listed without the secret, revoked; another tenant's keys unseen."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.middleware import ADMIN_TENANT_SESSION_KEY
from accounts.models import Membership, Role
from accounts.scoping import tenant_scope
from integrations.models import ApiKey
from tests.fixtures import verified_login

ADD = reverse("tenant_admin:integrations_apikey_add")
LIST = reverse("tenant_admin:integrations_apikey_changelist")


@pytest.fixture
def admin_client(world, client):
    verified_login(client, world.user(Role.TENANT_ADMIN))
    session = client.session
    session[ADMIN_TENANT_SESSION_KEY] = world.tenant_a.pk
    session.save()
    return client


def _secret(page) -> str:
    match = re.search(rb'value="(hvk_[^"]+)"', page.content)
    assert match, page.content[:2000]
    return match.group(1).decode()


def test_a_key_is_shown_once_and_stored_only_as_a_hash(world, admin_client):
    page = admin_client.post(
        ADD,
        {
            "name": "AFAS",
            "scope": "write",
            "employers": [world.employer_a1.pk],
            "rate_limit_per_minute": 60,
        },
    )
    assert page.status_code == 200
    assert "no-store" in page["Cache-Control"]
    secret = _secret(page)
    with tenant_scope(world.tenant_a):
        key = ApiKey.objects.get(name="AFAS")
        assert secret.split("_")[-1] not in key.secret_sha256
        assert key.membership.role == Role.KOPPELING
        assert list(key.membership.employers.all()) == [world.employer_a1]
    listing = admin_client.get(LIST)
    assert b"AFAS" in listing.content
    assert secret.encode() not in listing.content
    # The new key works, for A1 Bouw only.
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    employers = client.get("/api/v1/employers/").json()["results"]
    assert [e["id"] for e in employers] == [world.employer_a1.pk]


def test_the_form_refuses_a_key_without_employers(world, admin_client):
    page = admin_client.post(
        ADD, {"name": "Nmbrs", "scope": "read", "rate_limit_per_minute": 60}
    )
    assert page.status_code == 200
    assert b"alle werkgevers" in page.content.lower()
    assert b"hvk_" not in page.content
    with tenant_scope(world.tenant_a):
        assert not ApiKey.objects.exists()


def test_revoking_a_key_from_the_list(world, admin_client):
    page = admin_client.post(
        ADD,
        {
            "name": "Visma",
            "scope": "read",
            "all_employers": "on",
            "rate_limit_per_minute": 60,
        },
    )
    secret = _secret(page)
    with tenant_scope(world.tenant_a):
        key = ApiKey.objects.get(name="Visma")
    admin_client.post(LIST, {"action": "revoke", "_selected_action": [key.pk]})
    with tenant_scope(world.tenant_a):
        key.refresh_from_db()
        assert key.revoked_at is not None
        assert not Membership.objects.get(pk=key.membership_id).is_active
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert client.get("/api/v1/cases/").status_code == 401


def test_key_accounts_stay_out_of_the_people_pages(world, admin_client, make_key):
    make_key()
    members = admin_client.get(reverse("tenant_admin:accounts_membership_changelist"))
    assert b"keys.hervat.invalid" not in members.content
    add_member = admin_client.get(reverse("tenant_admin:accounts_membership_add"))
    assert b'value="koppeling"' not in add_member.content


def test_another_tenants_key_is_a_404(world, admin_client, make_key):
    from integrations.selectors import api_key_for_secret

    key_b = api_key_for_secret(make_key(tenant=world.tenant_b))
    page = admin_client.get(
        reverse("tenant_admin:integrations_apikey_change", args=[key_b.pk])
    )
    assert page.status_code == 404
