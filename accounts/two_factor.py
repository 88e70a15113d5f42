"""Two-factor authentication: enrolment, verification, recovery codes, reset.

Built on django-otp: one ``accounts.models.AuthenticatorDevice`` (an
authenticator app, its secret encrypted at rest) and one ``StaticDevice``
holding the recovery codes per user. Who *must* use a second
factor is decided by ``accounts.selectors.two_factor_required``; who must
enter a code before a page opens is decided by
``accounts.security.TwoFactorMiddleware``, the one place that enforces it.

Recovery codes are never stored as typed: ``StaticToken.token`` holds a keyed
hash (HMAC-SHA256 with a key derived from ``SECRET_KEY``), so a copy of the
database does not reveal a usable code.

One counter per user guards every code form (login, enrolment, re-enrolment):
after ``TWO_FACTOR_MAX_FAILURES`` wrong codes in a row the forms refuse for
``TWO_FACTOR_LOCKOUT_SECONDS``; the lock-out is logged and audited.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import secrets
from base64 import b32encode
from typing import Any

import segno
from django.conf import settings
from django.db import transaction
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

from accounts.models import AuthenticatorDevice, Tenant, User
from accounts.scoping import tenant_scope
from accounts.selectors import memberships_of_user
from accounts.services import audit_event_record
from core.exceptions import ApplicationError

logger = logging.getLogger("hervat.security")

TOTP_DEVICE_NAME = "authenticator"
RECOVERY_DEVICE_NAME = "herstelcodes"
# No 0/o, 1/l/i: codes are read from paper.
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
_RECOVERY_LENGTH = 10
_TOTP_CODE = re.compile(r"^\d{6}$")


class TwoFactorCodeError(ApplicationError):
    """The code was wrong, already used or expired."""


class TwoFactorLockedError(ApplicationError):
    """Too many wrong codes in a row; the forms refuse until ``until``."""

    def __init__(self, message: str, *, until: dt.datetime) -> None:
        super().__init__(message, field="code")
        self.until = until


# --- reads -----------------------------------------------------------------


def totp_device_confirmed(*, user: User) -> AuthenticatorDevice | None:
    """The user's confirmed authenticator, or None before enrolment."""
    return (
        AuthenticatorDevice.objects.filter(user=user, confirmed=True)
        .order_by("-pk")
        .first()
    )


def recovery_codes_left(*, user: User) -> int:
    """How many unused recovery codes the user still has."""
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def totp_secret_base32(device: AuthenticatorDevice) -> str:
    """The secret as an authenticator app takes it when typed: base32, in
    groups of four."""
    secret = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def totp_qr_svg(device: AuthenticatorDevice) -> str:
    """The ``otpauth://`` address as an inline SVG QR code.

    Inline SVG with presentation attributes only (no ``style``), so the page
    keeps its strict Content-Security-Policy (no ``data:`` images).
    """
    qr = segno.make(device.config_url, error="m")
    return qr.svg_inline(
        scale=4, border=4, dark="#000", light="#fff", svgclass="qr", lineclass=None
    )


def _recovery_hash(code: str) -> str:
    """Keyed hash of a normalised recovery code, as stored (16 hex chars)."""
    normalised = re.sub(r"[\s-]", "", code).lower()
    return salted_hmac(
        "hervat.two_factor.recovery_code", normalised, algorithm="sha256"
    ).hexdigest()[:16]


def _locked_until(device: AuthenticatorDevice, now: dt.datetime) -> dt.datetime | None:
    if (
        device.throttling_failure_count < settings.TWO_FACTOR_MAX_FAILURES
        or device.throttling_failure_timestamp is None
    ):
        return None
    until = device.throttling_failure_timestamp + dt.timedelta(
        seconds=settings.TWO_FACTOR_LOCKOUT_SECONDS
    )
    return until if until > now else None


def _locked_error(until: dt.datetime, now: dt.datetime) -> TwoFactorLockedError:
    minutes = max(1, int((until - now).total_seconds() + 59) // 60)
    return TwoFactorLockedError(
        _(
            "Te vaak een onjuiste code ingevoerd. Probeer het over %(minutes)s "
            "minuten opnieuw."
        )
        % {"minutes": minutes},
        until=until,
    )


# --- writes ----------------------------------------------------------------


def _audit(*, actor: User | None, user: User, action: str, **data: Any) -> None:
    """Record ``action`` on the user's membership in every tenant they are in,
    so each tenant's audit trail shows what happened to its member's login."""
    for membership in memberships_of_user(user=user):
        with tenant_scope(membership.tenant):
            audit_event_record(
                actor=actor, action=action, obj=membership, data={**data}
            )
    logger.info("2fa %s user=%s actor=%s", action, user.pk, actor and actor.pk)


def _new_recovery_codes(device: StaticDevice) -> list[str]:
    codes = []
    for _i in range(settings.TWO_FACTOR_RECOVERY_CODES):
        raw = "".join(
            secrets.choice(_RECOVERY_ALPHABET) for _j in range(_RECOVERY_LENGTH)
        )
        codes.append(f"{raw[:5]}-{raw[5:]}")
    StaticToken.objects.bulk_create(
        [StaticToken(device=device, token=_recovery_hash(code)) for code in codes]
    )
    return codes


@transaction.atomic
def totp_enrolment_start(*, user: User) -> AuthenticatorDevice:
    """The unconfirmed authenticator the enrolment page shows, made once.

    Reloading the page shows the same secret, so a code from an app that
    already scanned it still works.
    """
    device = (
        AuthenticatorDevice.objects.select_for_update()
        .filter(user=user, confirmed=False)
        .order_by("-pk")
        .first()
    )
    if device is None:
        device = AuthenticatorDevice.objects.create(
            user=user, name=TOTP_DEVICE_NAME, confirmed=False
        )
    return device


def totp_enrolment_confirm(
    *, user: User, code: str, now: dt.datetime
) -> tuple[AuthenticatorDevice, list[str]]:
    """Confirm the pending authenticator with a code from the app.

    Replaces any earlier authenticator and recovery codes of the user and
    returns the new device with ten new recovery codes in plain text: the only
    time they exist outside the user's hands. A wrong code raises
    ``TwoFactorCodeError`` and counts towards the lock-out.
    """
    outcome = _enrolment_confirm(user=user, code=code, now=now)
    if isinstance(outcome, ApplicationError):
        raise outcome
    return outcome


@transaction.atomic
def _enrolment_confirm(
    *, user: User, code: str, now: dt.datetime
) -> tuple[AuthenticatorDevice, list[str]] | ApplicationError:
    # Errors are returned, not raised: a raise would roll back the count of
    # the wrong code with the rest of the transaction.
    counter = _throttle_holder(user=user)
    until = _locked_until(counter, now)
    if until is not None:
        return _locked_error(until, now)
    device = (
        AuthenticatorDevice.objects.select_for_update()
        .filter(user=user, confirmed=False)
        .order_by("-pk")
        .first()
    )
    if device is None:
        return TwoFactorCodeError(
            _("Open de pagina opnieuw om een nieuwe QR-code te krijgen."),
            field="code",
        )
    compact = code.replace(" ", "")
    if not _TOTP_CODE.match(compact) or not device.verify_token(compact):
        _count_failure(user=user, counter=counter, now=now)
        return TwoFactorCodeError(
            _(
                "Deze code klopt niet. Controleer of de tijd op uw telefoon "
                "klopt en typ de code die nu in de app staat."
            ),
            field="code",
        )
    AuthenticatorDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    StaticDevice.objects.filter(user=user).delete()
    device.confirmed = True
    device.throttle_reset(commit=False)
    device.save()
    _reset_failures(device)
    recovery = StaticDevice.objects.create(
        user=user, name=RECOVERY_DEVICE_NAME, confirmed=True
    )
    codes = _new_recovery_codes(recovery)
    _audit(actor=user, user=user, action="two_factor.enrolled")
    return device, codes


def _throttle_holder(*, user: User) -> AuthenticatorDevice:
    """The device whose throttling fields count the user's wrong codes.

    The confirmed authenticator when there is one, else the pending one; it
    is locked for the rest of the transaction, so parallel guesses queue.
    """
    device = (
        AuthenticatorDevice.objects.select_for_update()
        .filter(user=user)
        .order_by("-confirmed", "-pk")
        .first()
    )
    if device is None:
        device = AuthenticatorDevice.objects.create(
            user=user, name=TOTP_DEVICE_NAME, confirmed=False
        )
    return device


def _count_failure(
    *, user: User, counter: AuthenticatorDevice, now: dt.datetime
) -> None:
    """One more wrong code; ``counter`` was read (and locked) before the try.

    A queryset update, so the device fields a code check may have saved on
    the same row (``last_t``, django-otp's own counter) are not overwritten.
    """
    failures = counter.throttling_failure_count + 1
    AuthenticatorDevice.objects.filter(pk=counter.pk).update(
        throttling_failure_count=failures, throttling_failure_timestamp=now
    )
    if failures == settings.TWO_FACTOR_MAX_FAILURES:
        logger.warning("2fa lock-out user=%s after %s wrong codes", user.pk, failures)
        _audit(actor=user, user=user, action="two_factor.locked_out", failures=failures)


def _reset_failures(counter: AuthenticatorDevice) -> None:
    AuthenticatorDevice.objects.filter(pk=counter.pk).update(
        throttling_failure_count=0, throttling_failure_timestamp=None
    )


def two_factor_verify(*, user: User, code: str, now: dt.datetime) -> Device:
    """Check a code from the authenticator app or an unused recovery code.

    A TOTP code is accepted once (a second use in the same 30-second step is
    refused); a recovery code is spent when used. Returns the device that
    accepted it, for ``django_otp.login``. A wrong code raises
    ``TwoFactorCodeError`` and counts towards the lock-out.
    """
    outcome = _verify(user=user, code=code, now=now)
    if isinstance(outcome, ApplicationError):
        raise outcome
    return outcome


@transaction.atomic
def _verify(*, user: User, code: str, now: dt.datetime) -> Device | ApplicationError:
    # Errors are returned, not raised, so the failure count is committed.
    counter = _throttle_holder(user=user)
    until = _locked_until(counter, now)
    if until is not None:
        return _locked_error(until, now)
    compact = code.replace(" ", "")
    accepted: Device | None = None
    if _TOTP_CODE.match(compact):
        totp = totp_device_confirmed(user=user)
        if totp is not None and totp.verify_token(compact):
            accepted = totp
    else:
        recovery = (
            StaticDevice.objects.select_for_update()
            .filter(user=user, confirmed=True)
            .first()
        )
        if recovery is not None and recovery.verify_token(_recovery_hash(code)):
            accepted = recovery
            _audit(
                actor=user,
                user=user,
                action="two_factor.recovery_code_used",
                left=recovery.token_set.count(),
            )
    if accepted is None:
        _count_failure(user=user, counter=counter, now=now)
        return TwoFactorCodeError(
            _("Deze code klopt niet of is al gebruikt."), field="code"
        )
    _reset_failures(counter)
    return accepted


@transaction.atomic
def recovery_codes_regenerate(*, user: User) -> list[str]:
    """Replace the user's recovery codes with ten new ones (shown once)."""
    StaticDevice.objects.filter(user=user).delete()
    recovery = StaticDevice.objects.create(
        user=user, name=RECOVERY_DEVICE_NAME, confirmed=True
    )
    codes = _new_recovery_codes(recovery)
    _audit(actor=user, user=user, action="two_factor.recovery_codes_renewed")
    return codes


@transaction.atomic
def two_factor_reset(*, actor: User, user: User) -> None:
    """Remove the user's authenticator and recovery codes.

    The user's sessions lose their verification at once (the device they
    named is gone); at the next page they set up a new authenticator. Used by
    a tenant administrator for a member who lost their phone and codes.
    """
    AuthenticatorDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    _audit(actor=actor, user=user, action="two_factor.reset")


@transaction.atomic
def tenant_two_factor_policy_set(
    *, actor: User, tenant: Tenant, require_for_managers: bool
) -> Tenant:
    """Turn the second factor for the tenant's leidinggevenden on or off.

    Takes effect at each manager's next page: ``TwoFactorMiddleware`` asks
    the policy on every request of a session that has not entered a code.
    """
    if tenant.require_2fa_for_managers == require_for_managers:
        return tenant
    tenant.require_2fa_for_managers = require_for_managers
    tenant.save(update_fields=["require_2fa_for_managers"])
    with tenant_scope(tenant):
        audit_event_record(
            actor=actor,
            action="tenant.require_2fa_for_managers",
            obj=tenant,
            data={"value": require_for_managers},
        )
    logger.info(
        "tenant %s require_2fa_for_managers=%s by user=%s",
        tenant.pk,
        require_for_managers,
        actor.pk,
    )
    return tenant
