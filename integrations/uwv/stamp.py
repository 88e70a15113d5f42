"""The BSN band on exported PDFs: a copy, never the signed original.

UWV's employer portal files every upload under the employee's BSN, and the
PDFs Hervat stores show the BSN masked (``******333``). The export copy gets a
band at the top of every page with the full BSN and the employee's name,
drawn by WeasyPrint (the bundled font, through the sandboxed fetcher) and laid
over each page with pypdf. The signed PDF in storage is only read.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from pypdf import PageObject, PdfReader, PdfWriter

from documents.rendering import StaticOnlyFetcher, render_pdf


@dataclass(frozen=True)
class Band:
    text: str
    # Strings, not floats: the template renders in Dutch, where a float
    # would be written with a decimal comma that CSS does not read.
    width_pt: str
    height_pt: str


def band_text(*, bsn: str, name: str, employer: str) -> str:
    """The line on every exported page."""
    parts = [f"BSN {bsn}", name]
    if employer:
        parts.append(employer)
    return " · ".join(part for part in parts if part)


def shows_on_every_page(pdf: bytes, *needles: str) -> bool:
    """Whether every page's text already holds every one of ``needles``."""
    reader = PdfReader(io.BytesIO(pdf))
    for page in reader.pages:
        text = " ".join((page.extract_text() or "").split())
        if not all(needle in text for needle in needles):
            return False
    return True


class Stamper:
    """Lays one band over every page of PDFs; renders the band once per
    page size (forms are A4, scans may be anything)."""

    def __init__(self, text: str, fetcher: StaticOnlyFetcher | None = None) -> None:
        self.text = text
        self.fetcher = fetcher
        self._bands: dict[tuple[str, str], PageObject] = {}

    def _band(self, width: float, height: float) -> PageObject:
        key = (f"{width:.2f}", f"{height:.2f}")
        if key not in self._bands:
            pdf = render_pdf(
                template_name="uwv/pdf_band.html",
                context=Band(self.text, *key),
                fetcher=self.fetcher,
            )
            self._bands[key] = PdfReader(io.BytesIO(pdf)).pages[0]
        return self._bands[key]

    def stamp(self, pdf: bytes) -> bytes:
        """A copy of ``pdf`` with the band on top of every page."""
        writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
        for page in writer.pages:
            if page.rotation:
                page.transfer_rotation_to_content()
            box = page.mediabox
            band = self._band(float(box.width), float(box.height))
            page.merge_translated_page(band, tx=float(box.left), ty=float(box.bottom))
        out = io.BytesIO()
        writer.write(out)
        return out.getvalue()
