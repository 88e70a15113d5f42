"""Reads in the accounts app."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from accounts.models import AuditEvent, Membership, Role, User
from accounts.scoping import all_tenants


def memberships_of_user(*, user: User) -> list[Membership]:
    """All active memberships of ``user``, across tenants, for the tenant picker.

    This is the one read that must cross tenants: it is bounded by ``user``.
    """
    with all_tenants("a user's own memberships, to choose a tenant"):
        qs: QuerySet[Membership] = (
            Membership.objects.filter(user=user, is_active=True, tenant__is_active=True)
            .select_related("tenant")
            .order_by("tenant__name")
        )
        return list(qs)


def users_with_role(*, role: str) -> QuerySet[User]:
    """Active members of the scoped tenant who hold ``role``, by name."""
    return User.objects.filter(
        memberships__in=Membership.objects.filter(role=role, is_active=True)
    ).order_by("full_name", "email")


def audit_trail(*, case_ids: list[int]) -> QuerySet[AuditEvent]:
    """The audit events filed under ``case_ids`` in the scoped tenant, newest
    first (``AuditEvent.case_id``; one indexed query per page)."""
    return (
        AuditEvent.objects.filter(case_id__in=case_ids)
        .select_related("actor")
        .order_by("-occurred_at", "-pk")
    )


# Roles that reach medical data, whole employers' cases or the tenant's
# settings: a password alone is not enough for them (AVG art. 9, NEN 7510).
TWO_FACTOR_ROLES = frozenset(
    {Role.BEDRIJFSARTS, Role.CASEMANAGER, Role.REGIEHOUDER, Role.HR, Role.TENANT_ADMIN}
)


def two_factor_required(*, user: User) -> bool:
    """Whether ``user`` must log in with a second factor.

    Platform staff always; anyone with an active membership in one of
    ``TWO_FACTOR_ROLES``; a leidinggevende when their tenant asks it
    (``Tenant.require_2fa_for_managers``). A werknemer may enrol but need not.
    Memberships of every tenant count: the login is one for all of them.
    """
    if user.is_staff:
        return True
    with all_tenants("a user's own memberships decide their login policy"):
        return (
            Membership.objects.filter(user=user, is_active=True, tenant__is_active=True)
            .filter(
                Q(role__in=TWO_FACTOR_ROLES)
                | Q(role=Role.LEIDINGGEVENDE, tenant__require_2fa_for_managers=True)
            )
            .exists()
        )
