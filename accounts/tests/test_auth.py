"""Login with e-mail, logout, and password reset."""

import re

from django.core import mail

from accounts.models import Role
from tests.fixtures import PASSWORD, verified_login


def test_login_with_email_lands_on_tenant_home(world, client):
    # A werknemer needs no second factor: the password is the whole login.
    response = client.post(
        "/accounts/login/",
        {"username": "werknemer@tenant-a.test", "password": PASSWORD},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == "/t/tenant-a/"
    assert response.status_code == 200


def test_wrong_password_shows_an_error(world, client):
    response = client.post(
        "/accounts/login/", {"username": "hr@tenant-a.test", "password": "nope"}
    )
    assert response.status_code == 200
    assert "errorlist" in response.text


def test_user_with_two_tenants_chooses_one(world, client):
    from accounts.scoping import tenant_scope
    from accounts.tests.factories import MembershipFactory

    user = world.user(Role.BEDRIJFSARTS)
    with tenant_scope(world.tenant_b):
        MembershipFactory(tenant=world.tenant_b, user=user, role=Role.BEDRIJFSARTS)
    verified_login(client, user)
    page = client.get("/")
    assert page.status_code == 200
    assert "/t/tenant-a/" in page.text
    assert "/t/tenant-b/" in page.text


def test_logout_ends_the_session(world, login):
    client = login(world.user(Role.HR))
    client.post("/accounts/logout/")
    assert client.get("/t/tenant-a/").status_code == 302


def test_password_reset_mail_leads_to_a_new_password(world, client):
    client.post("/accounts/password_reset/", {"email": "hr@tenant-a.test"})
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^/]+(/\S+)", mail.outbox[0].body).group(1)
    form = client.get(link, follow=True)
    assert form.status_code == 200
    response = client.post(
        form.redirect_chain[-1][0],
        {
            "new_password1": "een-nieuw-wachtwoord-42",
            "new_password2": "een-nieuw-wachtwoord-42",
        },
    )
    assert response.status_code == 302
    login = client.post(
        "/accounts/login/",
        {"username": "hr@tenant-a.test", "password": "een-nieuw-wachtwoord-42"},
    )
    assert login.status_code == 302
    assert client.get("/").wsgi_request.user.email == "hr@tenant-a.test"


def test_password_reset_for_unknown_address_reveals_nothing(world, client):
    response = client.post("/accounts/password_reset/", {"email": "nobody@x.test"})
    assert response.status_code == 302
    assert mail.outbox == []
