"""Export an employee's data on their request (AVG art. 15 and 20)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from accounts.scoping import tenant_scope
from privacy.management.commands._common import employee_get, member_get, tenant_get
from privacy.services import employee_export


class Command(BaseCommand):
    help = (
        "Exporteer alle gegevens van een werknemer als ZIP (AVG art. 15/20). "
        "Medische gegevens alleen met --medical-reader: de bedrijfsarts (of "
        "casemanager in taakdelegatie) die ze afgeeft; elke inzage wordt gelogd."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--tenant", required=True, help="organisatie (slug)")
        parser.add_argument("--employee", required=True, type=int, help="werknemer-id")
        parser.add_argument("--output", required=True, help="pad van het ZIP-bestand")
        parser.add_argument(
            "--medical-reader",
            default="",
            help="e-mailadres van de bedrijfsarts die de medische gegevens afgeeft",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        tenant = tenant_get(options["tenant"])
        with tenant_scope(tenant):
            employee = employee_get(options["employee"])
            reader = (
                member_get(options["medical_reader"])
                if options["medical_reader"]
                else None
            )
            export = employee_export(
                actor=reader,
                employee=employee,
                medical_reader=reader,
                today=timezone.localdate(),
            )
        output = Path(options["output"])
        output.write_bytes(export.content)
        output.chmod(0o600)
        self.stdout.write(
            f"{output}: {export.cases} dossiers, {export.files} documenten, "
            f"{export.medical_records} medische onderdelen"
            + (
                f" ({export.medical_missing} niet: geen inzage)"
                if export.medical_missing
                else ""
            )
        )
