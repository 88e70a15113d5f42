"""Login lock-out, idle sessions, security headers and the deploy check."""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import time_machine

from accounts.models import Role
from tests.fixtures import PASSWORD, verified_login

ROOT = Path(__file__).resolve().parent.parent.parent
NOW = dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def _login(client, email, password, ip="10.1.1.1", **extra):
    return client.post(
        "/accounts/login/",
        {"username": email, "password": password},
        REMOTE_ADDR=ip,
        **extra,
    )


# --- Lock-out after wrong passwords (django-axes) ---------------------------


def test_five_wrong_passwords_lock_the_account_from_that_address(
    world, client, clock, caplog
):
    email = world.user(Role.WERKNEMER).email
    for _attempt in range(4):
        assert _login(client, email, "fout-wachtwoord").status_code == 200
    locked = _login(client, email, "fout-wachtwoord")
    assert locked.status_code == 429
    assert "Tijdelijk geblokkeerd" in locked.text
    assert "15 minuten" in locked.text
    # Now even the right password is refused, also typed in capitals.
    right = _login(client, email.upper(), PASSWORD)
    assert right.status_code == 429
    assert "login locked out" in caplog.text
    assert email in caplog.text

    # Another address is not locked out by these attempts.
    assert _login(client, email, PASSWORD, ip="10.2.2.2").status_code == 302


def test_an_absurdly_long_user_name_is_a_wrong_login_not_a_crash(world, client, clock):
    """Found by the form fuzzer: a name longer than any e-mail address is
    refused like any wrong login and still counted towards the lock-out."""
    name = "x" * 5000
    for _attempt in range(4):
        response = _login(client, name, "fout-wachtwoord")
        assert response.status_code == 200
        assert "wachtwoord" in response.text.lower()
    assert _login(client, name, "fout-wachtwoord").status_code == 429


def test_lock_out_message_in_english(world, client, clock):
    email = world.user(Role.WERKNEMER).email
    for _attempt in range(5):
        _login(client, email, "wrong", HTTP_ACCEPT_LANGUAGE="en")
    locked = _login(client, email, PASSWORD, HTTP_ACCEPT_LANGUAGE="en")
    assert locked.status_code == 429
    assert "Temporarily locked" in locked.text


def test_lock_out_ends_after_fifteen_minutes(world, client, clock):
    email = world.user(Role.WERKNEMER).email
    for _attempt in range(5):
        _login(client, email, "fout")
    clock.shift(dt.timedelta(minutes=15, seconds=1))
    assert _login(client, email, PASSWORD).status_code == 302


def test_trying_during_the_lock_out_starts_the_fifteen_minutes_again(
    world, client, clock
):
    email = world.user(Role.WERKNEMER).email
    for _attempt in range(5):
        _login(client, email, "fout")
    clock.shift(dt.timedelta(minutes=14))
    assert _login(client, email, PASSWORD).status_code == 429
    # 16 minutes after the fifth failure, but only 2 after the last try.
    clock.shift(dt.timedelta(minutes=2))
    assert _login(client, email, PASSWORD).status_code == 429
    clock.shift(dt.timedelta(minutes=15, seconds=1))
    assert _login(client, email, PASSWORD).status_code == 302


def test_a_successful_login_resets_the_count(world, client, clock):
    email = world.user(Role.WERKNEMER).email
    for _attempt in range(4):
        _login(client, email, "fout")
    assert _login(client, email, PASSWORD).status_code == 302
    client.post("/accounts/logout/")
    for _attempt in range(4):
        assert _login(client, email, "fout").status_code == 200


def test_only_the_proxy_count_decides_the_client_address(settings, rf):
    from accounts.security import client_ip

    request = rf.get("/", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9")
    request.META["REMOTE_ADDR"] = "10.0.0.2"
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(request) == "10.0.0.2"
    settings.TRUSTED_PROXY_COUNT = 1
    # The address the trusted proxy saw, not one the client wrote itself.
    assert client_ip(request) == "203.0.113.9"


# --- Session expiry ----------------------------------------------------------


def test_session_ends_after_thirty_idle_minutes(world, client, clock):
    verified_login(client, world.user(Role.CASEMANAGER))
    assert client.get("/t/tenant-a/taken/").status_code == 200
    clock.shift(dt.timedelta(minutes=29))
    assert client.get("/t/tenant-a/taken/").status_code == 200
    # Sliding: 29 more minutes after the last request are still fine.
    clock.shift(dt.timedelta(minutes=29))
    assert client.get("/t/tenant-a/taken/").status_code == 200
    clock.shift(dt.timedelta(minutes=31))
    response = client.get("/t/tenant-a/taken/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")
    login_page = client.get(response["Location"])
    assert "niets hebt gedaan" in login_page.text
    # The session is really gone, not only hidden.
    assert client.get("/t/tenant-a/taken/").status_code == 302


def test_busy_session_still_ends_at_the_absolute_limit(world, client, clock, settings):
    verified_login(client, world.user(Role.CASEMANAGER))
    for _step in range(23):  # 23 times 20 minutes = 7 h 40 min of steady work
        clock.shift(dt.timedelta(minutes=20))
        assert client.get("/t/tenant-a/taken/").status_code == 200
    clock.shift(dt.timedelta(minutes=21))
    response = client.get("/t/tenant-a/taken/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert settings.SESSION_COOKIE_AGE == 8 * 60 * 60


def test_idle_htmx_request_redirects_the_whole_page(world, client, clock):
    verified_login(client, world.user(Role.CASEMANAGER))
    client.get("/t/tenant-a/taken/")
    clock.shift(dt.timedelta(minutes=31))
    response = client.get("/t/tenant-a/taken/", headers={"HX-Request": "true"})
    assert response.status_code == 204
    assert response["HX-Redirect"].startswith("/accounts/login/")


def test_idle_api_session_gets_a_problem(world, client, clock):
    verified_login(client, world.user(Role.HR))
    assert client.get("/api/v1/cases/").status_code == 200
    clock.shift(dt.timedelta(minutes=31))
    response = client.get("/api/v1/cases/")
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"


# --- Headers and CSP -----------------------------------------------------------


def _csp(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    return {
        part.split()[0]: part.split()[1:]
        for part in (p.strip() for p in policy.split(";"))
        if part
    }


def _assert_security_headers(response):
    csp = _csp(response)
    assert csp["default-src"] == ["'self'"]
    assert csp["script-src"] == ["'self'"]
    assert csp["style-src"] == ["'self'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["form-action"] == ["'self'"]
    assert csp["base-uri"] == ["'none'"]
    assert csp["object-src"] == ["'none'"]
    assert "unsafe" not in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"]
    assert "geolocation=()" in response["Permissions-Policy"]


def test_portal_page_sends_the_security_headers(world, login):
    client = login(world.user(Role.CASEMANAGER))
    response = client.get("/t/tenant-a/taken/", secure=True)
    assert response.status_code == 200
    _assert_security_headers(response)
    assert response["Strict-Transport-Security"] == (
        "max-age=31536000; includeSubDomains; preload"
    )
    # A page with health data is never kept by a browser or proxy cache.
    assert "no-store" in response["Cache-Control"]


def test_session_cookie_is_secure_httponly_and_samesite(world, client):
    response = _login(client, world.user(Role.WERKNEMER).email, PASSWORD)
    assert response.status_code == 302
    session = response.cookies["sessionid"]
    assert session["secure"] and session["httponly"]
    assert session["samesite"] == "Lax"


def test_login_page_sends_the_security_headers_and_httponly_csrf_cookie(client):
    response = client.get("/accounts/login/", secure=True)
    _assert_security_headers(response)
    csrf = response.cookies["csrftoken"]
    assert csrf["secure"] and csrf["httponly"] and csrf["samesite"] == "Lax"


def test_api_answer_sends_the_security_headers(world, client):
    from accounts.scoping import tenant_scope
    from integrations.services import api_key_create

    with tenant_scope(world.tenant_a):
        _key, secret = api_key_create(
            actor=world.user(Role.TENANT_ADMIN),
            tenant=world.tenant_a,
            name="Salarissysteem",
            scope="read",
            all_employers=True,
        )
    response = client.get(
        "/api/v1/cases/", secure=True, headers={"Authorization": f"Bearer {secret}"}
    )
    assert response.status_code == 200
    _assert_security_headers(response)
    assert "Strict-Transport-Security" in response


def test_only_the_api_docs_page_has_a_wider_policy(client):
    docs = client.get("/api/v1/docs/")
    assert docs.status_code == 200
    assert "'unsafe-inline'" in _csp(docs)["style-src"]
    assert "'unsafe-inline'" not in " ".join(_csp(docs)["script-src"])
    # Its set-up script is a file, not an inline <script>.
    assert re.search(r"<script>\s*\S", docs.text) is None
    assert "unsafe" not in client.get("/api/v1/schema/")["Content-Security-Policy"]


def test_http_is_redirected_to_https_in_production(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    response = client.get("/accounts/login/")
    assert response.status_code == 301
    assert response["Location"].startswith("https://")


_PDF_ONLY = {
    # Rendered by WeasyPrint on the server, never sent to a browser.
    "documents/base.html",
    "uwv/pdf_band.html",
    "analytics/report.html",
}


def test_no_inline_script_style_or_event_handler_in_templates():
    offenders = []
    for path in (ROOT / "templates").rglob("*.html"):
        rel = path.relative_to(ROOT / "templates").as_posix()
        text = path.read_text()
        if rel in _PDF_ONLY or '{% extends "documents/base.html" %}' in text:
            continue
        if "/email/" in f"/{rel}":
            continue  # e-mail bodies, not pages
        for pattern in (
            r"<script(?![^>]*\bsrc=)[^>]*>",
            r"<style\b",
            r"\sstyle=",
            r"\son[a-z]+=",
            r"javascript:",
            r"hx-on",
        ):
            if re.search(pattern, text):
                offenders.append(f"{rel}: {pattern}")
    assert offenders == []


def test_manage_check_deploy_is_clean(tmp_path):
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DEBUG", "SECURE_", "SESSION_", "DJANGO_"))
    }
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings.base",
            "SECRET_KEY": "k" + "7Qz-PpXw3!fLr9sVb2#Nc8mYhT1uJd6eGa4oRi0kWtZx5EyUqHvBn",
            "FIELD_ENCRYPTION_KEYS": "aGVydmF0LXRlc3Qtb25seS1maWVsZC1rZXktMzJiISE=",
            "ALLOWED_HOSTS": "hervat.example",
            "CSRF_TRUSTED_ORIGINS": "https://hervat.example",
        }
    )
    result = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "check",
            "--deploy",
            "--fail-level",
            "WARNING",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
