"""Every document kind: its template, context builder and template version.

Bump a kind's ``template_version`` whenever its template or builder changes
what the PDF shows; stored documents keep the version they were made with.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms

from documents import contexts
from documents import forms as document_forms
from documents.models import DocumentKind, Party

Builder = Callable[
    [dict[str, Any], contexts.Header, tuple[contexts.SignatureLine, ...]], object
]


@dataclass(frozen=True)
class DocumentType:
    kind: DocumentKind
    title: str
    template_name: str
    builder: Builder
    template_version: str
    form_class: type[forms.Form]
    has_afspraken: bool = False
    # Who signs, in the order the form lists them; none: the document is
    # final as soon as it is submitted.
    parties: tuple[Party, ...] = (Party.WERKGEVER, Party.WERKNEMER)


REGISTRY: dict[str, DocumentType] = {
    t.kind.value: t
    for t in (
        DocumentType(
            DocumentKind.PLAN_VAN_AANPAK,
            "Plan van aanpak",
            "documents/plan_van_aanpak.html",
            contexts.plan_van_aanpak_context,
            "pva-2026.2",
            document_forms.PlanVanAanpakForm,
            has_afspraken=True,
        ),
        DocumentType(
            DocumentKind.EVALUATIE,
            "Evaluatie en bijstelling plan van aanpak",
            "documents/evaluatie.html",
            contexts.evaluatie_context,
            "eval-2026.2",
            document_forms.EvaluatieForm,
            has_afspraken=True,
        ),
        DocumentType(
            DocumentKind.EERSTEJAARSEVALUATIE,
            "Eerstejaarsevaluatie",
            "documents/evaluatie.html",
            contexts.evaluatie_context,
            "eval-2026.2",
            document_forms.EvaluatieForm,
            has_afspraken=True,
        ),
        DocumentType(
            DocumentKind.EINDEVALUATIE,
            "Eindevaluatie plan van aanpak",
            "documents/evaluatie.html",
            contexts.evaluatie_context,
            "eval-2026.2",
            document_forms.EvaluatieForm,
            has_afspraken=True,
        ),
        DocumentType(
            DocumentKind.UWV_42_WEEK_MELDING,
            "Ziekmelding 42e week: gegevens voor UWV",
            "documents/datasheet.html",
            contexts.uwv_42_week_context,
            "uwv42-2026.1",
            document_forms.Uwv42WeekForm,
            parties=(Party.WERKGEVER,),
        ),
        DocumentType(
            DocumentKind.PROBLEEMANALYSE,
            "Probleemanalyse: deel voor werkgever en werknemer",
            "documents/datasheet.html",
            contexts.probleemanalyse_context,
            "pa-2026.1",
            document_forms.ProbleemanalyseForm,
            parties=(),
        ),
    )
}


def document_type(kind: str) -> DocumentType:
    """The registered type of ``kind``; KeyError for an unknown kind."""
    return REGISTRY[kind]
