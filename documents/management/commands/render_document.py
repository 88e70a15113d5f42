"""Render one document of one case to a PDF file, for operators and review."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.models import Tenant
from accounts.scoping import tenant_scope
from cases.models import AbsenceCase
from documents.build import document_pdf_bytes
from documents.models import Document, DocumentKind, DocumentStatus
from documents.registry import document_type
from documents.selectors import (
    case_get_by_reference,
    document_latest,
    document_prefill,
    signatures_of,
)

LATER_KINDS = {"reintegratieverslag"}


class Command(BaseCommand):
    help = (
        "Maak de PDF van één document van een verzuimdossier: de laatste versie, "
        "of een voorbeeld met wat Hervat weet als er nog geen versie is."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("case", help="id of referentie (VZ-000123) van het dossier")
        parser.add_argument(
            "kind", help="soort document: " + ", ".join(DocumentKind.values)
        )
        parser.add_argument("--output", required=True, help="pad van de PDF")
        parser.add_argument(
            "--tenant", help="code van de organisatie (nodig als het id dubbel is)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        kind = options["kind"]
        if kind in LATER_KINDS:
            raise CommandError(f"{kind} wordt nog niet gemaakt.")
        if kind not in DocumentKind.values:
            raise CommandError(
                f"Onbekende soort {kind!r}; kies uit {', '.join(DocumentKind.values)}."
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
            self.stdout.write(
                f"{output}: {document_type(kind).title}, {version}, "
                f"{len(pdf) // 1024} kB"
            )
            return
        raise CommandError(f"Verzuimdossier {options['case']} bestaat niet.")

    def _render(self, *, case: AbsenceCase, kind: str) -> tuple[bytes, str]:
        document = document_latest(case=case, kind=kind)
        if document is not None:
            if document.is_signed and document.pdf:
                with document.pdf.open("rb") as stored:
                    return stored.read(), f"versie {document.version} (ondertekend)"
            pdf = document_pdf_bytes(
                document=document, signatures=signatures_of(document=document)
            )
            return pdf, f"versie {document.version}"
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
        return document_pdf_bytes(document=preview, signatures=[]), "voorbeeld"
