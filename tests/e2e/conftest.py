"""Browser tests: real headless Chromium against pytest-django's live server.

Debian's Chromium is used (``/usr/bin/chromium``); Playwright never downloads a
browser. One browser for the whole e2e package, one context (cookies, storage)
per test. Screenshots go to ``.artifacts/screenshots/<test>-<step>.png``.
"""

from __future__ import annotations

import glob
import json
import os
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from unittest import mock
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

from tests.e2e.a11y import A11yReport, check_page
from tests.fixtures import PASSWORD

# The authenticator secret the browser tests' "phone" holds (base32).
E2E_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
VERIFY_PATH = "/accounts/2fa/controleren/"

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(settings.BASE_DIR) / ".artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"
# What the accessibility checks saw (Tab order, tolerated problems), per test.
A11Y_REPORTS = ARTIFACTS / "a11y"
# Generous for a loaded CI machine; a passing run never waits this long.
TIMEOUT_MS = 10_000


@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    """One Chromium for all browser tests, closed when the e2e package is done.

    Playwright's sync API keeps an asyncio event loop "running" on the test
    thread (it runs on a greenlet) from ``start()`` until ``stop()``. Django
    refuses ORM calls from a thread with a running loop and raises
    SynchronousOnlyOperation, although nothing here is async: the test code
    and the ORM still run one after the other on this thread. So while the
    browser lives, DJANGO_ALLOW_ASYNC_UNSAFE switches that guard off; it is
    set before any test of this package touches the ORM (this fixture is set
    up before the function-scoped ``world``) and restored afterwards, and the
    package scope stops Playwright before the rest of the suite runs, so no
    other test runs with the guard off or with a loop marked running.
    """
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    A11Y_REPORTS.mkdir(parents=True, exist_ok=True)
    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield chromium
        finally:
            chromium.close()
    finally:
        playwright.stop()
        if previous is None:
            del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(autouse=True)
def _no_celery():
    """The live server runs in this process, so this patch reaches its threads.

    Services enqueue a deadline refresh after commit; the browser tests do not
    run a worker, and the messages would otherwise pile up in Redis.
    """
    with mock.patch("poortwachter.tasks.deadlines_refresh_case_task.delay") as delay:
        yield delay


@dataclass
class Session:
    """A browser tab for one test: visit, screenshot, log in, check a11y."""

    page: Page
    base_url: str
    test_name: str
    a11y: list[A11yReport] = field(default_factory=list)
    _shots: int = 0

    def url(self, path: str) -> str:
        return self.base_url + path

    @property
    def path(self) -> str:
        """The current path, without the query (a login redirect's ``?next=``)."""
        return urlsplit(self.page.url).path

    def goto(self, path: str) -> None:
        response = self.page.goto(self.url(path))
        assert response is not None and response.ok, (path, response)

    def shot(self, step: str) -> Path:
        """A full-page screenshot, numbered in the order the test took them."""
        self._shots += 1
        name = f"{self.test_name}-{self._shots:02d}-{step}.png"
        path = SCREENSHOTS / name
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def login(
        self, email: str, password: str = PASSWORD, lands_on: str = "/t/tenant-a/"
    ) -> None:
        """Log in through the real forms: password, then, for a user who must
        use two-factor login, the code their authenticator app shows."""
        _give_authenticator(email)
        self.goto("/accounts/login/")
        self.shot("login")
        self.check_a11y(action="form.stack button[type=submit]")
        self.page.fill("#id_username", email)
        self.page.fill("#id_password", password)
        # The header's language buttons are submit buttons too: aim at the form.
        with self.page.expect_navigation():
            self.page.click("form.stack button[type=submit]")
        if self.path == VERIFY_PATH:
            self.enter_code()
        assert self.path == lands_on, self.page.url

    def enter_code(self, secret: str = E2E_TOTP_SECRET) -> None:
        """Type the app's current code on the code page. A code is accepted
        once; when an earlier login of this test spent it, the app's next
        code is accepted too (one step of tolerance)."""
        for drift in (0, 1):
            self.page.fill("#id_code", totp_now(secret, drift=drift))
            with self.page.expect_navigation():
                self.page.click("form.stack button[type=submit]")
            if self.path != VERIFY_PATH:
                return
        raise AssertionError(f"code refused: {self.page.url}")

    def check_a11y(self, *, action: str) -> A11yReport:
        """Labels, one h1, and Tab reaching ``action``; asserts, then records."""
        report = check_page(self.page, action=action)
        self.a11y.append(report)
        return report


def totp_now(secret: str, *, drift: int = 0) -> str:
    """What an authenticator app with ``secret`` shows now (or a step later)."""
    from base64 import b32decode

    from django_otp.oath import TOTP

    totp = TOTP(b32decode(secret), drift=drift)
    return f"{totp.token():06d}"


def _give_authenticator(email: str) -> None:
    """A user who must use two-factor login gets the test "phone" as their
    confirmed authenticator (as if they had enrolled before this test)."""
    from base64 import b32decode

    from accounts.models import AuthenticatorDevice, User
    from accounts.selectors import two_factor_required

    user = User.objects.get(email=email)
    if (
        two_factor_required(user=user)
        and not AuthenticatorDevice.objects.filter(user=user, confirmed=True).exists()
    ):
        AuthenticatorDevice.objects.create(
            user=user,
            name="e2e",
            confirmed=True,
            key=b32decode(E2E_TOTP_SECRET).hex(),
        )


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """Remember each phase's report on the item, for the ``ui`` teardown."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture
def context(browser: Browser, live_server) -> Iterator[BrowserContext]:
    # Dutch like the users (and deterministic): Accept-Language is nl, so a
    # page in English can only come from the user's own preference.
    ctx = browser.new_context(
        base_url=live_server.url,
        locale="nl-NL",
        timezone_id="Europe/Amsterdam",
        viewport={"width": 1280, "height": 900},
    )
    ctx.set_default_timeout(TIMEOUT_MS)
    ctx.set_default_navigation_timeout(TIMEOUT_MS)
    try:
        yield ctx
    finally:
        ctx.close()


@pytest.fixture
def ui(context: BrowserContext, live_server, request) -> Iterator[Session]:
    # This test's screenshots from an earlier run (a stale FAILED) would mislead.
    for old in SCREENSHOTS.glob(f"{glob.escape(request.node.name)}-*"):
        old.unlink()
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    # Every page of every browser test runs under the real CSP: a blocked
    # inline script or style shows up as a console error and fails the test.
    csp_violations: list[str] = []
    page.on(
        "console",
        lambda message: (
            csp_violations.append(message.text)
            if "Content Security Policy" in message.text
            else None
        ),
    )
    session = Session(page=page, base_url=live_server.url, test_name=request.node.name)
    yield session
    failed = getattr(request.node, "report_call", None)
    if failed is not None and failed.failed and not page.is_closed():
        # What the browser showed when the test failed, next to the screenshots.
        session.shot("FAILED")
        (SCREENSHOTS / f"{session.test_name}-FAILED.html").write_text(page.content())
    (A11Y_REPORTS / f"{session.test_name}.json").write_text(
        json.dumps([asdict(report) for report in session.a11y], indent=2)
    )
    assert not errors, f"JavaScript errors on the page: {errors}"
    assert not csp_violations, f"Content-Security-Policy violations: {csp_violations}"
