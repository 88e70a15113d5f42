"""Signed, expiring, single-purpose links for employees without an account.

The token carries the tenant id and the invitation's public id, signed with
the project's secret and a salt used for nothing else. It is checked before
any database lookup, and it opens exactly one invitation of one tenant.
"""

from __future__ import annotations

from django.core import signing
from django.utils import timezone

from accounts.models import Tenant
from triage.models import Invitation, InvitationStatus

SALT = "hervat.triage.invitation"


class LinkRefused(Exception):
    """The link cannot be used; ``reason`` is tampered, unknown, expired,
    revoked or completed (the page says what to do for each). ``language``
    is the invitation's when it is known, so the refusal speaks it."""

    def __init__(self, reason: str, language: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.language = language


def invitation_token(invitation: Invitation) -> str:
    return signing.dumps(
        {"t": invitation.tenant_id, "i": str(invitation.public_id)}, salt=SALT
    )


def invitation_url(invitation: Invitation) -> str:
    """The absolute address of the questionnaire, for the e-mail."""
    from django.conf import settings
    from django.urls import reverse

    path = reverse(
        "triage_public:start", kwargs={"token": invitation_token(invitation)}
    )
    return f"{settings.SITE_URL}{path}"


def invitation_tenant(token: str) -> tuple[Tenant, str]:
    """The tenant and invitation id a token names; ``LinkRefused`` when the
    signature does not hold or the tenant is gone."""
    try:
        payload = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        raise LinkRefused("tampered") from None
    tenant = Tenant.objects.filter(pk=payload.get("t"), is_active=True).first()
    if tenant is None:
        raise LinkRefused("unknown")
    return tenant, str(payload.get("i"))


def invitation_open(public_id: str) -> Invitation:
    """The invitation behind a verified token, inside its tenant's scope;
    refused when it expired, was revoked or was already completed."""
    invitation = (
        Invitation.objects.select_related("version", "case__employee")
        .filter(public_id=public_id)
        .first()
    )
    if invitation is None:
        raise LinkRefused("unknown")
    if invitation.status == InvitationStatus.REVOKED:
        raise LinkRefused("revoked", invitation.language)
    if invitation.status == InvitationStatus.COMPLETED:
        raise LinkRefused("completed", invitation.language)
    if invitation.expires_at <= timezone.now():
        raise LinkRefused("expired", invitation.language)
    return invitation
