"""Reads for the UWV exports: the 42-week report's data and what is missing
from it, and the signed parts of the re-integratieverslag in UWV's order.

Nothing here reads a medical model: the 42-week data comes from the Hervat
form and the case, the package from signed employer documents only.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.timezone import localtime
from django.utils.translation import gettext as _

from cases.models import AbsenceCase
from cases.validators import bsn_is_valid
from documents.models import Document, DocumentKind, DocumentStatus, Signature
from documents.registry import document_type
from documents.reintegratieverslag import PART_ORDER, TOC_LABELS
from documents.selectors import (
    case_reference,
    document_latest,
    document_prefill,
    employee_form_name,
)

SCHEMA_42_WEEK = "urn:hervat:uwv:ziekmelding-42e-week:v1"
SCHEMA_RIV_PACKAGE = "urn:hervat:uwv:riv-pakket:v1"

# 9 digits, "L", 2 digits: the form Belastingdienst gives the number.
LOONHEFFINGENNUMMER = re.compile(r"^\d{9}L\d{2}$")

EXPECTED_DURATION = {
    "unknown": "onbekend",
    "days": "enkele_dagen",
    "weeks": "enkele_weken",
    "long": "langer_dan_6_weken",
}

# The file name part of each RIV part, in the names HR uploads.
PART_SLUGS = {
    DocumentKind.PROBLEEMANALYSE: "probleemanalyse",
    DocumentKind.PLAN_VAN_AANPAK: "plan-van-aanpak",
    DocumentKind.EVALUATIE: "evaluatie",
    DocumentKind.EERSTEJAARSEVALUATIE: "eerstejaarsevaluatie",
    DocumentKind.EINDEVALUATIE: "eindevaluatie",
}


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


def _date(value: Any) -> str | None:
    """An ISO date from a form's ``data``; None when empty or unreadable."""
    if not value:
        return None
    try:
        return dt.date.fromisoformat(str(value)).isoformat()
    except ValueError:
        return None


def _hours(value: Any) -> float | None:
    """Hours as the forms store them ("16", "16,5") as a number."""
    if value in (None, ""):
        return None
    try:
        return float(Decimal(str(value).replace(",", ".")))
    except (InvalidOperation, ValueError):
        return None


def _text(data: dict[str, Any], key: str) -> str:
    value = data.get(key)
    return "" if value is None else str(value).strip()


# --- 42-week report ---------------------------------------------------------


def melding_42_source(*, case: AbsenceCase) -> Document:
    """The version of the 42-week form the export shows.

    The newest signed version; else the newest version (a concept or one
    under signature); else an unsaved preview filled with what Hervat knows
    now (``pk`` None), so HR sees the data before anyone drafted the form.
    """
    signed = (
        Document.objects.filter(
            case=case,
            kind=DocumentKind.UWV_42_WEEK_MELDING,
            status=DocumentStatus.ONDERTEKEND,
        )
        .exclude(pdf="")
        .order_by("-version")
        .first()
    )
    if signed is not None:
        return signed
    latest = document_latest(case=case, kind=DocumentKind.UWV_42_WEEK_MELDING)
    if latest is not None:
        return latest
    kind = DocumentKind.UWV_42_WEEK_MELDING
    return Document(
        tenant_id=case.tenant_id,
        case=case,
        kind=kind,
        version=1,
        status=DocumentStatus.CONCEPT,
        language=case.employee.preferred_language,
        data=document_prefill(case=case, kind=kind),
        template_version=document_type(kind).template_version,
    )


def source_status(document: Document) -> str:
    return "voorbeeld" if document.pk is None else str(document.status)


def melding_42_missing(*, case: AbsenceCase, source: Document) -> list[str]:
    """What UWV needs and the export lacks, one sentence each, in the order
    of the form; empty when the data file can be made."""
    data = source.data
    bsn = case.employee.bsn or ""
    missing: list[str] = []
    if not bsn:
        missing.append(
            _("Burgerservicenummer van de werknemer ontbreekt (bij de werknemer).")
        )
    elif not bsn_is_valid(bsn):
        missing.append(_("Burgerservicenummer van de werknemer klopt niet (elfproef)."))
    checks = (
        ("werknemer_naam", _("Naam van de werknemer ontbreekt (vraag 1.1).")),
        (
            "werknemer_geboortedatum",
            _("Geboortedatum van de werknemer ontbreekt (vraag 1.3)."),
        ),
        ("werkgever_naam", _("Bedrijfsnaam van de werkgever ontbreekt (vraag 2.1).")),
        (
            "loonheffingennummer",
            _("Loonheffingennummer van de werkgever ontbreekt (vraag 2.2)."),
        ),
        ("contact_naam", _("Naam van de contactpersoon ontbreekt (vraag 2.3).")),
        (
            "contact_telefoon",
            _("Telefoonnummer van de contactpersoon ontbreekt (vraag 2.4)."),
        ),
        (
            "eerste_ziektedag",
            _("Eerste arbeidsongeschiktheidsdag ontbreekt (vraag 3.1)."),
        ),
    )
    for key, message in checks:
        value = _text(data, key)
        if key in ("werknemer_geboortedatum", "eerste_ziektedag"):
            value = _date(value) or ""
        if not value:
            missing.append(message)
        elif key == "loonheffingennummer" and not LOONHEFFINGENNUMMER.match(value):
            missing.append(
                _(
                    "Loonheffingennummer van de werkgever heeft niet de vorm "
                    "123456789L01 (vraag 2.2)."
                )
            )
    percentage = data.get("percentage_ongeschikt")
    if not isinstance(percentage, int) or not 0 <= percentage <= 100:
        missing.append(_("Percentage arbeidsongeschikt ontbreekt (vraag 3.2)."))
    return missing


def _chain(case: AbsenceCase) -> list[AbsenceCase]:
    from poortwachter.services import case_chain

    return case_chain(case=case)


def chain_first_sick_day(*, case: AbsenceCase) -> dt.date:
    """The first sick day of the periods added up with ``case``."""
    return _chain(case)[0].first_sick_day


def _uwv_42_due(case: AbsenceCase) -> dt.date | None:
    from poortwachter.rules import RulesInputError
    from poortwachter.services import chain_timeline

    try:
        _chain_cases, timeline = chain_timeline(case=case)
    except RulesInputError:
        return None
    for milestone in timeline.milestones:
        if milestone.code == "uwv_42_week_melding":
            return milestone.due
    return None


def _signed_on(document: Document) -> str | None:
    return _iso(localtime(document.signed_at).date()) if document.signed_at else None


def melding_42_data(
    *, case: AbsenceCase, source: Document, now: dt.datetime
) -> dict[str, Any]:
    """The data file of the 42-week report (schema
    ``integrations/uwv/schema/ziekmelding-42e-week.v1.schema.json``).

    Values printed on the Hervat form come from ``source`` so the file and the
    PDF agree; the full BSN and what the form does not print (periods added
    up, eigenrisicodrager, plan van aanpak) come from the case.
    """
    from poortwachter.models import Probleemanalyse, ProbleemanalyseKind

    data = source.data
    employee = case.employee
    employer = employee.employer
    chain = _chain(case)
    percentage = data.get("percentage_ongeschikt")
    hours_worked = _hours(data.get("uren_gewerkt"))
    plans = Document.objects.filter(
        case__in=chain,
        kind=DocumentKind.PLAN_VAN_AANPAK,
        status=DocumentStatus.ONDERTEKEND,
    ).order_by("signed_at", "pk")
    first_plan = plans.first()
    analysis = (
        Probleemanalyse.objects.filter(case__in=chain, kind=ProbleemanalyseKind.EERSTE)
        .order_by("made_on", "pk")
        .first()
    )
    due = _uwv_42_due(case)
    return {
        "schema": SCHEMA_42_WEEK,
        "soort": "ziekmelding_42e_week",
        "aangemaakt_op": localtime(now).isoformat(timespec="seconds"),
        "dossier": case_reference(case=case),
        "bron": {
            "document_versie": source.version if source.pk else None,
            "status": source_status(source),
            "ondertekend_op": _signed_on(source),
            "sha256": source.sha256 or None,
        },
        "werkgever": {
            "naam": _text(data, "werkgever_naam"),
            "loonheffingennummer": _text(data, "loonheffingennummer"),
            "eigenrisicodrager_zw": employer.eigenrisicodrager_zw,
            "eigenrisicodrager_wga": employer.eigenrisicodrager_wga,
            "contactpersoon": {
                "naam": _text(data, "contact_naam"),
                "telefoon": _text(data, "contact_telefoon"),
            },
        },
        "werknemer": {
            "burgerservicenummer": employee.bsn or "",
            "naam": _text(data, "werknemer_naam"),
            "geboortenaam": employee.birth_name,
            "geboortedatum": _date(data.get("werknemer_geboortedatum")),
            "personeelsnummer": _text(data, "personeelsnummer"),
        },
        "arbeidsongeschiktheid": {
            "eerste_ziektedag": _date(data.get("eerste_ziektedag")),
            "samentelling": len(chain) > 1,
            "ziekteperiodes": [
                {
                    "eerste_ziektedag": _iso(period.first_sick_day),
                    "hersteldatum": _iso(period.recovery_date),
                }
                for period in chain
            ],
            "percentage_arbeidsongeschikt": percentage,
            "werkt_gedeeltelijk": (isinstance(percentage, int) and 0 < percentage < 100)
            or bool(hours_worked),
            "gewerkte_uren_per_week": hours_worked,
            "verwachte_duur": EXPECTED_DURATION.get(case.expected_duration, "onbekend"),
            "ongeval_of_aansprakelijke_derde": bool(data.get("verhaal")),
            "vangnet": case.vangnet_category or None,
        },
        "dienstverband": {
            "functie": _text(data, "functie_naam"),
            "contracturen_per_week": _hours(data.get("functie_uren")),
            "in_dienst_sinds": _date(data.get("in_dienst_sinds")),
            "uit_dienst_per": _date(data.get("uit_dienst_per")),
        },
        "plan_van_aanpak": {
            "opgesteld": first_plan is not None,
            "ondertekend_op": _signed_on(first_plan) if first_plan else None,
            "nodig_volgens_bedrijfsarts": analysis.plan_van_aanpak_needed
            if analysis
            else None,
        },
        "melding": {
            "uiterste_datum": _iso(due) or _date(data.get("uiterste_datum")),
            "toelichting": _text(data, "toelichting"),
        },
    }


# Labels for the CSV, as the Hervat form (and so UWV's portal) names them.
CSV_LABELS = {
    "werkgever.naam": "Bedrijfsnaam",
    "werkgever.loonheffingennummer": "Loonheffingennummer",
    "werkgever.eigenrisicodrager_zw": "Eigenrisicodrager Ziektewet",
    "werkgever.eigenrisicodrager_wga": "Eigenrisicodrager WGA",
    "werkgever.contactpersoon.naam": "Naam contactpersoon",
    "werkgever.contactpersoon.telefoon": "Telefoonnummer contactpersoon",
    "werknemer.burgerservicenummer": "Burgerservicenummer",
    "werknemer.naam": "Voorletters en achternaam",
    "werknemer.geboortenaam": "Geboortenaam",
    "werknemer.geboortedatum": "Geboortedatum",
    "werknemer.personeelsnummer": "Personeelsnummer",
    "arbeidsongeschiktheid.eerste_ziektedag": "Eerste arbeidsongeschiktheidsdag",
    "arbeidsongeschiktheid.samentelling": "Samentelling van ziekteperiodes",
    "arbeidsongeschiktheid.percentage_arbeidsongeschikt": (
        "Percentage arbeidsongeschikt"
    ),
    "arbeidsongeschiktheid.werkt_gedeeltelijk": "Werkt gedeeltelijk",
    "arbeidsongeschiktheid.gewerkte_uren_per_week": "Gewerkte uren per week",
    "arbeidsongeschiktheid.verwachte_duur": "Verwachte duur",
    "arbeidsongeschiktheid.ongeval_of_aansprakelijke_derde": (
        "Ongeval of aansprakelijke derde (verhaal)"
    ),
    "arbeidsongeschiktheid.vangnet": "Vangnet",
    "dienstverband.functie": "Functie",
    "dienstverband.contracturen_per_week": "Contracturen per week",
    "dienstverband.in_dienst_sinds": "In dienst sinds",
    "dienstverband.uit_dienst_per": "Uit dienst per",
    "plan_van_aanpak.opgesteld": "Plan van aanpak opgesteld",
    "plan_van_aanpak.ondertekend_op": "Plan van aanpak ondertekend op",
    "plan_van_aanpak.nodig_volgens_bedrijfsarts": (
        "Plan van aanpak nodig volgens bedrijfsarts"
    ),
    "melding.uiterste_datum": "Uiterste datum melding",
    "melding.toelichting": "Toelichting",
}


# --- re-integratieverslag package -------------------------------------------


@dataclass(frozen=True)
class PackagePart:
    """One signed document as one file of the package."""

    number: int
    document: Document
    slug: str
    title: str
    signed_on: dt.date
    signatures: tuple[Signature, ...]

    def filename(self, bsn: str) -> str:
        return f"{bsn}_{self.number:02d}_{self.slug}_{self.signed_on.isoformat()}.pdf"

    @property
    def description(self) -> str:
        return (
            f"{self.title}, versie {self.document.version}, ondertekend "
            f"{self.signed_on:%d-%m-%Y}"
        )


def riv_package_parts(*, case: AbsenceCase) -> list[PackagePart]:
    """Every signed part of the re-integratieverslag Hervat holds, in UWV's
    order (``documents.reintegratieverslag.PART_ORDER``), each version by its
    signing date. The 42-week report is not part of it."""
    signed = list(
        Document.objects.filter(
            case=case, status=DocumentStatus.ONDERTEKEND, kind__in=list(PART_SLUGS)
        )
        .exclude(pdf="")
        .prefetch_related("signatures")
        .order_by("signed_at", "pk")
    )
    parts: list[PackagePart] = []
    for group in PART_ORDER:
        for document in (d for d in signed if d.kind in group):
            signed_on = localtime(document.signed_at).date()
            parts.append(
                PackagePart(
                    number=len(parts) + 1,
                    document=document,
                    slug=PART_SLUGS[DocumentKind(document.kind)],
                    title=TOC_LABELS[DocumentKind(document.kind)],
                    signed_on=signed_on,
                    signatures=tuple(
                        sorted(document.signatures.all(), key=lambda s: s.party)
                    ),
                )
            )
    return parts


def riv_package_missing(*, case: AbsenceCase) -> list[str]:
    """What stops the package from being made (UWV files it under the BSN)."""
    bsn = case.employee.bsn or ""
    if not bsn:
        return [_("Burgerservicenummer van de werknemer ontbreekt (bij de werknemer).")]
    if not bsn_is_valid(bsn):
        return [_("Burgerservicenummer van de werknemer klopt niet (elfproef).")]
    return []


def riv_package_form_name(*, case: AbsenceCase) -> str:
    employee = case.employee
    return employee_form_name(employee=employee) or employee.display_name


def riv_package_storage_name(*, case: AbsenceCase, today: dt.date) -> str:
    """Where the package built from the case as it stands today is stored.

    The name carries a keyed hash of everything the package shows (signed
    parts by their sha256, scans, names, BSN, the completeness check, the
    date), so an unchanged case is served from storage and any change makes
    a new file. Keyed (``salted_hmac``): a plain hash of a BSN could be
    reversed by trying all 10^9 numbers.
    """
    import json

    from django.utils.crypto import salted_hmac

    from documents.reintegratieverslag import reintegratieverslag_findings

    employee = case.employee
    parts = riv_package_parts(case=case)
    payload = {
        "parts": [
            [
                p.document.pk,
                p.document.sha256,
                [[s.pk, s.scan_sha256] for s in p.signatures],
            ]
            for p in parts
        ],
        "who": [
            employee.bsn,
            riv_package_form_name(case=case),
            employee.employer.name,
            employee.employer.loonheffingennummer,
            chain_first_sick_day(case=case).isoformat(),
        ],
        "findings": [
            [f.severity, f.message]
            for f in reintegratieverslag_findings(case=case, today=today)
        ],
        "today": today.isoformat(),
        "format": "uwv-riv-pakket-v1",
    }
    key = salted_hmac(
        "integrations.uwv.riv_package",
        json.dumps(payload, sort_keys=True),
        algorithm="sha256",
    ).hexdigest()
    return f"{riv_package_folder(case=case)}riv-pakket-{key[:32]}.zip"


def riv_package_folder(*, case: AbsenceCase) -> str:
    return f"uwv/{case.tenant_id}/{case.pk}/"
