"""From a stored document to its context dataclass and PDF bytes (reads only)."""

from __future__ import annotations

from django.utils.formats import date_format
from django.utils.timezone import localtime

from documents import contexts
from documents.models import Document, Party, Signature
from documents.registry import document_type
from documents.rendering import StaticOnlyFetcher, render_pdf
from documents.selectors import case_reference

# The page counter in the footer follows the document's language.
PAGE_WORDS = {"nl": ("pagina", "van"), "en": ("page", "of")}


def document_header(*, document: Document) -> contexts.Header:
    case = document.case
    page_word, of_word = PAGE_WORDS.get(document.language, PAGE_WORDS["nl"])
    return contexts.Header(
        title=document_type(document.kind).title,
        employee_name=str(document.data.get("werknemer_naam") or case.employee),
        case_reference=case_reference(case=case),
        employer_name=str(document.data.get("werkgever_naam", "")),
        version=document.version,
        status={
            "concept": "Concept",
            "ter_ondertekening": "Ter ondertekening",
            "ondertekend": "Ondertekend",
        }[document.status],
        is_concept=not document.is_signed,
        page_word=page_word,
        of_word=of_word,
    )


def signature_lines(
    *, document: Document, signatures: list[Signature]
) -> tuple[contexts.SignatureLine, ...]:
    """One line per party that signs this kind, empty until it signed."""
    by_party = {s.party: s for s in signatures}
    lines = []
    for party in document_type(document.kind).parties:
        signature = by_party.get(party)
        party_label = "Werkgever" if party == Party.WERKGEVER else "Werknemer"
        if signature is None:
            lines.append(contexts.SignatureLine(party_label, "", "", ""))
            continue
        method = (
            "Ondertekend in Hervat"
            if signature.method == "in_app"
            else "Ondertekende scan bijgevoegd"
        )
        lines.append(
            contexts.SignatureLine(
                party_label,
                signature.name,
                date_format(localtime(signature.signed_at), "d-m-Y H:i"),
                method,
            )
        )
    return tuple(lines)


def document_context(*, document: Document, signatures: list[Signature]) -> object:
    """The context dataclass of ``document`` for its template."""
    kind = document_type(document.kind)
    return kind.builder(
        document.data,
        document_header(document=document),
        signature_lines(document=document, signatures=signatures),
    )


def document_pdf_bytes(
    *,
    document: Document,
    signatures: list[Signature],
    fetcher: StaticOnlyFetcher | None = None,
) -> bytes:
    """Render ``document`` as it stands now (no storage, no database writes)."""
    return render_pdf(
        template_name=document_type(document.kind).template_name,
        context=document_context(document=document, signatures=signatures),
        fetcher=fetcher,
    )
