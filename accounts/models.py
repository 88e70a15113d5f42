"""Users, tenants, memberships, and the base class of every tenant-owned row."""

from __future__ import annotations

import time
from base64 import b32encode
from binascii import unhexlify
from typing import Any, ClassVar
from urllib.parse import quote, urlencode

from django.conf import settings
from django.contrib.auth.models import (
    AbstractBaseUser,
    BaseUserManager,
    PermissionsMixin,
)
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_otp.models import Device, ThrottlingMixin, TimestampMixin
from django_otp.oath import TOTP
from django_otp.util import random_hex
from django_scopes import ScopedManager

from core.fields import EncryptedTextField


class Language(models.TextChoices):
    NL = "nl", _("Nederlands")
    EN = "en", _("Engels")


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(
        self, email: str, password: str | None = None, **extra: Any
    ) -> User:
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str, **extra: Any) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who logs in with an e-mail address.

    A user is not tenant-owned: a freelance bedrijfsarts may hold memberships
    in several tenants. What a user may see is decided per tenant by their
    ``Membership``; ``is_staff`` only grants the platform admin.
    """

    email = models.EmailField(_("e-mailadres"), unique=True)
    full_name = models.CharField(_("naam"), max_length=200, blank=True)
    preferred_language = models.CharField(
        _("voorkeurstaal"), max_length=2, choices=Language, default=Language.NL
    )
    is_active = models.BooleanField(_("actief"), default=True)
    is_staff = models.BooleanField(
        _("platformbeheerder"),
        default=False,
        help_text=_("Mag inloggen op het platformbeheer (alle organisaties)."),
    )
    date_joined = models.DateTimeField(_("aangemaakt op"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        verbose_name = _("gebruiker")
        verbose_name_plural = _("gebruikers")
        ordering = ["email"]

    def __str__(self) -> str:
        return self.full_name or self.email

    def get_full_name(self) -> str:
        return self.full_name or self.email

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email


class Tenant(models.Model):
    """The organisation that runs absence management (arbodienst or employer)."""

    name = models.CharField(_("naam"), max_length=200)
    slug = models.SlugField(_("code in de URL"), unique=True)
    is_active = models.BooleanField(_("actief"), default=True)
    require_2fa_for_managers = models.BooleanField(
        _("tweestapsverificatie voor leidinggevenden"),
        default=False,
        help_text=_(
            "Leidinggevenden moeten bij het inloggen ook een code uit hun "
            "authenticator-app invoeren. Voor bedrijfsarts, casemanager, "
            "regiehouder, HR en beheerder is dat altijd verplicht."
        ),
    )
    created_at = models.DateTimeField(_("aangemaakt op"), auto_now_add=True)

    class Meta:
        verbose_name = _("organisatie")
        verbose_name_plural = _("organisaties")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def tenant_id(self) -> int | None:
        """A tenant owns itself: audit events about its settings land in its
        own trail (``accounts.services.audit_event_record``)."""
        return self.pk


class TenantOwned(models.Model):
    """Base of every tenant-owned model.

    Each row carries its own ``tenant`` (even where a parent has it too), and
    the default manager refuses to query unless a tenant scope is active
    (``accounts.scoping``). Outside a scope only ``.none()`` works.
    """

    # No index of its own: a handful of tenants make it useless for lookups,
    # and it tempted the planner into scanning whole tenants. Indexes that
    # need the tenant lead with it (see each model's Meta).
    tenant = models.ForeignKey(
        Tenant,
        on_delete=models.PROTECT,
        editable=False,
        related_name="+",
        verbose_name=_("organisatie"),
        db_index=False,
    )

    objects = ScopedManager(tenant="tenant")

    class Meta:
        abstract = True


class Role(models.TextChoices):
    """The roles of DESIGN.md §1; the role gives the default access."""

    WERKNEMER = "werknemer", _("Werknemer")
    LEIDINGGEVENDE = "leidinggevende", _("Leidinggevende")
    HR = "hr", _("HR-adviseur")
    REGIEHOUDER = "regiehouder", _("Regiehouder")
    CASEMANAGER = "casemanager", _("Casemanager")
    BEDRIJFSARTS = "bedrijfsarts", _("Bedrijfsarts")
    TENANT_ADMIN = "tenant_admin", _("Beheerder")
    # An HR or payroll system that uses the REST API with an API key; its
    # membership is made and ended with the key (``integrations.services``).
    KOPPELING = "koppeling", _("Koppeling (API-sleutel)")


# Roles whose view of cases is bounded by the employers on their membership.
EMPLOYER_SCOPED_ROLES = frozenset({Role.HR, Role.REGIEHOUDER, Role.CASEMANAGER})


class Membership(TenantOwned):
    """A user's role in one tenant, with the employers it covers."""

    user = models.ForeignKey(
        User,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("gebruiker"),
    )
    role = models.CharField(_("rol"), max_length=20, choices=Role)
    employers = models.ManyToManyField(
        "cases.Employer",
        blank=True,
        related_name="memberships",
        verbose_name=_("werkgevers"),
        help_text=_(
            "HR ziet één werkgever; regiehouder en casemanager de werkgevers "
            "die hier zijn toegewezen."
        ),
    )
    taakdelegatie = models.BooleanField(
        _("taakdelegatie"),
        default=False,
        help_text=_(
            "Alleen voor casemanagers die medische taken uitvoeren onder "
            "verantwoordelijkheid van de bedrijfsarts."
        ),
    )
    all_employers = models.BooleanField(
        _("alle werkgevers"),
        default=False,
        help_text=_(
            "Alleen voor koppelingen: alle werkgevers van de organisatie, ook "
            "werkgevers die later worden toegevoegd."
        ),
    )
    privacy_officer = models.BooleanField(
        _("privacyfunctionaris"),
        default=False,
        help_text=_(
            "Alleen voor beheerders: mag het inzagelog van medische gegevens "
            "en de audittrail van dossiers doorzoeken en exporteren."
        ),
    )
    is_active = models.BooleanField(_("actief"), default=True)
    created_at = models.DateTimeField(_("aangemaakt op"), auto_now_add=True)

    class Meta:
        verbose_name = _("lidmaatschap")
        verbose_name_plural = _("lidmaatschappen")
        ordering = ["user__email"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "user"], name="membership_one_per_tenant"
            ),
            models.CheckConstraint(
                condition=Q(taakdelegatie=False) | Q(role=Role.CASEMANAGER),
                name="membership_taakdelegatie_only_casemanager",
                violation_error_message=_(
                    "Taakdelegatie is alleen mogelijk voor een casemanager."
                ),
            ),
            models.CheckConstraint(
                condition=Q(all_employers=False) | Q(role=Role.KOPPELING),
                name="membership_all_employers_only_koppeling",
            ),
            models.CheckConstraint(
                condition=Q(privacy_officer=False) | Q(role=Role.TENANT_ADMIN),
                name="membership_privacy_officer_only_tenant_admin",
                violation_error_message=_(
                    "Alleen een beheerder kan privacyfunctionaris zijn."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()})"

    @property
    def may_see_medical(self) -> bool:
        """The bedrijfsarts, or a casemanager working in taakdelegatie."""
        return self.role == Role.BEDRIJFSARTS or (
            self.role == Role.CASEMANAGER and self.taakdelegatie
        )


class AuditEvent(TenantOwned):
    """One change made through a service: who, what, when, and for changes
    of case data the fields before and after (``data["changes"]``, masked by
    ``accounts.audit``).

    ``data`` holds non-medical facts only; medical fields are never copied in.
    ``case_id`` is the verzuimdossier the change belongs to (the case itself
    or the case of a contact note, task, document…), so the trail of one case
    is one indexed query. A plain number, not a foreign key: the trail
    outlives what it describes.
    """

    actor = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    action = models.CharField(max_length=64)
    object_type = models.CharField(max_length=64)
    object_id = models.BigIntegerField()
    data = models.JSONField(default=dict, blank=True)
    case_id = models.BigIntegerField(_("verzuimdossier"), null=True, blank=True)
    occurred_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("auditgebeurtenis")
        verbose_name_plural = _("auditgebeurtenissen")
        indexes = [
            models.Index(fields=["tenant", "object_type", "object_id"]),
            models.Index(
                fields=["tenant", "case_id", "occurred_at"],
                condition=Q(case_id__isnull=False),
                name="auditevent_case_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.action} {self.object_type}#{self.object_id}"


def _new_totp_key() -> str:
    """A fresh 20-byte TOTP secret, hex-encoded (as django-otp makes them)."""
    return random_hex(20)


class AuthenticatorDevice(TimestampMixin, ThrottlingMixin, Device):
    """An authenticator app (TOTP, RFC 6238) registered to a user.

    It is django-otp's ``TOTPDevice`` with one difference: the shared secret
    is encrypted at rest (``EncryptedTextField``, the key from the
    environment, rotated by ``encryption_rotate``), so a copy of the
    database does not give anyone the second factor of every user. The
    verification below follows ``TOTPDevice.verify_token``: a code is valid
    within ``tolerance`` steps, never twice (``last_t``), and the drift of
    the user's clock is learnt.
    """

    key = EncryptedTextField(_("geheim"), default=_new_totp_key)
    step = models.PositiveSmallIntegerField(default=30)
    t0 = models.BigIntegerField(default=0)
    digits = models.PositiveSmallIntegerField(default=6)
    tolerance = models.PositiveSmallIntegerField(default=1)
    drift = models.SmallIntegerField(default=0)
    last_t = models.BigIntegerField(default=-1)

    class Meta(Device.Meta):
        verbose_name = _("authenticator-app")
        verbose_name_plural = _("authenticator-apps")

    @property
    def bin_key(self) -> bytes:
        return unhexlify(self.key.encode())

    def get_throttle_factor(self) -> int:
        return settings.OTP_TOTP_THROTTLE_FACTOR

    def verify_token(self, token: Any) -> bool:
        allowed, _details = self.verify_is_allowed()
        if not allowed:
            return False
        try:
            value = int(token)
        except (TypeError, ValueError):
            verified = False
        else:
            totp = TOTP(self.bin_key, self.step, self.t0, self.digits, self.drift)
            totp.time = time.time()
            verified = totp.verify(value, self.tolerance, self.last_t + 1)
            if verified:
                self.last_t = totp.t()
                self.drift = totp.drift
                self.throttle_reset(commit=False)
                self.set_last_used_timestamp(commit=False)
                self.save()
        if not verified:
            self.throttle_increment(commit=True)
        return verified

    @property
    def config_url(self) -> str:
        """The ``otpauth://`` address an authenticator app reads from a QR
        code (Key Uri Format), with ``OTP_TOTP_ISSUER`` as the issuer."""
        issuer = settings.OTP_TOTP_ISSUER.replace(":", "")
        label = self.user.get_username()
        query = urlencode(
            {
                "secret": b32encode(self.bin_key),
                "algorithm": "SHA1",
                "digits": self.digits,
                "period": self.step,
            }
        )
        if issuer:
            label = f"{issuer}:{label}"
            query += f"&issuer={quote(issuer)}"
        return f"otpauth://totp/{quote(label)}?{query}"
