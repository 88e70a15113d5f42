"""Reading PDFs back the way a person would: text per page."""

from __future__ import annotations

import io

from pypdf import PdfReader


def pdf_pages(pdf: bytes) -> list[str]:
    reader = PdfReader(io.BytesIO(pdf))
    return [page.extract_text() or "" for page in reader.pages]


def pdf_text(pdf: bytes) -> str:
    return "\n".join(pdf_pages(pdf))


def flat(text: str) -> str:
    """Whitespace collapsed, so a label wrapped over two lines still matches."""
    return " ".join(text.split())
