"""Pages outside any tenant: the start page that leads a user to their tenant."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from accounts.middleware import ADMIN_TENANT_SESSION_KEY
from accounts.models import Role
from accounts.selectors import memberships_of_user


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
