"""Reading PDFs back the way a person would (text per page), and signing a
document on a given day."""

from __future__ import annotations

import datetime as dt
import io

from pypdf import PdfReader

from accounts.models import Role
from documents.services import (
    document_create,
    document_sign,
    document_signatures_request,
)


def pdf_pages(pdf: bytes) -> list[str]:
    reader = PdfReader(io.BytesIO(pdf))
    return [page.extract_text() or "" for page in reader.pages]


def pdf_text(pdf: bytes) -> str:
    return "\n".join(pdf_pages(pdf))


def flat(text: str) -> str:
    """Whitespace collapsed, so a label wrapped over two lines still matches."""
    return " ".join(text.split())


def _at(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(11, 0), tzinfo=dt.UTC)


def sign_document(w, kind, day):
    casemanager = w.user(Role.CASEMANAGER)
    document = document_create(actor=casemanager, case=w.case, kind=kind)
    document_signatures_request(actor=casemanager, document=document)
    document_sign(
        actor=w.user(Role.HR),
        document=document,
        party="werkgever",
        name="H. R. Adviseur",
        now=_at(day),
    )
    document_sign(
        actor=w.user(Role.WERKNEMER),
        document=document,
        party="werknemer",
        name="J.P. de Vries",
        now=_at(day),
    )
    return document
