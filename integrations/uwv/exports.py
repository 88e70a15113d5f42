"""From a case to the files UWV's employer portal asks for (reads only).

- the 42-week report: the Hervat form as PDF (the signed PDF when signed,
  else a fresh render that says CONCEPT) with the BSN band, and its data as
  JSON or CSV;
- the re-integratieverslag package: a ZIP with every signed part as its own
  PDF with the BSN band, named ``<BSN>_<nn>_<part>_<date>.pdf``, plus
  ``manifest.json`` and ``inhoud.txt``.

Nothing here writes to the database or to storage; ``services`` does, with
the audit event.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import logging
import re
import zipfile
from dataclasses import dataclass
from typing import Any

from django.utils.timezone import localtime
from PIL import Image, UnidentifiedImageError
from pypdf import PdfReader, PdfWriter
from pypdf.errors import PdfReadError

from cases.models import AbsenceCase
from documents.build import document_pdf_bytes
from documents.models import Document
from documents.reintegratieverslag import Finding, reintegratieverslag_findings
from documents.rendering import StaticOnlyFetcher
from documents.selectors import case_reference, signatures_of
from integrations.uwv import selectors
from integrations.uwv.stamp import Stamper, band_text, shows_on_every_page

logger = logging.getLogger(__name__)

# Parts UWV asks for that this package never holds, and why.
NOT_IN_PACKAGE = (
    "Actueel oordeel van de bedrijfsarts: Hervat heeft het niet als ondertekend "
    "document; voeg het oordeel van de bedrijfsarts apart toe.",
    "Oordeel van de werknemer: de werknemer vult hiervoor het eigen formulier "
    "van UWV in.",
    "Medische informatie: die stuurt de bedrijfsarts rechtstreeks naar UWV; "
    "medische gegevens zitten nooit in dit pakket.",
    "Overzicht van activiteiten en contacten: dat staat in het samengestelde "
    "re-integratieverslag (PDF) van Hervat.",
)


@dataclass(frozen=True)
class ExportFile:
    content: bytes
    filename: str
    content_type: str

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


def _stamper(case: AbsenceCase, fetcher: StaticOnlyFetcher | None) -> Stamper:
    employee = case.employee
    return Stamper(
        band_text(
            bsn=employee.bsn or "",
            name=selectors.riv_package_form_name(case=case),
            employer=employee.employer.name,
        ),
        fetcher=fetcher,
    )


def _stamped(pdf: bytes, case: AbsenceCase, stamper: Stamper) -> bytes:
    """The export copy: stamped unless every page already shows the full
    BSN and the name."""
    name = selectors.riv_package_form_name(case=case)
    if case.employee.bsn and shows_on_every_page(pdf, case.employee.bsn, name):
        return pdf
    return stamper.stamp(pdf)


# --- 42-week report ---------------------------------------------------------


def melding_42_pdf(
    *,
    case: AbsenceCase,
    source: Document,
    fetcher: StaticOnlyFetcher | None = None,
) -> ExportFile:
    """The Hervat 42-week form with the BSN band: the signed PDF as stored,
    or a fresh render (it prints CONCEPT) when it is not signed."""
    if source.is_signed and source.pdf:
        with source.pdf.open("rb") as stored:
            pdf = stored.read()
    else:
        signatures = signatures_of(document=source) if source.pk else []
        pdf = document_pdf_bytes(
            document=source, signatures=signatures, fetcher=fetcher
        )
    reference = case_reference(case=case)
    return ExportFile(
        _stamped(pdf, case, _stamper(case, fetcher)),
        f"ziekmelding-42e-week-{reference}.pdf",
        "application/pdf",
    )


def melding_42_json(*, case: AbsenceCase, data: dict[str, Any]) -> ExportFile:
    content = json.dumps(data, ensure_ascii=False, indent=2).encode() + b"\n"
    return ExportFile(
        content,
        f"ziekmelding-42e-week-{case_reference(case=case)}.json",
        "application/json",
    )


def _flatten(value: Any, prefix: str = "") -> list[tuple[str, Any]]:
    if isinstance(value, dict):
        rows: list[tuple[str, Any]] = []
        for key, item in value.items():
            rows.extend(_flatten(item, f"{prefix}.{key}" if prefix else key))
        return rows
    if isinstance(value, list):
        rows = []
        for index, item in enumerate(value, start=1):
            rows.extend(_flatten(item, f"{prefix}.{index}"))
        return rows
    return [(prefix, value)]


# A number with an optional sign ("+31 6 1234 5678") is data, not a formula.
_NUMBER_LIKE = re.compile(r"^[+-]?[\d\s().-]*$")


def _csv_cell(value: Any) -> str:
    """Spreadsheet-safe text: booleans as ja/nee, decimal commas, and a
    leading quote on text a spreadsheet would run as a formula."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nee"
    if isinstance(value, float):
        return f"{value:g}".replace(".", ",")
    text = str(value)
    if text[:1] in ("=", "@", "\t", "\r") or (
        text[:1] in ("+", "-") and not _NUMBER_LIKE.match(text)
    ):
        return "'" + text
    return text


def melding_42_csv(*, case: AbsenceCase, data: dict[str, Any]) -> ExportFile:
    """The same data as the JSON, one field a row (veld;omschrijving;waarde),
    semicolon-separated with a BOM so Excel opens it in Dutch settings."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(["veld", "omschrijving", "waarde"])
    for path, value in _flatten(data):
        label = selectors.CSV_LABELS.get(re.sub(r"\.\d+\.", ".", path), "")
        writer.writerow([path, label, _csv_cell(value)])
    return ExportFile(
        ("\ufeff" + out.getvalue()).encode(),
        f"ziekmelding-42e-week-{case_reference(case=case)}.csv",
        "text/csv; charset=utf-8",
    )


# --- re-integratieverslag package -------------------------------------------


def _scan_pdf(signature_scan: Any) -> bytes | None:
    """A signed scan as PDF pages: a PDF as it is, an image converted; None
    when it cannot be read (the manifest then says so)."""
    with signature_scan.open("rb") as stored:
        content = stored.read()
    if content.startswith(b"%PDF-"):
        try:
            PdfReader(io.BytesIO(content))
        except PdfReadError:
            return None
        return content
    try:
        image = Image.open(io.BytesIO(content))
        image.load()
    except (UnidentifiedImageError, OSError):
        return None
    out = io.BytesIO()
    image.convert("RGB").save(out, "PDF", resolution=150.0)
    return out.getvalue()


def _with_scans(pdf: bytes, part: selectors.PackagePart) -> tuple[bytes, bool]:
    """The signed form followed by the paper scan its signatures are on
    (once, however many parties signed on it)."""
    seen: set[str] = set()
    scans: list[bytes] = []
    for signature in part.signatures:
        if not signature.scan or signature.scan_sha256 in seen:
            continue
        seen.add(signature.scan_sha256)
        scan = _scan_pdf(signature.scan)
        if scan is None:
            logger.warning(
                "A signed scan could not be read for the UWV package",
                extra={"document_id": part.document.pk, "signature_id": signature.pk},
            )
            continue
        scans.append(scan)
    if not scans:
        return pdf, False
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    for scan in scans:
        writer.append(io.BytesIO(scan))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue(), True


def _date(value: dt.datetime) -> str:
    return localtime(value).date().isoformat()


def _finding(finding: Finding) -> dict[str, str]:
    return {"ernst": finding.severity, "melding": finding.message}


def _inhoud(manifest: dict[str, Any]) -> str:
    """The manifest as a Dutch text a person reads before uploading."""
    lines = [
        "Re-integratieverslag: losse documenten voor het werkgeversportaal van UWV",
        "",
        f"Werknemer:        {manifest['werknemer']['naam']}",
        f"BSN:              {manifest['werknemer']['burgerservicenummer']}",
        f"Werkgever:        {manifest['werkgever']['naam']}",
        f"Loonheffingennr.: {manifest['werkgever']['loonheffingennummer'] or '—'}",
        f"Eerste ziektedag: {manifest['eerste_ziektedag']}",
        f"Dossier:          {manifest['dossier']}",
        f"Samengesteld op:  {manifest['samengesteld_op']}",
        "",
        "Upload de PDF's in deze volgorde via uwv.nl/RIVuploaden (werkgeversportaal).",
        "Elke pagina draagt bovenaan het BSN en de naam van de werknemer.",
        "",
        "Bestanden",
    ]
    if not manifest["bestanden"]:
        lines.append("  (geen ondertekende onderdelen)")
    for item in manifest["bestanden"]:
        signers = "; ".join(
            f"{s['partij']} {s['naam']} op {s['datum']}"
            + (" (scan)" if s["manier"] == "scan" else "")
            for s in item["ondertekeningen"]
        )
        lines += [
            f"  {item['bestand']}",
            f"    {item['titel']}, versie {item['document_versie']}, "
            f"ondertekend {item['ondertekend_op']}, {item['paginas']} pagina('s)",
            f"    ondertekend door: {signers or 'vastgesteld zonder handtekening'}",
            f"    sha256 origineel: {item['sha256_origineel']}",
            f"    sha256 dit bestand: {item['sha256_export']}",
        ]
    lines += ["", "Controle op volledigheid"]
    if not manifest["controle"]:
        lines.append("  Volledig: alle onderdelen zijn ondertekend en op tijd.")
    lines += [f"  [{f['ernst']}] {f['melding']}" for f in manifest["controle"]]
    lines += ["", "Niet in dit pakket"]
    lines += [f"  - {text}" for text in manifest["niet_in_dit_pakket"]]
    return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class Package:
    zip: bytes
    manifest: dict[str, Any]

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.zip).hexdigest()


def riv_package(
    *,
    case: AbsenceCase,
    today: dt.date,
    fetcher: StaticOnlyFetcher | None = None,
) -> Package:
    """The ZIP for UWV's employer portal as of ``today``.

    The caller checks ``selectors.riv_package_missing`` first: the names and
    the band need the BSN.
    """
    employee = case.employee
    bsn = employee.bsn
    stamper = _stamper(case, fetcher)
    parts = selectors.riv_package_parts(case=case)
    files: list[tuple[str, bytes]] = []
    entries: list[dict[str, Any]] = []
    for part in parts:
        with part.document.pdf.open("rb") as stored:
            original = stored.read()
        combined, with_scan = _with_scans(original, part)
        exported = _stamped(combined, case, stamper)
        name = part.filename(bsn)
        files.append((name, exported))
        entries.append(
            {
                "bestand": name,
                "volgnummer": part.number,
                "onderdeel": part.slug,
                "titel": part.title,
                "document_versie": part.document.version,
                "ondertekend_op": part.signed_on.isoformat(),
                "ondertekeningen": [
                    {
                        "partij": s.party,
                        "naam": s.name,
                        "datum": _date(s.signed_at),
                        "manier": s.method,
                    }
                    for s in part.signatures
                ],
                "sha256_origineel": hashlib.sha256(original).hexdigest(),
                "sha256_export": hashlib.sha256(exported).hexdigest(),
                "paginas": len(PdfReader(io.BytesIO(exported)).pages),
                "scan_toegevoegd": with_scan,
            }
        )
    manifest = {
        "schema": selectors.SCHEMA_RIV_PACKAGE,
        "soort": "re_integratieverslag_pakket",
        "dossier": case_reference(case=case),
        "samengesteld_op": today.isoformat(),
        "werknemer": {
            "naam": selectors.riv_package_form_name(case=case),
            "burgerservicenummer": bsn,
        },
        "werkgever": {
            "naam": employee.employer.name,
            "loonheffingennummer": employee.employer.loonheffingennummer,
        },
        "eerste_ziektedag": selectors.chain_first_sick_day(case=case).isoformat(),
        "bestanden": entries,
        "controle": [
            _finding(f) for f in reintegratieverslag_findings(case=case, today=today)
        ],
        "niet_in_dit_pakket": list(NOT_IN_PACKAGE),
    }
    stamp = (today.year, today.month, today.day, 0, 0, 0)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in [
            *files,
            (
                "manifest.json",
                json.dumps(manifest, ensure_ascii=False, indent=2).encode() + b"\n",
            ),
            ("inhoud.txt", _inhoud(manifest).encode()),
        ]:
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.external_attr = 0o644 << 16
            archive.writestr(info, content, compress_type=zipfile.ZIP_DEFLATED)
    return Package(out.getvalue(), manifest)
