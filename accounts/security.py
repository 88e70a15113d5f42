"""Request-level security: the second factor, idle sessions, extra headers.

``TwoFactorMiddleware`` is the one place that enforces two-factor
authentication (the policy is ``accounts.selectors.two_factor_required``);
``IdleSessionMiddleware`` ends a session after inactivity;
``SecurityHeadersMiddleware`` adds the headers Django does not send itself.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable
from urllib.parse import urlencode

from axes.signals import user_locked_out
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django_otp import user_has_device

from accounts.models import User
from accounts.selectors import two_factor_required
from core.problems import problem_response

logger = logging.getLogger("hervat.security")

# Session keys: when the login happened and when the last request came.
LOGIN_AT_SESSION_KEY = "hervat_login_at"
LAST_SEEN_SESSION_KEY = "hervat_last_seen"
# The session is written at most this often just to move "last seen" on.
_LAST_SEEN_RESOLUTION = 60

API_PREFIX = "/api/v1/"
API_PUBLIC_PREFIXES = ("/api/v1/schema/", "/api/v1/docs/")


def _exempt_prefixes() -> tuple[str, ...]:
    """Pages an unverified user may open: logging in and out, the 2FA pages,
    password reset, the language switch, static files and the employee's
    questionnaire (a signed link, no login)."""
    return (
        "/accounts/login/",
        "/accounts/logout/",
        "/accounts/2fa/",
        "/accounts/password_reset/",
        "/accounts/reset/",
        "/i18n/",
        "/vragenlijst/",
        "/" + settings.STATIC_URL.lstrip("/"),
    )


def _redirect(request: HttpRequest, url: str) -> HttpResponse:
    """A redirect that also works for an HTMX request (a full page change
    instead of a login page swapped into a table row)."""
    if request.headers.get("HX-Request") == "true":
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return HttpResponseRedirect(url)


class TwoFactorMiddleware:
    """Send a logged-in user who still owes a second factor to the 2FA pages.

    Runs after ``OTPMiddleware``. A user owes one when the policy requires it
    or when they chose to set up an authenticator (a werknemer may). Until
    the code is entered, every page but the exempt ones redirects to
    verification (or to enrolment when there is no authenticator yet), the
    admin sites included; a portal session calling the API gets a 403
    problem+json. API calls with a key (``Authorization``) are the key's
    business (``integrations.api.middleware``).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if not user.is_authenticated or user.is_verified():
            return self.get_response(request)
        path = request.path_info
        if path.startswith(_exempt_prefixes()):
            return self.get_response(request)
        in_api = path.startswith(API_PREFIX)
        if in_api and (
            path.startswith(API_PUBLIC_PREFIXES) or "Authorization" in request.headers
        ):
            return self.get_response(request)
        target = two_factor_step_url(user, request.get_full_path())
        if target is None:
            return self.get_response(request)
        if in_api:
            return problem_response(
                "two-factor-required",
                403,
                _(
                    "Log in het portaal in met uw tweede stap (authenticator-app) "
                    "of gebruik een API-sleutel."
                ),
            )
        return _redirect(request, target)


def two_factor_step_url(user: User, next_url: str) -> str | None:
    """Where a logged-in, not yet verified user goes next: the code page when
    they have an authenticator, the enrolment page when the policy requires
    one and they have none, or None when they owe no second factor."""
    has_device = user_has_device(user)
    if not has_device and not two_factor_required(user=user):
        return None
    target = reverse(
        "accounts:two_factor_verify" if has_device else "accounts:two_factor_enrol"
    )
    return f"{target}?{urlencode({'next': next_url})}"


class IdleSessionMiddleware:
    """End a session after ``SESSION_IDLE_TIMEOUT`` seconds without a request.

    Sliding: every request moves the deadline on (the session is written at
    most once a minute for it). The absolute limit stays
    ``SESSION_COOKIE_AGE`` from the login, whatever the activity: the login
    fixes the session's expiry date (``_start_session_clock``).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        in_api = request.path_info.startswith(API_PREFIX)
        if not request.user.is_authenticated or (
            in_api and "Authorization" in request.headers
        ):
            return self.get_response(request)
        now = int(time.time())
        session = request.session
        last_seen = session.get(LAST_SEEN_SESSION_KEY, now)
        login_at = session.get(LOGIN_AT_SESSION_KEY, now)
        idle = now - last_seen > settings.SESSION_IDLE_TIMEOUT
        too_old = now - login_at > settings.SESSION_COOKIE_AGE
        if idle or too_old:
            logger.info(
                "session ended user=%s reason=%s",
                request.user.pk,
                "idle" if idle else "age",
            )
            logout(request)
            messages.info(
                request,
                _("U bent uitgelogd omdat u een tijd niets hebt gedaan.")
                if idle
                else _("Uw sessie is verlopen. Log opnieuw in."),
            )
            if in_api:
                return problem_response(
                    "not-authenticated", 401, _("Uw sessie is verlopen.")
                )
            login_url = reverse(settings.LOGIN_URL)
            return _redirect(
                request,
                f"{login_url}?{urlencode({'next': request.get_full_path()})}",
            )
        if now - last_seen >= _LAST_SEEN_RESOLUTION or (
            LAST_SEEN_SESSION_KEY not in session
        ):
            session[LAST_SEEN_SESSION_KEY] = now
        return self.get_response(request)


@receiver(user_logged_in, dispatch_uid="hervat_session_clock")
def _start_session_clock(
    sender: object, request: HttpRequest | None, user: object, **kwargs: object
) -> None:
    """Fix the session's end at login time, so activity cannot stretch it."""
    if request is None or not hasattr(request, "session"):
        return
    now = int(time.time())
    request.session[LOGIN_AT_SESSION_KEY] = now
    request.session[LAST_SEEN_SESSION_KEY] = now
    request.session.set_expiry(
        timezone.now() + dt.timedelta(seconds=settings.SESSION_COOKIE_AGE)
    )


@receiver(user_login_failed, dispatch_uid="hervat_login_failed_log")
def _log_login_failure(
    sender: object,
    credentials: dict[str, object],
    request: HttpRequest | None = None,
    **kwargs: object,
) -> None:
    """A wrong password is logged (the address, never the password)."""
    logger.warning(
        "login failed username=%s ip=%s",
        credentials.get("username"),
        client_ip(request) if request is not None else None,
    )


@receiver(user_locked_out, dispatch_uid="hervat_login_locked_out_log")
def _log_lock_out(
    sender: object,
    request: HttpRequest | None = None,
    username: str | None = None,
    ip_address: str | None = None,
    **kwargs: object,
) -> None:
    logger.warning("login locked out username=%s ip=%s", username, ip_address)


def login_locked_out_response(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict[str, object] | None = None,
) -> HttpResponse:
    """The page a locked-out login gets (HTTP 429): why, and for how long."""
    return render(
        request,
        "registration/locked_out.html",
        {
            "failure_limit": settings.AXES_FAILURE_LIMIT,
            "minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
        },
        status=429,
    )


class SecurityHeadersMiddleware:
    """Headers Django's ``SecurityMiddleware`` does not set.

    ``Permissions-Policy`` switches off browser features the portal never
    uses; ``Cross-Origin-Resource-Policy`` keeps other sites from embedding
    our answers; pages for a logged-in user are never stored by a browser or
    proxy cache (``Cache-Control: no-store``), because they may hold health
    data.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        response.headers.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and "Cache-Control" not in response.headers
        ):
            patch_cache_control(response, no_store=True, private=True)
        return response


def login_username(
    request: HttpRequest, credentials: dict[str, object] | None = None
) -> str:
    """The e-mail address a login attempt is counted under: trimmed and lower
    case, so "HR@x" and "hr@x" share one counter (as they share one account),
    and no longer than the account's e-mail field, so an absurdly long name
    typed into the form is counted, not stored past axes' column (a 500)."""
    value = (credentials or {}).get("username") or request.POST.get("username", "")
    return str(value).strip().lower()[: User._meta.get_field("email").max_length]


def client_ip(request: HttpRequest) -> str | None:
    """The client's address for lock-outs and logs.

    ``REMOTE_ADDR``, unless ``TRUSTED_PROXY_COUNT`` reverse proxies append to
    ``X-Forwarded-For``: then the address the outermost trusted proxy saw.
    Addresses a client writes into the header itself are never trusted.
    """
    count = settings.TRUSTED_PROXY_COUNT
    if count > 0:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= count:
            return forwarded[-count]
    return request.META.get("REMOTE_ADDR")
