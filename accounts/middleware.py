"""Request-level tenancy and language."""

from __future__ import annotations

import re
from collections.abc import Callable

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import translation

from accounts.access import membership_for
from accounts.models import Role, Tenant
from accounts.scoping import tenant_scope

# Tenant pages live under /t/<slug>/ (see config/urls.py); the tenant admin
# under /beheer/, for the tenant chosen at /t/<slug>/beheer/.
TENANT_PATH = re.compile(r"^/t/(?P<slug>[-a-zA-Z0-9_]+)/")
TENANT_ADMIN_PATH = "/beheer/"
ADMIN_TENANT_SESSION_KEY = "hervat_admin_tenant_id"


class TenantMiddleware:
    """Resolve the tenant from the URL and run the request inside its scope.

    The tenant admin (``/beheer/``) serves the tenant stored in the session by
    ``accounts.views.tenant_admin_enter`` and only to that tenant's admins.
    A tenant URL needs a logged-in user with an active membership in that
    tenant; anything else is a 404, whether the tenant exists or not, so
    nobody learns which tenants there are. Pages outside ``/t/`` run without
    a scope: a query on tenant-owned data there raises.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.tenant = None
        request.membership = None
        match = TENANT_PATH.match(request.path_info)
        in_admin = request.path_info.startswith(TENANT_ADMIN_PATH)
        if match is None and not in_admin:
            return self.get_response(request)
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if match is not None:
            tenant = Tenant.objects.filter(slug=match["slug"], is_active=True).first()
        else:
            tenant = Tenant.objects.filter(
                pk=request.session.get(ADMIN_TENANT_SESSION_KEY), is_active=True
            ).first()
        if tenant is None:
            raise Http404
        with tenant_scope(tenant):
            membership = membership_for(request.user)
            if membership is None or (
                in_admin and membership.role != Role.TENANT_ADMIN
            ):
                raise Http404
            request.tenant = tenant
            request.membership = membership
            return self.get_response(request)


class UserLanguageMiddleware:
    """Serve a logged-in user in their preferred language.

    An explicit choice in the language switcher (the language cookie) wins.
    Must come after ``AuthenticationMiddleware`` and ``LocaleMiddleware``.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from django.conf import settings

        if not request.user.is_authenticated or request.COOKIES.get(
            settings.LANGUAGE_COOKIE_NAME
        ):
            return self.get_response(request)
        # override() restores the previous language afterwards, so nothing
        # that runs later on this thread inherits this user's language.
        with translation.override(request.user.preferred_language):
            request.LANGUAGE_CODE = translation.get_language()
            response = self.get_response(request)
            response.headers.setdefault("Content-Language", request.LANGUAGE_CODE)
            return response
