"""Run the Poortwachter refresh now (what the nightly beat job does)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from accounts.models import Tenant
from accounts.scoping import tenant_scope
from poortwachter.services import timelines_refresh


class Command(BaseCommand):
    help = "Ververs de tijdlijnen en taken die dat nodig hebben (per organisatie)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--tenant", help="alleen deze organisatie (slug)")

    def handle(self, *args: Any, **options: Any) -> None:
        tenants = Tenant.objects.filter(is_active=True).order_by("pk")
        if options["tenant"]:
            tenants = tenants.filter(slug=options["tenant"])
        today = timezone.localdate()
        for tenant in tenants:
            with tenant_scope(tenant):
                count = timelines_refresh(today=today)
            self.stdout.write(f"{tenant.name}: {count} tijdlijnen ververst")
