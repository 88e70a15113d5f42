"""The API's front door: credentials, tenant scope and Idempotency-Key.

Requests under ``/api/v1/`` (except the schema and its docs) carry either an
API key (``Authorization: Bearer hvk_…``), which names its own tenant, or a
portal session, whose tenant is the ``Hervat-Tenant`` header (the tenant's
code) or the user's only organisation. The request then runs inside that
tenant's scope, like a portal page under ``/t/<tenant>/``. Errors here are
problem+json answers, like every API error.
"""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.access import membership_for
from accounts.models import Tenant
from accounts.scoping import tenant_scope
from accounts.selectors import memberships_of_user
from core.exceptions import ApplicationError
from core.problems import problem_response
from integrations.selectors import api_key_for_secret
from integrations.services import (
    IdempotencyConflictError,
    IdempotencyMismatchError,
    api_key_touch,
    idempotency_begin,
    idempotency_fingerprint,
    idempotency_finish,
    idempotency_release,
)

API_PREFIX = "/api/v1/"
PUBLIC_PREFIXES = ("/api/v1/schema/", "/api/v1/docs/")
TENANT_HEADER = "Hervat-Tenant"
IDEMPOTENCY_HEADER = "Idempotency-Key"
# Headers of a first answer that a replay repeats.
_REPLAYED_HEADERS = ("Content-Type", "Location")


def _unauthenticated(detail: str) -> HttpResponse:
    return problem_response(
        "not-authenticated",
        401,
        detail,
        headers={"WWW-Authenticate": 'Bearer realm="api"'},
    )


class ApiMiddleware:
    """Resolve who is calling and for which tenant; run the call in its scope."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        path = request.path_info
        if not path.startswith(API_PREFIX) or path.startswith(PUBLIC_PREFIXES):
            return self.get_response(request)
        request.api_key = None
        authorization = request.headers.get("Authorization", "")
        if authorization:
            scheme, _sep, raw = authorization.partition(" ")
            key = (
                api_key_for_secret(raw.strip()) if scheme.lower() == "bearer" else None
            )
            if key is None:
                return _unauthenticated(_("De API-sleutel is onbekend of ingetrokken."))
            request.api_key = key
            request.user = key.membership.user
            tenant = key.tenant
        elif request.user.is_authenticated:
            tenant_or_error = self._session_tenant(request)
            if isinstance(tenant_or_error, HttpResponse):
                return tenant_or_error
            tenant = tenant_or_error
        else:
            return _unauthenticated(
                _("Stuur een API-sleutel mee: Authorization: Bearer <sleutel>.")
            )
        with tenant_scope(tenant):
            membership = membership_for(request.user)
            if membership is None:
                return problem_response("not-found", 404, _("Niet gevonden."))
            request.tenant = tenant
            request.membership = membership
            if request.api_key is not None:
                api_key_touch(key=request.api_key, now=timezone.now())
            return self._idempotent(request)

    def _session_tenant(self, request: HttpRequest) -> Tenant | HttpResponse:
        memberships = memberships_of_user(user=request.user)
        slug = request.headers.get(TENANT_HEADER, "").strip()
        if slug:
            match = [m.tenant for m in memberships if m.tenant.slug == slug]
            if not match:
                return problem_response("not-found", 404, _("Niet gevonden."))
            return match[0]
        if len(memberships) == 1:
            return memberships[0].tenant
        return problem_response(
            "validation-error",
            400,
            _("Geef met de header Hervat-Tenant aan voor welke organisatie."),
            errors=[{"pointer": TENANT_HEADER, "detail": _("Dit veld is verplicht.")}],
        )

    def _idempotent(self, request: HttpRequest) -> HttpResponse:
        """Carry out a POST once per Idempotency-Key and repeat its answer.

        Only a successful (2xx) answer is kept: after an error nothing was
        created, so a retry with the same key simply runs again.
        """
        key = request.headers.get(IDEMPOTENCY_HEADER)
        if request.method != "POST" or key is None:
            return self.get_response(request)
        key = key.strip()
        try:
            body = request.body
        except RequestDataTooBig:
            return problem_response(
                "request-too-large", 413, _("Het verzoek is te groot.")
            )
        fingerprint = idempotency_fingerprint(
            method=request.method, path=request.get_full_path(), body=body
        )
        try:
            record = idempotency_begin(
                tenant=request.tenant,
                user=request.user,
                key=key,
                fingerprint=fingerprint,
            )
        except IdempotencyConflictError as exc:
            return problem_response(
                "idempotency-key-in-use", 409, exc.message, headers={"Retry-After": "1"}
            )
        except IdempotencyMismatchError as exc:
            return problem_response("idempotency-key-reused", 422, exc.message)
        except ApplicationError as exc:
            return problem_response(
                "validation-error",
                400,
                exc.message,
                errors=[{"pointer": IDEMPOTENCY_HEADER, "detail": exc.message}],
            )
        if record is not None:
            replay = HttpResponse(
                bytes(record.response_body), status=record.response_status
            )
            for name, value in record.response_headers.items():
                replay[name] = value
            replay["Idempotent-Replayed"] = "true"
            return replay
        try:
            response = self.get_response(request)
        except BaseException:
            idempotency_release(user=request.user, key=key)
            raise
        if 200 <= response.status_code < 300 and not response.streaming:
            idempotency_finish(
                user=request.user,
                key=key,
                status=response.status_code,
                headers={h: response[h] for h in _REPLAYED_HEADERS if h in response},
                body=response.content,
            )
        else:
            idempotency_release(user=request.user, key=key)
        return response
