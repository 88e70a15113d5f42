"""Writes of the integrations app: API keys and idempotent request records."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Membership, Role, Tenant, User
from accounts.services import audit_event_record
from cases.models import Employer
from core.exceptions import ApplicationError
from integrations.models import (
    ApiKey,
    ApiKeyScope,
    IdempotencyRecord,
    IdempotencyState,
)

# A key reads "hvk_<prefix>_<secret>": the prefix finds the row, the secret
# is compared with its hash. The fixed start lets secret scanners find keys
# pasted where they do not belong.
KEY_START = "hvk_"
_PREFIX_BYTES = 6
_SECRET_BYTES = 30

# How long the first answer to an Idempotency-Key is kept.
IDEMPOTENCY_TTL = dt.timedelta(hours=24)


def secret_hash(secret: str) -> str:
    """The stored form of a key's secret. The secret is 240 random bits, so a
    fast hash is safe here (no password stretching needed)."""
    return hashlib.sha256(secret.encode()).hexdigest()


def api_key_create(
    *,
    actor: User,
    tenant: Tenant,
    name: str,
    scope: str = ApiKeyScope.READ,
    employers: Iterable[Employer] = (),
    all_employers: bool = False,
    rate_limit_per_minute: int = 120,
) -> tuple[ApiKey, str]:
    """Make a key and its koppeling membership; returns the key and the full
    secret, which is never stored and cannot be shown again.

    A key covers the given employers or, with ``all_employers``, every
    employer of the tenant, also ones added later.
    """
    name = name.strip()
    employers = list(employers)
    if not name:
        raise ApplicationError(_("Geef de sleutel een naam."), field="name")
    if scope not in ApiKeyScope.values:
        raise ApplicationError(_("Kies lezen of lezen en schrijven."), field="scope")
    if all_employers == bool(employers):
        raise ApplicationError(
            _("Kies 'alle werkgevers' of een of meer werkgevers, niet allebei."),
            field="employers",
        )
    if not 1 <= rate_limit_per_minute <= 6000:
        raise ApplicationError(
            _("Kies tussen 1 en 6000 verzoeken per minuut."),
            field="rate_limit_per_minute",
        )
    prefix = secrets.token_hex(_PREFIX_BYTES)
    secret = secrets.token_urlsafe(_SECRET_BYTES)
    with transaction.atomic():
        service_user = User.objects.create_user(
            f"api-{prefix}@keys.hervat.invalid", full_name=f"API: {name}"
        )
        membership = Membership.objects.create(
            tenant=tenant,
            user=service_user,
            role=Role.KOPPELING,
            all_employers=all_employers,
        )
        membership.employers.set(employers)
        key = ApiKey.objects.create(
            tenant=tenant,
            name=name,
            prefix=prefix,
            secret_sha256=secret_hash(secret),
            membership=membership,
            scope=scope,
            rate_limit_per_minute=rate_limit_per_minute,
            created_by=actor,
        )
        audit_event_record(
            actor=actor,
            action="api_key_create",
            obj=key,
            data={
                "name": name,
                "scope": scope,
                "all_employers": all_employers,
                "employers": [e.pk for e in employers],
            },
        )
    return key, f"{KEY_START}{prefix}_{secret}"


def api_key_revoke(*, actor: User, key: ApiKey) -> ApiKey:
    """Stop ``key`` working from the next request on; revoking twice is fine."""
    with transaction.atomic():
        locked = ApiKey.objects.select_for_update().get(pk=key.pk)
        if locked.revoked_at is None:
            locked.revoked_at = timezone.now()
            locked.save(update_fields=["revoked_at"])
            Membership.objects.filter(pk=locked.membership_id).update(is_active=False)
            audit_event_record(actor=actor, action="api_key_revoke", obj=locked)
    return locked


def api_key_touch(*, key: ApiKey, now: dt.datetime) -> None:
    """Note that ``key`` was used; written at most once a minute per key."""
    if key.last_used_at is None or now - key.last_used_at > dt.timedelta(minutes=1):
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)


class IdempotencyConflictError(ApplicationError):
    """The same Idempotency-Key is still being worked on."""


class IdempotencyMismatchError(ApplicationError):
    """The Idempotency-Key was used before for another request."""


def idempotency_begin(
    *, tenant: Tenant, user: User, key: str, fingerprint: str
) -> IdempotencyRecord | None:
    """Claim ``key`` for this request, or find the answer already given.

    Returns None when the request is new and must be carried out, or the
    finished record whose answer must be repeated. Raises when the key is in
    use by a request still running, or was used for another request.
    The claim is committed at once (its own transaction), so a second
    request with the same key, even one arriving at the same moment, sees it.
    """
    if not key or len(key) > 255:
        raise ApplicationError(
            _("De Idempotency-Key moet 1 tot 255 tekens lang zijn."),
            field="Idempotency-Key",
        )
    expired = timezone.now() - IDEMPOTENCY_TTL
    try:
        with transaction.atomic():
            IdempotencyRecord.objects.filter(
                user=user, key=key, created_at__lt=expired
            ).delete()
            IdempotencyRecord.objects.create(
                tenant=tenant, user=user, key=key, fingerprint=fingerprint
            )
        return None
    except IntegrityError:
        pass
    record = IdempotencyRecord.objects.filter(user=user, key=key).first()
    if record is None:  # the other request failed and let go of the key
        return idempotency_begin(
            tenant=tenant, user=user, key=key, fingerprint=fingerprint
        )
    if record.fingerprint != fingerprint:
        raise IdempotencyMismatchError(
            _(
                "Deze Idempotency-Key is al gebruikt voor een ander verzoek; "
                "gebruik voor elk nieuw verzoek een nieuwe sleutel."
            ),
            field="Idempotency-Key",
        )
    if record.state != IdempotencyState.DONE:
        raise IdempotencyConflictError(
            _(
                "Een verzoek met deze Idempotency-Key wordt nog verwerkt; "
                "probeer het zo opnieuw."
            ),
            field="Idempotency-Key",
        )
    return record


def idempotency_finish(
    *,
    user: User,
    key: str,
    status: int,
    headers: dict[str, str],
    body: bytes,
) -> None:
    """Keep the answer to the request that claimed ``key``."""
    IdempotencyRecord.objects.filter(user=user, key=key).update(
        state=IdempotencyState.DONE,
        response_status=status,
        response_headers=headers,
        response_body=body,
    )


def idempotency_release(*, user: User, key: str) -> None:
    """Let go of ``key`` after a failure on our side, so a retry runs anew."""
    IdempotencyRecord.objects.filter(
        user=user, key=key, state=IdempotencyState.RUNNING
    ).delete()


def idempotency_records_purge(*, now: dt.datetime) -> int:
    """Delete answers older than the retention; returns how many."""
    deleted, _detail = IdempotencyRecord.objects.filter(
        created_at__lt=now - IDEMPOTENCY_TTL
    ).delete()
    return deleted


def idempotency_fingerprint(*, method: str, path: str, body: bytes) -> str:
    digest = hashlib.sha256()
    for part in (method.encode(), path.encode(), body):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()
