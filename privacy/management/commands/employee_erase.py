"""Erase an employee's data on their request (AVG art. 17)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from accounts.scoping import tenant_scope
from core.exceptions import ApplicationError
from privacy import selectors
from privacy.management.commands._common import employee_get, report_text, tenant_get
from privacy.services import employee_erase


class Command(BaseCommand):
    help = (
        "Wis de gegevens van een werknemer en al zijn afgesloten dossiers (AVG "
        "art. 17). Zonder --confirm wordt alleen getoond wat er zou gebeuren."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--tenant", required=True, help="organisatie (slug)")
        parser.add_argument("--employee", required=True, type=int, help="werknemer-id")
        parser.add_argument("--confirm", action="store_true", help="echt wissen")
        parser.add_argument(
            "--force",
            action="store_true",
            help="ook binnen een wettelijke bewaarplicht (met --reason)",
        )
        parser.add_argument("--reason", default="", help="waarom toch gewist wordt")

    def handle(self, *args: Any, **options: Any) -> None:
        tenant = tenant_get(options["tenant"])
        today = timezone.localdate()
        with tenant_scope(tenant):
            employee = employee_get(options["employee"])
            if not options["confirm"]:
                policy = selectors.retention_policy_for(tenant=tenant)
                check = selectors.employee_erase_check(
                    employee=employee, policy=policy, today=today
                )
                report = employee_erase(
                    actor=None, employee=employee, today=today, dry_run=True
                )
                lines = ["Proef: er is niets gewist.", report_text(report)]
                if check.open_case:
                    lines.append("Geweigerd: de werknemer heeft een open dossier.")
                lines += [f"Bewaarplicht: {duty}" for duty in check.duties]
                self.stdout.write("\n".join(lines))
                return
            try:
                report = employee_erase(
                    actor=None,
                    employee=employee,
                    today=today,
                    force=options["force"],
                    reason=options["reason"],
                )
            except ApplicationError as error:
                raise CommandError(error.message) from error
        self.stdout.write(f"Gewist.\n{report_text(report)}")
