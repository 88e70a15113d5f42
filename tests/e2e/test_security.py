"""Two-factor login and the Content-Security-Policy in real Chromium.

The ``ui`` fixture already fails any test on a CSP violation in the console;
these tests add the first-login enrolment and a sweep over the main pages
with a ``securitypolicyviolation`` listener in every document.
"""

from __future__ import annotations

import datetime as dt
import re
from base64 import b32decode
from pathlib import Path

from django.core import mail
from django.utils import timezone
from django_otp.oath import TOTP
from playwright.sync_api import expect

from accounts.models import Role
from accounts.scoping import tenant_scope
from accounts.tests.factories import UserFactory
from tests.e2e.test_task_queue import _open_inline_form, _submit_inline_form, _task
from tests.fixtures import PASSWORD
from triage.models import Questionnaire
from triage.services import invitation_create

# Runs in every document before the page's own scripts (Playwright injects it
# outside the page's CSP) and records each violation the browser reports.
LISTENER = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__csp.push(event.violatedDirective + " " + (event.blockedURI || "inline"));
});
"""


def _code_for(secret: str) -> str:
    return f"{TOTP(b32decode(secret.replace(' ', ''))).token():06d}"


def test_first_login_sets_up_the_authenticator_and_shows_recovery_codes(ui, world):
    page = ui.page
    ui.goto("/accounts/login/")
    page.fill("#id_username", world.user(Role.REGIEHOUDER).email)
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.click("form.stack button[type=submit]")
    assert ui.path == "/accounts/2fa/instellen/"
    expect(page.locator("h1")).to_have_text("Tweestapsverificatie instellen")
    expect(page.locator("figure.qr-code svg")).to_be_visible()
    ui.shot("enrol")
    ui.check_a11y(action="form.stack button[type=submit]")

    secret = page.locator("#totp-secret").inner_text()
    page.fill("#id_code", _code_for(secret))
    page.click("form.stack button[type=submit]")
    expect(page.locator("h1")).to_have_text("Uw herstelcodes")
    codes = re.findall(
        r"[a-z2-9]{5}-[a-z2-9]{5}", page.locator("#recovery-codes").inner_text()
    )
    assert len(codes) == 10
    ui.shot("recovery-codes")

    with page.expect_download() as download_info:
        page.get_by_role("button", name="Downloaden als tekstbestand").click()
    download = download_info.value
    assert download.suggested_filename == "hervat-herstelcodes.txt"
    text = Path(download.path()).read_text()
    assert all(code in text for code in codes)

    with page.expect_navigation():
        page.get_by_role("link", name="Ik heb de codes bewaard, ga verder").click()
    assert ui.path.startswith("/t/tenant-a/")


def test_main_pages_load_without_csp_violations_and_htmx_works(ui, world, context):
    context.add_init_script(LISTENER)
    page = ui.page
    with tenant_scope(world.tenant_a):
        invitation_create(
            actor=world.user(Role.REGIEHOUDER),
            case=world.a1_case,
            questionnaire=Questionnaire.objects.get(key="triage_ziekmelding"),
        )
        task = _task(
            world,
            "e2e-csp",
            "Bel de werknemer",
            timezone.localdate() - dt.timedelta(days=1),
        )
    link = re.search(r"/vragenlijst/\S+/", mail.outbox[-1].body).group(0)

    def visit(path: str, name: str) -> None:
        ui.goto(path)
        ui.shot(name)
        assert page.evaluate("window.__csp") == [], (
            path,
            page.evaluate("window.__csp"),
        )

    visit("/accounts/login/", "login")
    visit(link, "questionnaire")

    ui.login(world.user(Role.CASEMANAGER).email)
    visit("/t/tenant-a/", "home")
    visit(f"/t/tenant-a/dossiers/{world.a1_case.pk}/", "case")
    visit("/t/tenant-a/taken/", "queue")
    visit("/accounts/beveiliging/", "security")
    visit("/api/v1/docs/", "api-docs")
    expect(page.locator("#swagger-ui")).to_contain_text("Hervat API")
    assert page.evaluate("window.__csp") == []

    # An HTMX swap under the strict policy: open a task's inline form.
    ui.goto("/t/tenant-a/taken/")
    assert page.evaluate("typeof window.htmx") == "object"
    assert page.evaluate("htmx.config.includeIndicatorStyles") is False
    _open_inline_form(page, f"task-{task.pk}", "Afronden")
    _submit_inline_form(page, f"task-{task.pk}", "Afronden")
    expect(page.locator(f"tr#task-{task.pk}")).to_have_count(0)
    assert page.evaluate("window.__csp") == []
    page.get_by_role("button", name="Uitloggen").click()

    ui.login(world.user(Role.TENANT_ADMIN).email)
    ui.goto("/t/tenant-a/beheer/")
    assert ui.path == "/beheer/"
    ui.shot("tenant-admin")
    assert page.evaluate("window.__csp") == []
    visit("/beheer/accounts/membership/", "memberships")
    visit(
        f"/beheer/accounts/membership/{world.memberships[Role.HR].pk}/change/",
        "membership-form",
    )
    context.clear_cookies()  # log out

    staff = UserFactory(email="ops@hervat.test", is_staff=True, is_superuser=True)
    ui.goto("/accounts/login/")
    page.fill("#id_username", staff.email)
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.click("form.stack button[type=submit]")
    # Platform staff enrol too; then the platform admin works under the CSP.
    secret = page.locator("#totp-secret").inner_text()
    page.fill("#id_code", _code_for(secret))
    page.click("form.stack button[type=submit]")
    expect(page.locator("h1")).to_have_text("Uw herstelcodes")
    visit("/admin/", "platform-admin")
    visit(f"/admin/accounts/tenant/{world.tenant_a.pk}/change/", "tenant-form")
    visit("/admin/accounts/user/", "users")
