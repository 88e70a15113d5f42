"""Write the UWV export of one case to a file, for operators."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from accounts.models import Tenant
from accounts.scoping import tenant_scope
from cases.models import AbsenceCase
from documents.selectors import case_get_by_reference
from integrations.uwv import services

KINDS = ("42week", "riv")


class Command(BaseCommand):
    help = (
        "Schrijf de export voor UWV van een verzuimdossier: de ziekmelding 42e "
        "week (JSON, CSV of PDF) of het re-integratieverslag als ZIP met losse "
        "ondertekende PDF's."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("case", help="id of referentie (VZ-000123) van het dossier")
        parser.add_argument("--kind", required=True, choices=KINDS)
        parser.add_argument("--output", required=True, help="pad van het bestand")
        parser.add_argument(
            "--format",
            dest="file_format",
            choices=services.FORMATS_42_WEEK,
            default="json",
            help="bij 42week: json (standaard), csv of pdf",
        )
        parser.add_argument(
            "--tenant", help="code van de organisatie (nodig als het id dubbel is)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        tenants = Tenant.objects.filter(is_active=True).order_by("pk")
        if options["tenant"]:
            tenants = tenants.filter(slug=options["tenant"])
        for tenant in tenants:
            with tenant_scope(tenant):
                try:
                    case = case_get_by_reference(reference=options["case"])
                except AbsenceCase.DoesNotExist:
                    continue
                content, summary = self._export(case=case, options=options)
            output = Path(options["output"])
            output.write_bytes(content)
            self.stdout.write(f"{output}: {summary}, {len(content) // 1024} kB")
            return
        raise CommandError(f"Verzuimdossier {options['case']} bestaat niet.")

    def _export(
        self, *, case: AbsenceCase, options: dict[str, Any]
    ) -> tuple[bytes, str]:
        try:
            if options["kind"] == "42week":
                export = services.melding_42_export(
                    actor=None, case=case, file_format=options["file_format"]
                )
                return (
                    export.content,
                    f"ziekmelding 42e week ({options['file_format']})",
                )
            package = services.riv_package_build(
                actor=None, case=case, today=timezone.localdate()
            )
        except services.MissingDataError as error:
            raise CommandError(
                "Niet gemaakt; dit ontbreekt:\n  - " + "\n  - ".join(error.missing)
            ) from error
        for finding in package.manifest["controle"]:
            self.stderr.write(f"  {finding['ernst']}: {finding['melding']}")
        return package.zip, (
            f"{len(package.manifest['bestanden'])} ondertekende onderdelen, "
            f"{len(package.manifest['controle'])} punten uit de controle"
        )
