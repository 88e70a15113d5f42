"""Two-factor authentication: who must, enrolment, verification, recovery.

Logins here go through the real login form; the TOTP codes are computed from
the device's secret at the (frozen) time, as an authenticator app would.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken

from accounts.models import AuditEvent, AuthenticatorDevice, Role
from accounts.scoping import tenant_scope
from tests.fixtures import PASSWORD, verified_login

NOW = dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC)
ENROL = "/accounts/2fa/instellen/"
VERIFY = "/accounts/2fa/controleren/"
REQUIRED_ROLES = [
    Role.BEDRIJFSARTS,
    Role.CASEMANAGER,
    Role.REGIEHOUDER,
    Role.HR,
    Role.TENANT_ADMIN,
]


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def _code(device: AuthenticatorDevice) -> str:
    """What the authenticator app shows right now."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():06d}"


def _password_login(client, user, next_url: str = "/"):
    return client.post(
        f"/accounts/login/?next={next_url}",
        {"username": user.email, "password": PASSWORD},
    )


def _enrol(client, user) -> list[str]:
    """Enrol ``user`` on an already logged-in client; return the codes."""
    assert client.get(ENROL).status_code == 200
    device = AuthenticatorDevice.objects.get(user=user, confirmed=False)
    page = client.post(ENROL, {"code": _code(device), "next": "/"})
    assert page.status_code == 200
    return re.findall(r"\b[a-z2-9]{5}-[a-z2-9]{5}\b", page.text)


@pytest.mark.parametrize("role", REQUIRED_ROLES)
def test_first_login_of_role_goes_through_enrolment(world, client, clock, role):
    user = world.user(role)
    response = _password_login(client, user, "/t/tenant-a/")
    assert response.status_code == 302
    assert response["Location"].startswith(ENROL)
    # Nothing of the tenant opens before the authenticator is set up.
    page = client.get("/t/tenant-a/")
    assert page.status_code == 302 and page["Location"].startswith(ENROL)

    form = client.get(response["Location"])
    assert form.status_code == 200
    assert "<svg" in form.text and 'class="qr"' in form.text
    assert "style=" not in form.text.split('class="qr"', 1)[1].split("</svg>")[0]
    device = AuthenticatorDevice.objects.get(user=user, confirmed=False)
    secret = form.context["secret"].replace(" ", "")
    assert secret in form.text.replace(" ", "")
    assert "no-store" in form["Cache-Control"]

    done = client.post(ENROL, {"code": _code(device), "next": "/t/tenant-a/"})
    assert done.status_code == 200
    codes = re.findall(r"\b[a-z2-9]{5}-[a-z2-9]{5}\b", done.text)
    assert len(set(codes)) == 10
    assert "no-store" in done["Cache-Control"]
    device.refresh_from_db()
    assert device.confirmed
    landing = client.get("/t/tenant-a/", follow=True)
    assert landing.status_code == 200
    assert (
        not landing.redirect_chain
        or "/accounts/" not in (landing.redirect_chain[-1][0])
    )
    with tenant_scope(world.tenant_a):
        assert AuditEvent.objects.filter(
            action="two_factor.enrolled", actor=user
        ).exists()


def test_wrong_code_at_enrolment_is_refused(world, client, clock):
    user = world.user(Role.CASEMANAGER)
    _password_login(client, user)
    client.get(ENROL)
    device = AuthenticatorDevice.objects.get(user=user, confirmed=False)
    wrong = f"{(int(_code(device)) + 1) % 1_000_000:06d}"
    page = client.post(ENROL, {"code": wrong})
    assert page.status_code == 200
    assert "klopt niet" in page.text
    device.refresh_from_db()
    assert not device.confirmed
    assert client.get("/t/tenant-a/").status_code == 302
    # Reloading shows the same secret, so the app that scanned it still works.
    assert client.get(ENROL).context["secret"] == page.context["secret"]


def test_login_with_device_asks_for_code_and_refuses_wrong_one(world, client, clock):
    user = world.user(Role.BEDRIJFSARTS)
    _password_login(client, user)
    _enrol(client, user)
    client.post("/accounts/logout/")
    clock.shift(dt.timedelta(seconds=60))

    response = _password_login(client, user, "/t/tenant-a/taken/")
    assert response["Location"] == VERIFY + "?next=%2Ft%2Ftenant-a%2Ftaken%2F"
    device = AuthenticatorDevice.objects.get(user=user, confirmed=True)
    wrong = f"{(int(_code(device)) + 1) % 1_000_000:06d}"
    page = client.post(VERIFY, {"code": wrong, "next": "/t/tenant-a/taken/"})
    assert page.status_code == 200
    assert "klopt niet" in page.text
    assert client.get("/t/tenant-a/taken/").status_code == 302

    ok = client.post(VERIFY, {"code": _code(device), "next": "/t/tenant-a/taken/"})
    assert ok.status_code == 302
    assert ok["Location"] == "/t/tenant-a/taken/"
    assert client.get("/t/tenant-a/taken/").status_code == 200


def test_code_cannot_be_used_twice_in_the_same_step(world, client, clock):
    user = world.user(Role.REGIEHOUDER)
    _password_login(client, user)
    client.get(ENROL)
    device = AuthenticatorDevice.objects.get(user=user, confirmed=False)
    code = _code(device)
    client.post(ENROL, {"code": code})
    client.post("/accounts/logout/")

    # Same 30-second step: someone who saw the code over a shoulder.
    _password_login(client, user)
    page = client.post(VERIFY, {"code": code})
    assert page.status_code == 200
    assert "al gebruikt" in page.text
    assert client.get("/t/tenant-a/").status_code == 302


def test_recovery_code_works_once(world, client, clock):
    user = world.user(Role.HR)
    _password_login(client, user)
    codes = _enrol(client, user)
    # Stored as keyed hashes only, never as the user reads them.
    stored = set(
        StaticToken.objects.filter(device__user=user).values_list("token", flat=True)
    )
    assert len(stored) == 10
    assert not stored & ({c.replace("-", "") for c in codes} | set(codes))
    client.post("/accounts/logout/")

    _password_login(client, user)
    used = client.post(VERIFY, {"code": codes[3].upper().replace("-", " ")})
    assert used.status_code == 302
    assert client.get("/t/tenant-a/").status_code == 200
    assert StaticToken.objects.filter(device__user=user).count() == 9
    client.post("/accounts/logout/")

    _password_login(client, user)
    again = client.post(VERIFY, {"code": codes[3]})
    assert again.status_code == 200
    assert "al gebruikt" in again.text
    with tenant_scope(world.tenant_a):
        assert AuditEvent.objects.filter(
            action="two_factor.recovery_code_used", actor=user
        ).exists()


def test_manager_needs_no_second_factor_unless_the_tenant_asks(world, client, clock):
    manager = world.user(Role.LEIDINGGEVENDE)
    response = _password_login(client, manager, "/t/tenant-a/")
    assert response["Location"] == "/t/tenant-a/"
    assert client.get("/t/tenant-a/").status_code == 200

    world.tenant_a.require_2fa_for_managers = True
    world.tenant_a.save()
    # Takes effect at the next page, also for a session that is already open.
    page = client.get("/t/tenant-a/")
    assert page.status_code == 302 and page["Location"].startswith(ENROL)
    client.post("/accounts/logout/")
    again = _password_login(client, manager, "/t/tenant-a/")
    assert again["Location"].startswith(ENROL)


def test_werknemer_logs_in_with_password_and_may_enrol(world, client, clock):
    employee = world.user(Role.WERKNEMER)
    response = _password_login(client, employee, "/t/tenant-a/")
    assert response["Location"] == "/t/tenant-a/"
    assert client.get("/t/tenant-a/").status_code == 200
    security = client.get("/accounts/beveiliging/")
    assert "niet verplicht" in security.text

    _enrol(client, employee)
    client.post("/accounts/logout/")
    # Once set up, the code is asked like for everyone else.
    again = _password_login(client, employee, "/t/tenant-a/")
    assert again["Location"].startswith(VERIFY)


def test_platform_staff_must_use_a_second_factor(world, client, clock):
    from accounts.tests.factories import UserFactory

    staff = UserFactory(email="ops@hervat.test", is_staff=True, is_superuser=True)
    response = _password_login(client, staff, "/admin/")
    assert response["Location"].startswith(ENROL)
    admin = client.get("/admin/")
    assert admin.status_code == 302 and admin["Location"].startswith(ENROL)


@pytest.mark.parametrize(
    "path",
    [
        "/t/tenant-a/",
        "/t/tenant-a/taken/",
        "/t/tenant-a/overzicht/",
        "/t/tenant-a/vragenlijsten/",
        "/t/tenant-a/beheer/",
        "/beheer/",
        "/admin/",
        "/accounts/beveiliging/",
    ],
)
def test_unverified_session_gets_no_page(world, client, path):
    user = world.user(Role.CASEMANAGER)
    AuthenticatorDevice.objects.create(user=user, name="app", confirmed=True)
    client.force_login(user)  # password only: the code is still owed
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith(VERIFY + "?next=")


def test_unverified_htmx_request_is_sent_to_the_code_page(world, client):
    user = world.user(Role.CASEMANAGER)
    client.force_login(user)
    response = client.get("/t/tenant-a/taken/", headers={"HX-Request": "true"})
    assert response.status_code == 204
    assert response["HX-Redirect"].startswith(ENROL)


def test_unverified_session_gets_no_api_answer(world, client):
    user = world.user(Role.HR)
    client.force_login(user)
    response = client.get("/api/v1/cases/")
    assert response.status_code == 403
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["type"] == "urn:hervat:problem:two-factor-required"
    # The schema and docs stay public; a verified session gets its answer.
    assert client.get("/api/v1/schema/").status_code == 200
    verified_login(client, user)
    assert client.get("/api/v1/cases/").status_code == 200


def test_public_questionnaire_and_logout_need_no_code(world, client):
    client.force_login(world.user(Role.BEDRIJFSARTS))
    assert client.get("/vragenlijst/nonsense/").status_code in (200, 404)
    assert client.get("/accounts/login/").status_code in (200, 302)
    assert client.post("/accounts/logout/").status_code == 302
    assert client.get("/t/tenant-a/").status_code == 302


def test_five_wrong_codes_lock_the_code_form(world, client, clock, caplog):
    user = world.user(Role.BEDRIJFSARTS)
    _password_login(client, user)
    _enrol(client, user)
    client.post("/accounts/logout/")
    clock.shift(dt.timedelta(minutes=1))
    _password_login(client, user)
    device = AuthenticatorDevice.objects.get(user=user, confirmed=True)
    wrong = f"{(int(_code(device)) + 1) % 1_000_000:06d}"
    for _attempt in range(5):
        assert "klopt niet" in client.post(VERIFY, {"code": wrong}).text
    # Even the right code waits now: guessing a million codes is not possible.
    locked = client.post(VERIFY, {"code": _code(device)})
    assert "Probeer het over 15 minuten opnieuw" in locked.text
    assert client.get("/t/tenant-a/")["Location"].startswith(VERIFY)
    assert "2fa lock-out" in caplog.text
    with tenant_scope(world.tenant_a):
        assert AuditEvent.objects.filter(action="two_factor.locked_out").exists()

    clock.shift(dt.timedelta(minutes=15, seconds=1))
    ok = client.post(VERIFY, {"code": _code(device)})
    assert ok.status_code == 302
    assert client.get("/t/tenant-a/mijn-dossiers/").status_code == 200


def test_re_enrolment_needs_a_fresh_code_and_replaces_the_old_app(world, client, clock):
    user = world.user(Role.CASEMANAGER)
    _password_login(client, user)
    _enrol(client, user)
    old = AuthenticatorDevice.objects.get(user=user, confirmed=True)
    clock.shift(dt.timedelta(minutes=1))

    refused = client.post(
        "/accounts/beveiliging/", {"action": "reenrol", "code": "000000"}
    )
    assert refused.status_code == 200
    # Without a fresh code the enrolment page does not open again.
    assert client.get(ENROL)["Location"] == "/accounts/beveiliging/"

    start = client.post(
        "/accounts/beveiliging/", {"action": "reenrol", "code": _code(old)}
    )
    assert start["Location"] == ENROL
    client.get(ENROL)
    new = AuthenticatorDevice.objects.get(user=user, confirmed=False)
    # Until the new app is confirmed the old one keeps working.
    assert AuthenticatorDevice.objects.filter(pk=old.pk, confirmed=True).exists()
    clock.shift(dt.timedelta(minutes=1))
    codes_page = client.post(ENROL, {"code": _code(new)})
    assert codes_page.status_code == 200
    assert list(AuthenticatorDevice.objects.filter(user=user)) == [new]


def test_new_recovery_codes_replace_the_old_ones(world, client, clock):
    user = world.user(Role.CASEMANAGER)
    _password_login(client, user)
    old_codes = _enrol(client, user)
    clock.shift(dt.timedelta(minutes=1))
    device = AuthenticatorDevice.objects.get(user=user, confirmed=True)
    page = client.post(
        "/accounts/beveiliging/", {"action": "recovery_codes", "code": _code(device)}
    )
    new_codes = re.findall(r"\b[a-z2-9]{5}-[a-z2-9]{5}\b", page.text)
    assert len(new_codes) == 10 and not set(new_codes) & set(old_codes)
    client.post("/accounts/logout/")
    _password_login(client, user)
    assert client.post(VERIFY, {"code": old_codes[0]}).status_code == 200
    assert client.post(VERIFY, {"code": new_codes[0]}).status_code == 302


def test_tenant_admin_resets_a_members_second_factor(world, client, login):
    member = world.user(Role.CASEMANAGER)
    member_client = verified_login(type(client)(), member)
    assert member_client.get("/t/tenant-a/").status_code == 200
    admin = login(world.user(Role.TENANT_ADMIN))
    admin.get("/t/tenant-a/beheer/")
    membership = world.memberships[Role.CASEMANAGER]
    listing = admin.get("/beheer/accounts/membership/")
    assert "Tweestapsverificatie opnieuw laten instellen" in listing.text
    response = admin.post(
        "/beheer/accounts/membership/",
        {"action": "reset_two_factor", "_selected_action": [membership.pk]},
    )
    assert response.status_code == 302
    assert not AuthenticatorDevice.objects.filter(user=member).exists()
    # The member's open session lost its second factor with the device.
    page = member_client.get("/t/tenant-a/")
    assert page.status_code == 302 and page["Location"].startswith(ENROL)
    with tenant_scope(world.tenant_a):
        event = AuditEvent.objects.get(action="two_factor.reset")
    assert event.actor == world.user(Role.TENANT_ADMIN)
    assert event.object_id == membership.pk


def test_tenant_admin_cannot_reset_an_account_shared_with_another_tenant(world, login):
    from accounts.tests.factories import MembershipFactory

    physician = world.user(Role.BEDRIJFSARTS)
    with tenant_scope(world.tenant_b):
        MembershipFactory(tenant=world.tenant_b, user=physician, role=Role.BEDRIJFSARTS)
    AuthenticatorDevice.objects.create(user=physician, name="app", confirmed=True)
    admin = login(world.user(Role.TENANT_ADMIN))
    admin.get("/t/tenant-a/beheer/")
    response = admin.post(
        "/beheer/accounts/membership/",
        {
            "action": "reset_two_factor",
            "_selected_action": [world.memberships[Role.BEDRIJFSARTS].pk],
        },
        follow=True,
    )
    assert "andere organisatie" in response.text
    assert AuthenticatorDevice.objects.filter(user=physician).exists()


def test_tenant_admin_turns_on_2fa_for_managers_audited(world, login):
    admin = login(world.user(Role.TENANT_ADMIN))
    admin.get("/t/tenant-a/beheer/")
    url = f"/beheer/accounts/tenant/{world.tenant_a.pk}/change/"
    assert admin.get(url).status_code == 200
    response = admin.post(url, {"require_2fa_for_managers": "on"})
    assert response.status_code == 302
    world.tenant_a.refresh_from_db()
    assert world.tenant_a.require_2fa_for_managers
    with tenant_scope(world.tenant_a):
        event = AuditEvent.objects.get(action="tenant.require_2fa_for_managers")
    assert event.data == {"value": True}
    # Another tenant's settings are not reachable.
    other = f"/beheer/accounts/tenant/{world.tenant_b.pk}/change/"
    assert admin.get(other).status_code == 404


def test_authenticator_secret_is_encrypted_in_the_database(world, client, clock):
    """A copy of the database gives nobody the second factor: the column
    holds a Fernet token, never the secret, and the app still verifies."""
    from django.db import connection

    user = world.user(Role.BEDRIJFSARTS)
    client.force_login(user)
    _enrol(client, user)
    device = AuthenticatorDevice.objects.get(user=user, confirmed=True)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT key FROM accounts_authenticatordevice WHERE id = %s", [device.pk]
        )
        stored = cursor.fetchone()[0]
    assert stored.startswith("gAAAAA")  # a Fernet token
    assert device.key not in stored
    assert len(device.key) == 40  # 20 bytes, hex
    assert "secret=" in device.config_url
    clock.shift(dt.timedelta(seconds=60))
    assert device.verify_token(_code(device))
