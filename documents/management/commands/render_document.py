"""Render one document of one case to a PDF file, for operators and review."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from accounts.models import Tenant
from accounts.scoping import tenant_scope
from cases.models import AbsenceCase
from documents.build import document_pdf_bytes
from documents.models import Document, DocumentKind, DocumentStatus
from documents.registry import document_type
from documents.reintegratieverslag import reintegratieverslag_assemble
from documents.selectors import (
    case_get_by_reference,
    document_latest,
    document_prefill,
    signatures_of,
)

RIV = "reintegratieverslag"
KINDS = [*DocumentKind.values, RIV]


class Command(BaseCommand):
    help = (
        "Maak de PDF van één document van een verzuimdossier: de laatste versie, "
        "of een voorbeeld met wat Hervat weet als er nog geen versie is."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("case", help="id of referentie (VZ-000123) van het dossier")
        parser.add_argument("kind", help="soort document: " + ", ".join(KINDS))
        parser.add_argument("--output", required=True, help="pad van de PDF")
        parser.add_argument(
            "--tenant", help="code van de organisatie (nodig als het id dubbel is)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        kind = options["kind"]
        if kind not in KINDS:
            raise CommandError(
                f"Onbekende soort {kind!r}; kies uit {', '.join(KINDS)}."
            )
        tenants = Tenant.objects.filter(is_active=True).order_by("pk")
        if options["tenant"]:
            tenants = tenants.filter(slug=options["tenant"])
        for tenant in tenants:
            with tenant_scope(tenant):
                try:
                    case = case_get_by_reference(reference=options["case"])
                except AbsenceCase.DoesNotExist:
                    continue
                pdf, version = self._render(case=case, kind=kind)
            output = Path(options["output"])
            output.write_bytes(pdf)
            self.stdout.write(f"{output}: {version}, {len(pdf) // 1024} kB")
            return
        raise CommandError(f"Verzuimdossier {options['case']} bestaat niet.")

    def _render(self, *, case: AbsenceCase, kind: str) -> tuple[bytes, str]:
        if kind == RIV:
            riv = reintegratieverslag_assemble(case=case, today=timezone.localdate())
            for finding in riv.findings:
                self.stderr.write(f"  {finding.severity}: {finding.message}")
            return riv.pdf, (
                f"re-integratieverslag, {riv.toc[-1].page} pagina's, "
                f"{len(riv.findings)} punten uit de controle"
            )
        title = document_type(kind).title
        document = document_latest(case=case, kind=kind)
        if document is not None:
            if document.is_signed and document.pdf:
                with document.pdf.open("rb") as stored:
                    return (
                        stored.read(),
                        f"{title} versie {document.version} (ondertekend)",
                    )
            pdf = document_pdf_bytes(
                document=document, signatures=signatures_of(document=document)
            )
            return pdf, f"{title} versie {document.version}"
        preview = Document(
            tenant_id=case.tenant_id,
            case=case,
            kind=kind,
            version=1,
            status=DocumentStatus.CONCEPT,
            language=case.employee.preferred_language,
            data=document_prefill(case=case, kind=kind),
            template_version=document_type(kind).template_version,
        )
        return document_pdf_bytes(document=preview, signatures=[]), f"{title} voorbeeld"
