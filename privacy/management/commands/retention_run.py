"""Apply the retention policy now (what the nightly beat job does), or show
what it would do."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from accounts.models import Tenant
from accounts.scoping import tenant_scope
from privacy.management.commands._common import report_text
from privacy.models import RetentionTrigger
from privacy.services import retention_run


class Command(BaseCommand):
    help = (
        "Anonimiseer of verwijder wat zijn bewaartermijn voorbij is (per "
        "organisatie); --dry-run toont alleen wat er zou gebeuren."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--tenant", help="alleen deze organisatie (slug)")
        parser.add_argument("--dry-run", action="store_true", help="niets wijzigen")
        parser.add_argument(
            "--date", help="peildatum JJJJ-MM-DD (standaard vandaag)", default=None
        )

    def handle(self, *args: Any, **options: Any) -> None:
        today = timezone.localdate()
        if options["date"]:
            try:
                today = dt.date.fromisoformat(options["date"])
            except ValueError as exc:
                raise CommandError("Geef de datum als JJJJ-MM-DD.") from exc
        tenants = Tenant.objects.filter(is_active=True).order_by("pk")
        if options["tenant"]:
            tenants = tenants.filter(slug=options["tenant"])
            if not tenants.exists():
                raise CommandError(f"Geen actieve organisatie {options['tenant']!r}.")
        for tenant in tenants:
            with tenant_scope(tenant):
                report = retention_run(
                    tenant=tenant,
                    today=today,
                    trigger=RetentionTrigger.COMMAND,
                    dry_run=options["dry_run"],
                )
            title = f"{tenant.name}{' (proef)' if options['dry_run'] else ''}"
            self.stdout.write(f"{title}\n{report_text(report)}")
