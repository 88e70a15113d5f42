"""What the privacy commands share: finding the tenant, employee and user."""

from __future__ import annotations

from django.core.management.base import CommandError

from accounts.models import Tenant, User
from cases.models import Employee
from privacy.admin import report_lines
from privacy.services import RetentionReport


def tenant_get(slug: str) -> Tenant:
    tenant = Tenant.objects.filter(slug=slug).first()
    if tenant is None:
        raise CommandError(f"Geen organisatie met code {slug!r}.")
    return tenant


def employee_get(employee_id: int) -> Employee:
    """The employee in the active tenant scope."""
    employee = (
        Employee.objects.filter(pk=employee_id).select_related("employer").first()
    )
    if employee is None:
        raise CommandError(f"Geen werknemer {employee_id} in deze organisatie.")
    return employee


def member_get(email: str) -> User:
    """A user with a membership in the active tenant scope."""
    user = User.objects.filter(
        email__iexact=email.strip(), memberships__isnull=False
    ).first()
    from accounts.access import membership_for

    if user is None or membership_for(user) is None:
        raise CommandError(f"{email} is geen lid van deze organisatie.")
    return user


def report_text(report: RetentionReport) -> str:
    lines = [
        f"dossiers: {report.cases}",
        f"werknemers: {report.employees}",
        f"bestanden: {report.files}",
    ]
    lines += [
        f"{label}: {rows} ({action})"
        for label, action, rows in report_lines(report.counts)
    ]
    if not report.complete:
        lines.append("limiet bereikt: de volgende run gaat verder")
    return "\n".join(lines)
