"""Writes of the webhooks app: endpoints, events, deliveries and attempts.

Events are recorded in the transaction of the domain change that caused
them, with one delivery per subscribed endpoint, and sent after commit. A
rolled-back change records and sends nothing; a broker outage loses
nothing, because every delivery carries its own ``next_attempt_at`` and the
beat sweep (``deliveries_enqueue_due``, every minute) sends what is due.
That sweep is the only retry mechanism: a failed attempt moves
``next_attempt_at`` along ``BACKOFF``.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
import uuid
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import Membership, Role, Tenant, User
from accounts.services import audit_event_record
from core.enqueue import enqueue_now
from core.exceptions import ApplicationError
from integrations.webhooks import client, payloads
from integrations.webhooks.models import (
    OPEN_STATUSES,
    SUBSCRIBABLE_EVENTS,
    DeliveryStatus,
    EventType,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
)
from integrations.webhooks.selectors import endpoints_subscribed
from integrations.webhooks.signing import (
    EVENT_ID_HEADER,
    EVENT_TYPE_HEADER,
    SIGNATURE_HEADER,
    body_encode,
    secret_generate,
    signature_header,
)

logger = logging.getLogger(__name__)

# After a failed attempt the next one waits this long (times 1.0-1.2 as
# jitter, so a receiver that comes back is not hit by every retry at once).
# After the last step the delivery is given up: 7 attempts over ~35 hours.
BACKOFF = (
    dt.timedelta(minutes=1),
    dt.timedelta(minutes=5),
    dt.timedelta(minutes=30),
    dt.timedelta(hours=2),
    dt.timedelta(hours=8),
    dt.timedelta(hours=24),
)
MAX_ATTEMPTS = len(BACKOFF) + 1
JITTER = 0.2
# An attempt that was queued but never ran (a lost broker message) or that
# never finished (a worker killed mid-request) is due again after this.
ENQUEUE_LEASE = dt.timedelta(minutes=5)
# An endpoint is disabled when nothing was delivered to it for this long and
# at least this many attempts in a row failed.
DISABLE_AFTER = dt.timedelta(days=3)
DISABLE_MIN_FAILURES = 10
# After a rotation the old secret signs alongside the new one this long.
PREVIOUS_SECRET_GRACE = dt.timedelta(hours=24)
SWEEP_LIMIT = 500
# The delivery log keeps events this long once nothing about them is open.
RETENTION = dt.timedelta(days=90)
PRUNE_BATCH = 2000
OVERDUE_LOOKBACK_DAYS = 7
USER_AGENT = "Hervat-Webhooks/1"

_random = secrets.SystemRandom()


# --- endpoints ---------------------------------------------------------------


def _url_problem_message(problem: str) -> str:
    messages = {
        "scheme": _("Gebruik een https-adres.")
        if settings.WEBHOOKS_REQUIRE_HTTPS
        else _("Gebruik een http- of https-adres."),
        "host": _("Vul een volledig adres in, met de servernaam."),
        "credentials": _(
            "Zet geen gebruikersnaam of wachtwoord in het adres; de handtekening "
            "bewijst dat het bericht van Hervat komt."
        ),
        "private": _(
            "Dit adres ligt in een privé- of lokaal netwerk; Hervat verstuurt "
            "alleen naar adressen op het internet."
        ),
    }
    return messages.get(problem, _("Dit is geen geldig adres."))


def endpoint_validate(*, name: str, url: str, events: Iterable[str]) -> list[str]:
    """Check an endpoint's name, URL and events; returns the events sorted.

    The URL must be http(s) (https when ``WEBHOOKS_REQUIRE_HTTPS``), and may
    not point at a private network unless ``WEBHOOKS_ALLOW_PRIVATE_NETWORKS``.
    """
    if not name.strip():
        raise ApplicationError(_("Geef het endpoint een naam."), field="name")
    problem = client.url_problem(
        url.strip(),
        require_https=settings.WEBHOOKS_REQUIRE_HTTPS,
        allow_private=settings.WEBHOOKS_ALLOW_PRIVATE_NETWORKS,
    )
    if problem is not None:
        raise ApplicationError(_url_problem_message(problem), field="url")
    chosen = sorted(set(events))
    if not chosen:
        raise ApplicationError(_("Kies minstens één gebeurtenis."), field="events")
    if not set(chosen) <= set(SUBSCRIBABLE_EVENTS):
        raise ApplicationError(_("Onbekende gebeurtenis."), field="events")
    return chosen


@transaction.atomic
def endpoint_create(
    *,
    actor: User,
    tenant: Tenant,
    name: str,
    url: str,
    events: Iterable[str],
    is_active: bool = True,
) -> tuple[WebhookEndpoint, str]:
    """Create an endpoint with a new secret; returns it and the secret, which
    is shown to the admin this once."""
    chosen = endpoint_validate(name=name, url=url, events=events)
    secret = secret_generate()
    endpoint = WebhookEndpoint.objects.create(
        tenant=tenant,
        name=name.strip(),
        url=url.strip(),
        events=chosen,
        is_active=is_active,
        secret=secret,
        secret_created_at=timezone.now(),
    )
    audit_event_record(
        actor=actor,
        action="webhook_endpoint_create",
        obj=endpoint,
        data={"url": endpoint.url, "events": chosen},
    )
    return endpoint, secret


@transaction.atomic
def endpoint_update(
    *,
    actor: User,
    endpoint: WebhookEndpoint,
    name: str,
    url: str,
    events: Iterable[str],
    is_active: bool,
) -> WebhookEndpoint:
    """Change an endpoint's name, URL, events or whether it is active."""
    chosen = endpoint_validate(name=name, url=url, events=events)
    locked = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
    before = {"url": locked.url, "events": locked.events, "active": locked.is_active}
    locked.name = name.strip()
    locked.url = url.strip()
    locked.events = chosen
    locked.is_active = is_active
    locked.save(update_fields=["name", "url", "events", "is_active"])
    audit_event_record(
        actor=actor,
        action="webhook_endpoint_update",
        obj=locked,
        data={
            "before": before,
            "after": {"url": locked.url, "events": chosen, "active": is_active},
        },
    )
    return locked


@transaction.atomic
def endpoint_secret_rotate(*, actor: User, endpoint: WebhookEndpoint) -> str:
    """Give the endpoint a new secret; returns it (shown this once).

    The old secret keeps signing next to the new one for
    ``PREVIOUS_SECRET_GRACE``, so the receiver can switch over in that time.
    """
    locked = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
    now = timezone.now()
    secret = secret_generate()
    locked.previous_secret = locked.secret
    locked.previous_secret_expires_at = now + PREVIOUS_SECRET_GRACE
    locked.secret = secret
    locked.secret_created_at = now
    locked.save(
        update_fields=[
            "previous_secret",
            "previous_secret_expires_at",
            "secret",
            "secret_created_at",
        ]
    )
    audit_event_record(actor=actor, action="webhook_endpoint_rotate", obj=locked)
    return secret


@transaction.atomic
def endpoint_reenable(*, actor: User, endpoint: WebhookEndpoint) -> WebhookEndpoint:
    """Turn an endpoint that Hervat disabled back on.

    Deliveries that were waiting are sent at the next sweep; deliveries that
    were given up can be sent again with "Opnieuw versturen".
    """
    locked = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
    if locked.disabled_at is None:
        raise ApplicationError(_("Dit endpoint is niet uitgeschakeld."))
    locked.disabled_at = None
    locked.disabled_reason = ""
    locked.consecutive_failures = 0
    locked.failing_since = None
    locked.is_active = True
    locked.save(
        update_fields=[
            "disabled_at",
            "disabled_reason",
            "consecutive_failures",
            "failing_since",
            "is_active",
        ]
    )
    WebhookDelivery.objects.filter(endpoint=locked, status__in=OPEN_STATUSES).update(
        next_attempt_at=timezone.now()
    )
    audit_event_record(actor=actor, action="webhook_endpoint_reenable", obj=locked)
    return locked


@transaction.atomic
def endpoint_delete(*, actor: User, endpoint: WebhookEndpoint) -> None:
    """Remove an endpoint together with its delivery log."""
    audit_event_record(
        actor=actor,
        action="webhook_endpoint_delete",
        obj=endpoint,
        data={"url": endpoint.url},
    )
    endpoint.delete()


def _check_sends(endpoint: WebhookEndpoint) -> None:
    if not endpoint.is_active:
        raise ApplicationError(
            _("Dit endpoint staat niet op actief; zet het eerst aan.")
        )
    if endpoint.disabled_at is not None:
        raise ApplicationError(
            _("Dit endpoint is uitgeschakeld; schakel het eerst weer in.")
        )


@transaction.atomic
def endpoint_ping(*, actor: User, endpoint: WebhookEndpoint) -> WebhookDelivery:
    """Send a test event (``ping``) to this one endpoint."""
    _check_sends(endpoint)
    tenant = Tenant.objects.get(pk=endpoint.tenant_id)
    event = _event_create(
        tenant=tenant,
        event_type=EventType.PING,
        event_id=uuid.uuid4(),
        data={"endpoint_id": endpoint.pk},
    )
    (delivery,) = _deliveries_create(event=event, endpoints=[endpoint])
    audit_event_record(
        actor=actor,
        action="webhook_endpoint_ping",
        obj=endpoint,
        data={"event_id": str(event.event_id)},
    )
    return delivery


# --- events ------------------------------------------------------------------


def _event_create(
    *, tenant: Tenant, event_type: str, event_id: uuid.UUID, data: dict[str, Any]
) -> WebhookEvent:
    now = timezone.now()
    return WebhookEvent.objects.create(
        tenant=tenant,
        event_id=event_id,
        type=event_type,
        occurred_at=now,
        payload={
            "id": str(event_id),
            "type": event_type,
            "created_at": payloads.timestamp(now),
            "tenant": tenant.slug,
            "data": data,
        },
    )


def _deliveries_create(
    *, event: WebhookEvent, endpoints: list[WebhookEndpoint]
) -> list[WebhookDelivery]:
    deliveries = WebhookDelivery.objects.bulk_create(
        [
            WebhookDelivery(
                tenant_id=event.tenant_id,
                event=event,
                endpoint=endpoint,
                next_attempt_at=event.occurred_at + ENQUEUE_LEASE,
            )
            for endpoint in endpoints
        ]
    )
    _enqueue_on_commit(
        tenant_id=event.tenant_id,
        attempts=[(d.pk, d.attempt_count) for d in deliveries if d.endpoint.sends],
    )
    return deliveries


def _enqueue_on_commit(*, tenant_id: int, attempts: list[tuple[int, int]]) -> None:
    """After commit, queue one attempt per (delivery id, attempt token)."""
    if not attempts or not settings.WEBHOOKS_ENABLED:
        return
    from integrations.webhooks.tasks import delivery_attempt_task

    def enqueue() -> None:
        # Broker down: the sweep sends them when due.
        for delivery_id, token in attempts:
            if not enqueue_now(delivery_attempt_task, delivery_id, tenant_id, token):
                return

    transaction.on_commit(enqueue)


def event_record(
    *,
    tenant: Tenant,
    event_type: str,
    data: Callable[[], dict[str, Any]],
    key: str,
    endpoints: list[WebhookEndpoint] | None = None,
) -> WebhookEvent | None:
    """Record an event for every active endpoint subscribed to its type.

    Runs in the caller's transaction. ``key`` names the domain fact (e.g.
    ``case.created:123``) and gives the event its id, so recording the same
    fact twice records one event with one delivery per endpoint. ``data``
    builds the payload's data (``integrations.webhooks.payloads``) and is
    only called when some endpoint wants the event. Returns the new event, or
    None when nobody subscribes or it was recorded before.
    """
    if endpoints is None:
        endpoints = endpoints_subscribed(tenant_id=tenant.pk, event_type=event_type)
    if not endpoints:
        return None
    event_id = payloads.event_id_for(key)
    if WebhookEvent.objects.filter(event_id=event_id).exists():
        return None
    with transaction.atomic():
        try:
            with transaction.atomic():
                event = _event_create(
                    tenant=tenant,
                    event_type=event_type,
                    event_id=event_id,
                    data=data(),
                )
        except IntegrityError:  # a concurrent duplicate recorded it first
            return None
        _deliveries_create(event=event, endpoints=endpoints)
    return event


def task_overdue_events_record(*, tenant: Tenant, today: dt.date) -> int:
    """Record ``task.overdue`` once for each open task past its due date.

    Looks back ``OVERDUE_LOOKBACK_DAYS`` (and not before the oldest
    subscribed endpoint existed), so a sweep that did not run for a few days
    catches up, and a new endpoint is not flooded with old tasks. Returns
    the number of events recorded.
    """
    from poortwachter.models import Task, TaskStatus

    endpoints = endpoints_subscribed(
        tenant_id=tenant.pk, event_type=EventType.TASK_OVERDUE
    )
    if not endpoints:
        return 0
    since = max(
        today - dt.timedelta(days=OVERDUE_LOOKBACK_DAYS),
        min(timezone.localdate(e.created_at) for e in endpoints),
    )
    candidates = {
        payloads.event_id_for(f"{EventType.TASK_OVERDUE}:{pk}"): pk
        for pk in Task.objects.filter(
            status=TaskStatus.OPEN, due_date__lt=today, due_date__gte=since
        ).values_list("pk", flat=True)
    }
    known = set(
        WebhookEvent.objects.filter(event_id__in=list(candidates)).values_list(
            "event_id", flat=True
        )
    )
    missing = [pk for event_id, pk in candidates.items() if event_id not in known]
    recorded = 0
    for task in Task.objects.filter(pk__in=missing).select_related("case__employee"):
        if event_record(
            tenant=tenant,
            event_type=EventType.TASK_OVERDUE,
            key=f"{EventType.TASK_OVERDUE}:{task.pk}",
            data=lambda task=task: payloads.task_data(task),
            endpoints=endpoints,
        ):
            recorded += 1
    return recorded


# --- deliveries --------------------------------------------------------------


def backoff_delay(attempt: int) -> dt.timedelta:
    """How long to wait after failed attempt number ``attempt`` (1-based)."""
    step = BACKOFF[min(max(attempt, 1), len(BACKOFF)) - 1]
    return step * (1 + _random.uniform(0, JITTER))


def deliveries_enqueue_due(
    *, tenant: Tenant, now: dt.datetime | None = None, limit: int = SWEEP_LIMIT
) -> list[tuple[int, int]]:
    """Queue the deliveries of ``tenant`` whose next attempt is due.

    Each queued delivery's ``next_attempt_at`` moves ``ENQUEUE_LEASE`` ahead,
    so the next sweep does not queue it again while it waits for a worker.
    Returns the (delivery id, attempt token) pairs queued after commit.
    """
    if not settings.WEBHOOKS_ENABLED:
        return []
    now = now or timezone.now()
    with transaction.atomic():
        due = list(
            WebhookDelivery.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(
                tenant_id=tenant.pk,
                status__in=OPEN_STATUSES,
                next_attempt_at__lte=now,
                endpoint__is_active=True,
                endpoint__disabled_at__isnull=True,
            )
            .order_by("next_attempt_at", "pk")
            .values_list("pk", "attempt_count")[:limit]
        )
        if due:
            WebhookDelivery.objects.filter(pk__in=[pk for pk, _n in due]).update(
                next_attempt_at=now + ENQUEUE_LEASE
            )
            _enqueue_on_commit(tenant_id=tenant.pk, attempts=due)
    return due


def _request_for(
    delivery: WebhookDelivery, *, now: dt.datetime
) -> client.WebhookRequest:
    endpoint, event = delivery.endpoint, delivery.event
    body = body_encode(event.payload)
    keys = [endpoint.secret]
    if (
        endpoint.previous_secret
        and endpoint.previous_secret_expires_at is not None
        and endpoint.previous_secret_expires_at > now
    ):
        keys.append(endpoint.previous_secret)
    return client.WebhookRequest(
        url=endpoint.url,
        body=body,
        headers={
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": USER_AGENT,
            EVENT_ID_HEADER: str(event.event_id),
            EVENT_TYPE_HEADER: event.type,
            "Hervat-Delivery-Attempt": str(delivery.attempt_count),
            SIGNATURE_HEADER: signature_header(
                secrets_=keys, timestamp=int(now.timestamp()), body=body
            ),
        },
        timeout=settings.WEBHOOKS_TIMEOUT_SECONDS,
        allow_private=settings.WEBHOOKS_ALLOW_PRIVATE_NETWORKS,
        require_https=settings.WEBHOOKS_REQUIRE_HTTPS,
    )


def delivery_attempt(*, delivery_id: int, token: int) -> str:
    """Make the attempt the token stands for: claim, POST, record.

    ``token`` is the ``attempt_count`` the attempt was queued with; a stale
    or duplicate message (the delivery moved on since) does nothing. The
    claim is committed before the request, so no transaction stays open
    during the HTTP call, and a worker that dies mid-request leaves the
    delivery due again after ``ENQUEUE_LEASE``. Returns what happened:
    ``delivered``, ``failed``, ``gave_up`` or ``skipped``.
    """
    if not settings.WEBHOOKS_ENABLED:
        return "skipped"
    now = timezone.now()
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update(of=("self",))
            .select_related("endpoint", "event")
            .filter(pk=delivery_id)
            .first()
        )
        if (
            delivery is None
            or delivery.status not in OPEN_STATUSES
            or delivery.attempt_count != token
            or not delivery.endpoint.sends
        ):
            return "skipped"
        delivery.attempt_count += 1
        delivery.cycle_attempts += 1
        delivery.last_attempt_at = now
        delivery.next_attempt_at = now + ENQUEUE_LEASE
        delivery.save(
            update_fields=[
                "attempt_count",
                "cycle_attempts",
                "last_attempt_at",
                "next_attempt_at",
            ]
        )
    response = client.post(_request_for(delivery, now=now))
    return _attempt_record(delivery=delivery, response=response, started_at=now)


def _attempt_record(
    *,
    delivery: WebhookDelivery,
    response: client.WebhookResponse,
    started_at: dt.datetime,
) -> str:
    now = timezone.now()
    number = delivery.attempt_count
    with transaction.atomic():
        locked = WebhookDelivery.objects.select_for_update().get(pk=delivery.pk)
        endpoint = WebhookEndpoint.objects.select_for_update().get(
            pk=delivery.endpoint_id
        )
        WebhookAttempt.objects.create(
            tenant_id=locked.tenant_id,
            delivery=locked,
            number=number,
            started_at=started_at,
            status_code=response.status_code,
            error=response.error,
            response_excerpt=response.excerpt,
            duration_ms=response.duration_ms,
            manual=delivery.cycle_attempts == 1 and number > 1,
        )
        if response.ok:
            outcome = DeliveryStatus.DELIVERED
            endpoint.consecutive_failures = 0
            endpoint.failing_since = None
            endpoint.last_success_at = now
        else:
            outcome = (
                DeliveryStatus.GAVE_UP
                if locked.cycle_attempts >= MAX_ATTEMPTS
                else DeliveryStatus.FAILED
            )
            endpoint.consecutive_failures += 1
            endpoint.failing_since = endpoint.failing_since or started_at
            if (
                endpoint.disabled_at is None
                and endpoint.consecutive_failures >= DISABLE_MIN_FAILURES
                and now - endpoint.failing_since >= DISABLE_AFTER
            ):
                _endpoint_disable(endpoint=endpoint, response=response, now=now)
        endpoint.save(
            update_fields=[
                "consecutive_failures",
                "failing_since",
                "last_success_at",
                "disabled_at",
                "disabled_reason",
            ]
        )
        # A newer attempt (after a replay) owns the delivery's state.
        if locked.attempt_count == number:
            locked.status = outcome
            locked.last_status_code = response.status_code
            locked.last_error = response.error
            locked.response_excerpt = response.excerpt
            locked.duration_ms = response.duration_ms
            if outcome == DeliveryStatus.DELIVERED:
                locked.delivered_at = now
                locked.next_attempt_at = None
            elif outcome == DeliveryStatus.GAVE_UP:
                locked.next_attempt_at = None
            else:
                locked.next_attempt_at = now + backoff_delay(locked.cycle_attempts)
            locked.save(
                update_fields=[
                    "status",
                    "last_status_code",
                    "last_error",
                    "response_excerpt",
                    "duration_ms",
                    "delivered_at",
                    "next_attempt_at",
                ]
            )
    logger.info(
        "webhook delivery %s attempt %s: %s",
        delivery.pk,
        number,
        outcome,
        extra={
            "tenant_id": delivery.tenant_id,
            "delivery_id": delivery.pk,
            "attempt": number,
            "status_code": response.status_code,
            "outcome": outcome,
        },
    )
    return str(outcome)


def failure_summary(*, status_code: int | None, error: str) -> str:
    """What went wrong, short: ``HTTP 500`` or the client's error code."""
    return f"HTTP {status_code}" if status_code is not None else error


def _endpoint_disable(
    *, endpoint: WebhookEndpoint, response: client.WebhookResponse, now: dt.datetime
) -> None:
    endpoint.disabled_at = now
    endpoint.disabled_reason = failure_summary(
        status_code=response.status_code, error=response.error
    )[:300]
    audit_event_record(
        actor=None,
        action="webhook_endpoint_disable",
        obj=endpoint,
        data={
            "failures": endpoint.consecutive_failures,
            "failing_since": endpoint.failing_since.isoformat()
            if endpoint.failing_since
            else None,
        },
    )
    endpoint_id, tenant_id = endpoint.pk, endpoint.tenant_id
    transaction.on_commit(
        lambda: _disabled_notice_send(endpoint_id=endpoint_id, tenant_id=tenant_id)
    )


def _disabled_notice_send(*, endpoint_id: int, tenant_id: int) -> None:
    """Mail the tenant's admins that an endpoint was disabled (after commit;
    the admin shows the same notice, so a refused mail loses nothing)."""
    endpoint = WebhookEndpoint.objects.get(pk=endpoint_id)
    tenant = Tenant.objects.get(pk=tenant_id)
    admins = (
        Membership.objects.filter(
            tenant_id=tenant_id,
            role=Role.TENANT_ADMIN,
            is_active=True,
            user__is_active=True,
        )
        .select_related("user")
        .order_by("user__email")
    )
    for membership in admins:
        user = membership.user
        with translation.override(user.preferred_language):
            subject = _("Hervat: webhook-endpoint “%(name)s” is uitgeschakeld") % {
                "name": endpoint.name
            }
            body = render_to_string(
                "webhooks/email/endpoint_disabled.txt",
                {
                    "user": user,
                    "endpoint": endpoint,
                    "tenant": tenant,
                    "admin_url": f"{settings.SITE_URL}/t/{tenant.slug}/beheer/",
                    "days": DISABLE_AFTER.days,
                },
            )
        try:
            send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])
        except Exception:  # the banner in the admin still tells them
            logger.warning(
                "could not mail the webhook disable notice",
                extra={"tenant_id": tenant_id, "endpoint_id": endpoint_id},
                exc_info=True,
            )


@transaction.atomic
def deliveries_replay(*, actor: User, deliveries: Iterable[WebhookDelivery]) -> int:
    """Send deliveries again ("Opnieuw versturen"): the same event id and
    body, a fresh timestamp and signature, and a fresh retry schedule.

    Refused as a whole when one of them belongs to an endpoint that does not
    send now. Returns the number queued.
    """
    ids = [delivery.pk for delivery in deliveries]
    locked = list(
        WebhookDelivery.objects.select_for_update(of=("self",))
        .select_related("endpoint")
        .filter(pk__in=ids)
        .order_by("pk")
    )
    for delivery in locked:
        _check_sends(delivery.endpoint)
    now = timezone.now()
    attempts = []
    for delivery in locked:
        delivery.status = DeliveryStatus.PENDING
        delivery.cycle_attempts = 0
        delivery.next_attempt_at = now + ENQUEUE_LEASE
        delivery.save(update_fields=["status", "cycle_attempts", "next_attempt_at"])
        audit_event_record(
            actor=actor,
            action="webhook_delivery_replay",
            obj=delivery,
            data={"event": delivery.event_id, "endpoint": delivery.endpoint_id},
        )
        attempts.append((delivery.pk, delivery.attempt_count))
    if locked:
        _enqueue_on_commit(tenant_id=locked[0].tenant_id, attempts=attempts)
    return len(locked)


def events_prune(*, tenant: Tenant, now: dt.datetime | None = None) -> int:
    """Delete events older than ``RETENTION`` whose deliveries are all
    delivered or given up, with their deliveries and attempts; at most
    ``PRUNE_BATCH`` per run. Returns the number of events deleted."""
    cutoff = (now or timezone.now()) - RETENTION
    ids = list(
        WebhookEvent.objects.filter(tenant_id=tenant.pk, occurred_at__lt=cutoff)
        .exclude(deliveries__status__in=OPEN_STATUSES)
        .order_by("occurred_at")
        .values_list("pk", flat=True)[:PRUNE_BATCH]
    )
    if ids:
        WebhookEvent.objects.filter(pk__in=ids).delete()
    return len(ids)
