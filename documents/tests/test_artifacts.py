"""`make test` leaves sample PDFs and their pages as PNGs for a human to look
at: ``.artifacts/documents/``."""

import shutil
import subprocess
from pathlib import Path

from django.conf import settings

from accounts.models import Role
from documents.build import document_pdf_bytes
from documents.models import DocumentKind
from documents.services import (
    document_create,
    document_sign,
    document_signatures_request,
    document_update,
)

ARTIFACTS = Path(settings.BASE_DIR) / ".artifacts" / "documents"

AFSPRAKEN = [
    {
        "probleemveld": veld,
        "activiteit": activiteit,
        "wie": wie,
        "planning": planning,
    }
    for veld, activiteit, wie, planning in [
        ("arbeidsinhoud", "Opstellen plan van aanpak", "casemanager", "19-11-2026"),
        (
            "arbeidsinhoud",
            "Aangepast eigen werk: binnenwerk in de werkplaats, "
            "geen tillen boven 10 kg",
            "werknemer, leidinggevende",
            "vanaf week 9",
        ),
        (
            "arbeidsomstandigheden",
            "Werkplekonderzoek en aangepaste stoel",
            "leidinggevende",
            "december 2026",
        ),
        (
            "arbeidsverhoudingen",
            "Wekelijks contact met de leidinggevende",
            "leidinggevende, werknemer",
            "loopt",
        ),
        (
            "sociaal_medische_zaken",
            "Spreekuur bedrijfsarts",
            "werknemer",
            "elke 6 weken",
        ),
        (
            "overige",
            "Evaluatie plan van aanpak",
            "werknemer, leidinggevende",
            "1 x per 6 weken",
        ),
    ]
]


def _png_pages(pdf: bytes, name: str) -> list[Path]:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    pdf_path = ARTIFACTS / f"{name}.pdf"
    pdf_path.write_bytes(pdf)
    for old in ARTIFACTS.glob(f"{name}-*.png"):
        old.unlink()
    pdftoppm = shutil.which("pdftoppm")
    assert pdftoppm, "pdftoppm (poppler-utils) is needed: make system-deps"
    subprocess.run(  # noqa: S603 - fixed binary, our own file
        [pdftoppm, "-r", "60", "-png", str(pdf_path), str(ARTIFACTS / name)],
        check=True,
    )
    return sorted(ARTIFACTS.glob(f"{name}-*.png"))


def test_sample_plan_van_aanpak_pages_are_written_as_png(dossier):
    casemanager = dossier.user(Role.CASEMANAGER)
    document = document_create(
        actor=casemanager, case=dossier.case, kind=DocumentKind.PLAN_VAN_AANPAK
    )
    document_update(
        actor=casemanager,
        document=document,
        data={
            "visie_werknemer": "Ik wil zo snel mogelijk terug naar mijn eigen werk, "
            "eerst met lichtere taken.",
            "visie_werkgever": "Eigen werk met aanpassingen is mogelijk; binnenwerk "
            "in de werkplaats is beschikbaar.",
            "einddoelen": ["eigen_functie", "eigen_functie_aanpassingen"],
            "afspraken": AFSPRAKEN,
        },
    )
    document_signatures_request(actor=casemanager, document=document)
    document_sign(
        actor=dossier.user(Role.HR), document=document, party="werkgever", name="H. R."
    )
    pages = _png_pages(
        document_pdf_bytes(
            document=document, signatures=list(document.signatures.all())
        ),
        "plan_van_aanpak",
    )
    assert 1 <= len(pages) <= 4
    assert all(page.stat().st_size > 5000 for page in pages)


def test_sample_evaluatie_and_datasheets_are_written_as_png(dossier):
    casemanager = dossier.user(Role.CASEMANAGER)
    for kind in (
        DocumentKind.EERSTEJAARSEVALUATIE,
        DocumentKind.UWV_42_WEEK_MELDING,
        DocumentKind.PROBLEEMANALYSE,
    ):
        document = document_create(actor=casemanager, case=dossier.case, kind=kind)
        pages = _png_pages(document_pdf_bytes(document=document, signatures=[]), kind)
        assert pages


def test_sample_reintegratieverslag_pages_are_written_as_png(complete_case):
    from documents.reintegratieverslag import reintegratieverslag_assemble

    riv = reintegratieverslag_assemble(
        case=complete_case.case, today=complete_case.today
    )
    pages = _png_pages(riv.pdf, "reintegratieverslag")
    assert len(pages) == riv.toc[-1].page
