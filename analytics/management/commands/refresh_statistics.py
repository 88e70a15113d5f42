"""Compute the statistics snapshots again, now (the nightly run on demand)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from accounts.models import Tenant
from accounts.scoping import tenant_scope
from analytics.services import employers_for_refresh, snapshots_refresh_employer


class Command(BaseCommand):
    help = (
        "Bereken de vastgelegde verzuimcijfers opnieuw (laatste 13 maanden, "
        "4 kwartalen en het laatste jaar), ook als ze er al zijn."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--tenant", help="alleen deze organisatie (code)")
        parser.add_argument("--employer", type=int, help="alleen deze werkgever (id)")

    def handle(self, *args: Any, **options: Any) -> None:
        tenants = Tenant.objects.filter(is_active=True).order_by("pk")
        if options["tenant"]:
            tenants = tenants.filter(slug=options["tenant"])
            if not tenants.exists():
                raise CommandError(f"Geen organisatie met code {options['tenant']!r}.")
        today = timezone.localdate()
        employers_seen = 0
        for tenant in tenants:
            with tenant_scope(tenant):
                employers = list(employers_for_refresh(employer_id=options["employer"]))
                for employer in employers:
                    computed = snapshots_refresh_employer(
                        employer=employer, today=today, force=True
                    )
                    employers_seen += 1
                    self.stdout.write(
                        f"{tenant.slug} / {employer.name}: {computed} berekend"
                    )
        if options["employer"] is not None and employers_seen == 0:
            raise CommandError(f"Geen werkgever {options['employer']}.")
