"""Pages outside any tenant: the start page, and the user's own login security."""

from __future__ import annotations

import time
from urllib.parse import urlencode

import django_otp
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django_otp.models import Device

from accounts.forms import TotpConfirmForm, TwoFactorCodeForm
from accounts.middleware import ADMIN_TENANT_SESSION_KEY
from accounts.models import Role
from accounts.security import two_factor_step_url
from accounts.selectors import memberships_of_user, two_factor_required
from accounts.two_factor import (
    recovery_codes_left,
    recovery_codes_regenerate,
    totp_device_confirmed,
    totp_enrolment_confirm,
    totp_enrolment_start,
    totp_qr_svg,
    totp_secret_base32,
)
from accounts.two_factor import two_factor_verify as two_factor_verify_code
from core.exceptions import ApplicationError


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Send a user with one tenant straight there; let others choose."""
    memberships = memberships_of_user(user=request.user)
    if len(memberships) == 1:
        return redirect("cases:home", tenant_slug=memberships[0].tenant.slug)
    return render(request, "accounts/choose_tenant.html", {"memberships": memberships})


def tenant_admin_enter(request: HttpRequest, tenant_slug: str) -> HttpResponse:
    """Open the tenant admin (/beheer/) for this tenant; only for its admins."""
    if request.membership.role != Role.TENANT_ADMIN:
        raise Http404
    request.session[ADMIN_TENANT_SESSION_KEY] = request.tenant.pk
    return redirect("tenant_admin:index")


# --- Two-factor authentication ---------------------------------------------
# Re-enrolment from the security page is open for this long after the user
# proved possession of their current authenticator with a fresh code.
_REENROL_SESSION_KEY = "hervat_2fa_reenrol_at"
_REENROL_SECONDS = 10 * 60


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _otp_login(request: HttpRequest, device: Device) -> None:
    """Mark the session as verified with ``device``, under a new session key."""
    request.session.cycle_key()
    django_otp.login(request, device)


def _codes_page(request: HttpRequest, codes: list[str], next_url: str) -> HttpResponse:
    response = render(
        request,
        "accounts/two_factor_recovery_codes.html",
        {"codes": codes, "next": next_url},
    )
    # Shown once: never kept by a browser or proxy cache.
    patch_cache_control(response, no_store=True, private=True)
    return response


class LoginView(auth_views.LoginView):
    """Django's login form; a user who owes a second factor goes straight on
    to the code (or enrolment) page instead of a page that would send them
    there anyway. ``TwoFactorMiddleware`` still guards every page."""

    redirect_authenticated_user = True

    def get_success_url(self) -> str:
        # A password login starts a session without a verified device.
        next_url = super().get_success_url()
        return two_factor_step_url(self.request.user, next_url) or next_url


@login_required
def two_factor_enrol(request: HttpRequest) -> HttpResponse:
    """Set up an authenticator app: QR code, secret, a code to confirm.

    Open to a user without an authenticator (first login) and, for ten
    minutes after a fresh code on the security page, to a verified user
    replacing theirs. Confirming shows the ten recovery codes once.
    """
    user = request.user
    reenrol_at = request.session.get(_REENROL_SESSION_KEY, 0)
    reenrolling = user.is_verified() and time.time() - reenrol_at < _REENROL_SECONDS
    if totp_device_confirmed(user=user) is not None and not reenrolling:
        if user.is_verified():
            return redirect("accounts:security")
        return redirect(
            f"{reverse('accounts:two_factor_verify')}?"
            f"{urlencode({'next': _next_url(request)})}"
        )
    form = TotpConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device, codes = totp_enrolment_confirm(
                user=user, code=form.cleaned_data["code"], now=timezone.now()
            )
        except ApplicationError as exc:
            exc.add_to_form(form)
        else:
            _otp_login(request, device)
            request.session.pop(_REENROL_SESSION_KEY, None)
            return _codes_page(request, codes, _next_url(request))
    device = totp_enrolment_start(user=user)
    response = render(
        request,
        "accounts/two_factor_enrol.html",
        {
            "form": form,
            "qr_svg": mark_safe(totp_qr_svg(device)),  # noqa: S308 - segno's SVG
            "secret": totp_secret_base32(device),
            "required": two_factor_required(user=user),
            "next": _next_url(request),
        },
    )
    patch_cache_control(response, no_store=True, private=True)
    return response


@login_required
def two_factor_verify(request: HttpRequest) -> HttpResponse:
    """The second step of the login: a code from the app or a recovery code."""
    user = request.user
    if user.is_verified():
        return redirect(_next_url(request))
    if totp_device_confirmed(user=user) is None:
        return redirect(
            f"{reverse('accounts:two_factor_enrol')}?"
            f"{urlencode({'next': _next_url(request)})}"
        )
    form = TwoFactorCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = two_factor_verify_code(
                user=user, code=form.cleaned_data["code"], now=timezone.now()
            )
        except ApplicationError as exc:
            exc.add_to_form(form)
        else:
            _otp_login(request, device)
            if device.persistent_id.startswith("otp_static"):
                messages.warning(
                    request,
                    _(
                        "U hebt een herstelcode gebruikt; die werkt niet nog eens. "
                        "U hebt er nog %(left)s. Maak nieuwe aan onder Beveiliging "
                        "als u uw telefoon kwijt bent."
                    )
                    % {"left": recovery_codes_left(user=user)},
                )
            return redirect(_next_url(request))
    return render(
        request,
        "accounts/two_factor_verify.html",
        {"form": form, "next": _next_url(request)},
    )


@login_required
def security(request: HttpRequest) -> HttpResponse:
    """The user's own security page: 2FA status, re-enrolment, new codes.

    Both changes ask for a fresh code first, so a session left open on a
    shared computer cannot be used to move the second factor elsewhere.
    """
    user = request.user
    device = totp_device_confirmed(user=user)
    form = TwoFactorCodeForm(request.POST or None)
    action = request.POST.get("action")
    if request.method == "POST" and device is not None and form.is_valid():
        try:
            two_factor_verify_code(
                user=user, code=form.cleaned_data["code"], now=timezone.now()
            )
        except ApplicationError as exc:
            exc.add_to_form(form)
        else:
            if action == "recovery_codes":
                codes = recovery_codes_regenerate(user=user)
                return _codes_page(request, codes, reverse("accounts:security"))
            request.session[_REENROL_SESSION_KEY] = int(time.time())
            return redirect("accounts:two_factor_enrol")
    return render(
        request,
        "accounts/security.html",
        {
            "form": form,
            "device": device,
            "codes_left": recovery_codes_left(user=user) if device else 0,
            "required": two_factor_required(user=user),
        },
    )
