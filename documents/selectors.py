"""Reads of the documents app: lists, one document, and what a new draft
knows already (prefill) — always through the access policy."""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from accounts.access import cases_visible_to
from accounts.models import User
from accounts.scoping import current_tenant
from cases.models import AbsenceCase, Employee, WorkabilityChange
from documents.models import Document, DocumentKind, Signature

_REFERENCE = re.compile(r"^VZ-?(\d+)$", re.IGNORECASE)


def case_reference(*, case: AbsenceCase) -> str:
    """The case reference printed on every page: ``VZ-000123``."""
    return f"VZ-{case.pk:06d}"


def case_get_by_reference(*, reference: str) -> AbsenceCase:
    """A case of the active tenant by id (``123``) or reference (``VZ-000123``)."""
    text = reference.strip()
    match = _REFERENCE.match(text)
    case_id = match.group(1) if match else text
    if not case_id.isdigit():
        raise AbsenceCase.DoesNotExist(reference)
    return AbsenceCase.objects.select_related("employee", "employee__employer").get(
        pk=int(case_id)
    )


def documents_for_case(*, actor: User, case: AbsenceCase) -> QuerySet[Document]:
    """Every version of every document of ``case`` the actor may see, by kind
    and newest version first, with their signatures (two queries)."""
    if not cases_visible_to(actor).filter(pk=case.pk).exists():
        return Document.objects.none()
    return (
        Document.objects.filter(case=case)
        .select_related("created_by")
        .prefetch_related("signatures")
        .order_by("kind", "-version")
    )


def document_list(*, actor: User) -> QuerySet[Document]:
    """Every document on a case the actor may see (every version)."""
    return Document.objects.filter(case__in=cases_visible_to(actor)).select_related(
        "case"
    )


def document_get(*, actor: User, document_id: int) -> Document:
    """One document whose case the actor may see; 404 otherwise."""
    return get_object_or_404(
        Document.objects.filter(case__in=cases_visible_to(actor)).select_related(
            "case", "case__employee", "case__employee__employer", "created_by"
        ),
        pk=document_id,
    )


def document_latest(*, case: AbsenceCase, kind: str) -> Document | None:
    return Document.objects.filter(case=case, kind=kind).order_by("-version").first()


def signatures_of(*, document: Document) -> list[Signature]:
    return list(Signature.objects.filter(document=document).order_by("party"))


def document_content_key(*, document: Document, signatures: list[Signature]) -> str:
    """A hash of everything the PDF is rendered from: when it equals the
    stored ``pdf_content_key`` the stored PDF is still right."""
    payload = {
        "data": document.data,
        "status": document.status,
        "language": document.language,
        "template_version": document.template_version,
        "signatures": [
            [s.party, s.name, s.signed_at.isoformat(), s.method] for s in signatures
        ],
    }
    encoded = json.dumps(payload, sort_keys=True, default=str).encode()
    return hashlib.sha256(encoded).hexdigest()


def _iso(value: Any) -> str:
    return value.isoformat() if value else ""


def _hours(value: Any) -> str:
    if value is None:
        return ""
    text = f"{value:.1f}"
    return text.removesuffix(".0").replace(".", ",")


def _chain_root(case: AbsenceCase) -> AbsenceCase:
    root = case
    seen = {root.pk}
    while root.previous_case_id and root.previous_case_id not in seen:
        root = root.previous_case
        seen.add(root.pk)
    return root


def employee_form_name(*, employee: Employee) -> str:
    """ "Voorletters en achternaam" as the UWV forms ask: J.P. de Vries."""
    parts = (employee.initials, employee.surname_prefix, employee.surname)
    return " ".join(part for part in parts if part)


def document_prefill(*, case: AbsenceCase, kind: str) -> dict[str, Any]:
    """What Hervat already knows for a new draft of ``kind`` on ``case``.

    Reads only the employer part of the bedrijfsarts' judgement
    (``Probleemanalyse``), never ``ProbleemanalyseMedical``. The BSN is
    stored masked, as the form may show it.
    """
    from poortwachter.models import Probleemanalyse, ProbleemanalyseKind

    tenant = current_tenant()
    if tenant is None:
        raise RuntimeError("document_prefill reads inside a tenant scope only.")
    employee = case.employee
    employer = employee.employer
    chain_ids = [case.pk]
    cursor = case
    while cursor.previous_case_id:
        cursor = cursor.previous_case
        chain_ids.append(cursor.pk)
    analysis = (
        Probleemanalyse.objects.filter(case_id__in=chain_ids)
        .select_related("bedrijfsarts")
        .order_by("-made_on", "-pk")
    )
    first = analysis.filter(kind=ProbleemanalyseKind.EERSTE).first()
    latest = analysis.first()
    bedrijfsarts = (
        first.bedrijfsarts.get_full_name()
        if first
        else (case.bedrijfsarts.get_full_name() if case.bedrijfsarts else "")
    )
    contact = case.casemanager or case.regiehouder
    data: dict[str, Any] = {
        "werknemer_naam": employee_form_name(employee=employee),
        "werknemer_geboortenaam": employee.birth_name,
        "werknemer_bsn": employee.bsn_masked,
        "werkgever_naam": employer.name,
        "werkgever_contactpersoon": employer.contact_name,
        "arbodienst_naam": tenant.name,
        "bedrijfsarts_naam": bedrijfsarts,
        "functie_naam": employee.job_title,
        "functie_omschrijving": employee.job_description,
        "functie_uren": _hours(employee.contract_hours),
        "eerste_ziektedag": _iso(_chain_root(case).first_sick_day),
    }
    if kind == DocumentKind.PLAN_VAN_AANPAK:
        data.update(
            {
                "probleemanalyse_datum": _iso(first.made_on) if first else "",
                "advies_bedrijfsarts": first.advice if first else "",
                "visie_werknemer": "",
                "visie_werkgever": "",
                "einddoelen": [],
                "einddoel_anders": "",
                "afspraken": [],
                "contact_naam": contact.get_full_name() if contact else "",
                "contact_telefoon": employer.contact_phone,
                "contact_email": contact.email if contact else "",
            }
        )
    elif kind in (
        DocumentKind.EVALUATIE,
        DocumentKind.EERSTEJAARSEVALUATIE,
        DocumentKind.EINDEVALUATIE,
    ):
        data.update(_evaluatie_prefill(case=case, kind=kind, latest=latest))
    elif kind == DocumentKind.UWV_42_WEEK_MELDING:
        data.update(_uwv_42_prefill(case=case, chain_ids=chain_ids))
    elif kind == DocumentKind.PROBLEEMANALYSE:
        data.update(
            {
                "probleemanalyse_datum": _iso(first.made_on) if first else "",
                "beperkingen": first.limitations if first else "",
                "prognose": first.prognosis if first else "",
                "advies": first.advice if first else "",
                "plan_van_aanpak_nodig": first.plan_van_aanpak_needed
                if first
                else True,
            }
        )
    return data


def _previous_plan(case: AbsenceCase) -> Document | None:
    return (
        Document.objects.filter(
            case=case,
            kind__in=[
                DocumentKind.PLAN_VAN_AANPAK,
                DocumentKind.EVALUATIE,
                DocumentKind.EERSTEJAARSEVALUATIE,
            ],
        )
        .order_by("-created_at", "-pk")
        .first()
    )


def _evaluatie_prefill(
    *, case: AbsenceCase, kind: str, latest: Any | None
) -> dict[str, Any]:
    aanleiding = {
        DocumentKind.EERSTEJAARSEVALUATIE: ["eerstejaarsevaluatie"],
        DocumentKind.EINDEVALUATIE: ["eindevaluatie"],
    }.get(DocumentKind(kind), ["periodiek"])
    change = (
        WorkabilityChange.objects.filter(case=case)
        .order_by("-effective_date", "-pk")
        .first()
    )
    situation: dict[str, Any] = {}
    if change is not None and change.percentage_unfit < 100:
        situation = {
            "sit_eigen_werk": True,
            "eigen_werk_uren": _hours(change.hours_worked),
            "eigen_werk_sinds": _iso(change.effective_date),
        }
    else:
        situation = {"sit_werkt_niet": True}
    previous = _previous_plan(case)
    return {
        "aanleidingen": aanleiding,
        "nieuw_advies_datum": _iso(latest.made_on)
        if latest and latest.kind != "eerste"
        else "",
        "aanleiding_anders": "",
        "activiteiten": "",
        "volgens_plan": "",
        "toelichting_plan": "",
        "einddoel_bijstellen": "",
        "toelichting_einddoel": "",
        **situation,
        "einddoelen": list(previous.data.get("einddoelen", [])) if previous else [],
        "einddoel_anders": previous.data.get("einddoel_anders", "") if previous else "",
        "afspraken": list(previous.data.get("afspraken", [])) if previous else [],
    }


def _uwv_42_prefill(*, case: AbsenceCase, chain_ids: list[int]) -> dict[str, Any]:
    from poortwachter.models import Deadline

    employee = case.employee
    change = (
        WorkabilityChange.objects.filter(case=case)
        .order_by("-effective_date", "-pk")
        .first()
    )
    deadline = (
        Deadline.objects.filter(case_id__in=chain_ids, milestone="uwv_42_week_melding")
        .order_by("due_date")
        .first()
    )
    contact = case.casemanager or case.regiehouder
    return {
        "werknemer_geboortedatum": _iso(employee.date_of_birth),
        "personeelsnummer": employee.personnel_number,
        "loonheffingennummer": employee.employer.loonheffingennummer,
        "contact_naam": contact.get_full_name() if contact else "",
        "contact_telefoon": employee.employer.contact_phone,
        "percentage_ongeschikt": change.percentage_unfit if change else 100,
        "uren_gewerkt": _hours(change.hours_worked) if change else "",
        "verhaal": case.accident_or_third_party,
        "vangnet": case.get_vangnet_category_display() if case.vangnet_category else "",
        "in_dienst_sinds": _iso(employee.employment_start),
        "uit_dienst_per": _iso(employee.employment_end),
        "uiterste_datum": _iso(deadline.due_date) if deadline else "",
        "toelichting": "",
    }
