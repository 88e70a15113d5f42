"""Plain data for the PDF templates: one frozen dataclass per document type.

Templates receive only these values, never ORM objects, so rendering cannot
query the database and every document can be rendered from a hand-built
value in a test. Builders turn a document's ``data`` (plain JSON) into them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from documents.options import (
    AANLEIDINGEN,
    EINDDOELEN,
    JA_NEE,
    PROBLEEMVELDEN,
    Options,
    label,
)


@dataclass(frozen=True)
class Header:
    """What every page shows: the running header and footer."""

    title: str
    employee_name: str
    case_reference: str
    employer_name: str
    version: int
    status: str
    is_concept: bool
    # The page counter's words follow the document's language.
    page_word: str
    of_word: str


@dataclass(frozen=True)
class SignatureLine:
    party: str
    name: str
    signed_on: str
    method: str


@dataclass(frozen=True)
class Checkbox:
    label: str
    checked: bool


@dataclass(frozen=True)
class Afspraak:
    activiteit: str
    wie: str
    planning: str


@dataclass(frozen=True)
class AfsprakenGroep:
    label: str
    rows: tuple[Afspraak, ...]


@dataclass(frozen=True)
class Field:
    number: str
    label: str
    value: str


@dataclass(frozen=True)
class Section:
    number: str
    title: str
    fields: tuple[Field, ...]


@dataclass(frozen=True)
class PlanVanAanpak:
    header: Header
    werknemer_naam: str
    werknemer_geboortenaam: str
    werknemer_bsn: str
    werkgever_naam: str
    werkgever_contactpersoon: str
    arbodienst_naam: str
    bedrijfsarts_naam: str
    probleemanalyse_datum: str
    advies_bedrijfsarts: str
    functie_naam: str
    functie_omschrijving: str
    functie_uren: str
    visie_werknemer: str
    visie_werkgever: str
    einddoelen: tuple[Checkbox, ...]
    einddoel_anders: str
    afspraken: tuple[AfsprakenGroep, ...]
    contact_naam: str
    contact_telefoon: str
    contact_email: str
    signatures: tuple[SignatureLine, ...]


@dataclass(frozen=True)
class Situatie:
    label: str
    checked: bool
    details: tuple[Field, ...]


@dataclass(frozen=True)
class Evaluatie:
    header: Header
    werknemer_naam: str
    werknemer_geboortenaam: str
    werknemer_bsn: str
    werkgever_naam: str
    aanleidingen: tuple[Checkbox, ...]
    nieuw_advies_datum: str
    aanleiding_anders: str
    activiteiten: str
    volgens_plan: tuple[Checkbox, ...]
    toelichting_plan: str
    einddoel_bijstellen: tuple[Checkbox, ...]
    toelichting_einddoel: str
    situaties: tuple[Situatie, ...]
    einddoelen: tuple[Checkbox, ...]
    einddoel_anders: str
    afspraken: tuple[AfsprakenGroep, ...]
    signatures: tuple[SignatureLine, ...]


@dataclass(frozen=True)
class DataSheet:
    """A form of numbered sections with label/value fields (42-week report,
    probleemanalyse employer part)."""

    header: Header
    intro: str
    sections: tuple[Section, ...]
    signatures: tuple[SignatureLine, ...]


def display_date(value: str | None) -> str:
    """An ISO date from ``data`` as the forms write it: 19-04-2017."""
    if not value:
        return ""
    try:
        return dt.date.fromisoformat(value).strftime("%d-%m-%Y")
    except ValueError:
        return str(value)


def _text(data: dict[str, Any], key: str) -> str:
    value = data.get(key)
    return "" if value is None else str(value)


def _checkboxes(options: Options, chosen: list[str] | None) -> tuple[Checkbox, ...]:
    chosen_set = set(chosen or [])
    return tuple(Checkbox(str(text), code in chosen_set) for code, text in options)


def _afspraken(rows: list[dict[str, str]] | None) -> tuple[AfsprakenGroep, ...]:
    """Agreements grouped by problem area in the form's order; every area is
    listed (an empty one shows the form's empty row)."""
    rows = rows or []
    return tuple(
        AfsprakenGroep(
            str(text),
            tuple(
                Afspraak(
                    row.get("activiteit", ""),
                    row.get("wie", ""),
                    row.get("planning", ""),
                )
                for row in rows
                if row.get("probleemveld") == code
            ),
        )
        for code, text in PROBLEEMVELDEN
    )


def plan_van_aanpak_context(
    data: dict[str, Any], header: Header, signatures: tuple[SignatureLine, ...]
) -> PlanVanAanpak:
    return PlanVanAanpak(
        header=header,
        werknemer_naam=_text(data, "werknemer_naam"),
        werknemer_geboortenaam=_text(data, "werknemer_geboortenaam"),
        werknemer_bsn=_text(data, "werknemer_bsn"),
        werkgever_naam=_text(data, "werkgever_naam"),
        werkgever_contactpersoon=_text(data, "werkgever_contactpersoon"),
        arbodienst_naam=_text(data, "arbodienst_naam"),
        bedrijfsarts_naam=_text(data, "bedrijfsarts_naam"),
        probleemanalyse_datum=display_date(data.get("probleemanalyse_datum")),
        advies_bedrijfsarts=_text(data, "advies_bedrijfsarts"),
        functie_naam=_text(data, "functie_naam"),
        functie_omschrijving=_text(data, "functie_omschrijving"),
        functie_uren=_text(data, "functie_uren"),
        visie_werknemer=_text(data, "visie_werknemer"),
        visie_werkgever=_text(data, "visie_werkgever"),
        einddoelen=_checkboxes(EINDDOELEN, data.get("einddoelen")),
        einddoel_anders=_text(data, "einddoel_anders"),
        afspraken=_afspraken(data.get("afspraken")),
        contact_naam=_text(data, "contact_naam"),
        contact_telefoon=_text(data, "contact_telefoon"),
        contact_email=_text(data, "contact_email"),
        signatures=signatures,
    )


# Evaluatie 5.1: which situation applies, each with its own details.
SITUATIES = (
    ("eigen_werk", "De werknemer doet zijn eigen werk", ()),
    (
        "eigen_werk_aangepast",
        "De werknemer doet eigen werk met aanpassingen",
        (("aanpassingen", "Aanpassingen"),),
    ),
    ("ander_werk", "De werknemer doet ander werk", (("functie", "Functie"),)),
    (
        "andere_werkgever",
        "De werknemer werkt bij een andere werkgever",
        (("werkgever", "Naam werkgever"), ("functie", "Functie")),
    ),
    (
        "werkt_niet",
        "De werknemer werkt nu niet, maar kan in de toekomst wel werken",
        (("reden", "Waarom werkt de werknemer nog niet"),),
    ),
)
_WITH_HOURS = {"eigen_werk", "eigen_werk_aangepast", "ander_werk", "andere_werkgever"}


def _situaties(data: dict[str, Any]) -> tuple[Situatie, ...]:
    result = []
    for code, text, extra in SITUATIES:
        details: list[Field] = []
        if code in _WITH_HOURS:
            details.append(Field("", "Uren per week", _text(data, f"{code}_uren")))
            details.append(Field("", "Sinds", display_date(data.get(f"{code}_sinds"))))
        details.extend(
            Field("", field_label, _text(data, f"{code}_{key}"))
            for key, field_label in extra
        )
        result.append(Situatie(text, bool(data.get(f"sit_{code}")), tuple(details)))
    return tuple(result)


def evaluatie_context(
    data: dict[str, Any], header: Header, signatures: tuple[SignatureLine, ...]
) -> Evaluatie:
    return Evaluatie(
        header=header,
        werknemer_naam=_text(data, "werknemer_naam"),
        werknemer_geboortenaam=_text(data, "werknemer_geboortenaam"),
        werknemer_bsn=_text(data, "werknemer_bsn"),
        werkgever_naam=_text(data, "werkgever_naam"),
        aanleidingen=_checkboxes(AANLEIDINGEN, data.get("aanleidingen")),
        nieuw_advies_datum=display_date(data.get("nieuw_advies_datum")),
        aanleiding_anders=_text(data, "aanleiding_anders"),
        activiteiten=_text(data, "activiteiten"),
        volgens_plan=_checkboxes(JA_NEE, [data.get("volgens_plan", "")]),
        toelichting_plan=_text(data, "toelichting_plan"),
        einddoel_bijstellen=_checkboxes(JA_NEE, [data.get("einddoel_bijstellen", "")]),
        toelichting_einddoel=_text(data, "toelichting_einddoel"),
        situaties=_situaties(data),
        einddoelen=_checkboxes(EINDDOELEN, data.get("einddoelen")),
        einddoel_anders=_text(data, "einddoel_anders"),
        afspraken=_afspraken(data.get("afspraken")),
        signatures=signatures,
    )


def _yes_no(value: object) -> str:
    return label(JA_NEE, "ja" if value else "nee")


def uwv_42_week_context(
    data: dict[str, Any], header: Header, signatures: tuple[SignatureLine, ...]
) -> DataSheet:
    """The data sheet for the ziekmelding to UWV in the 42nd week."""
    return DataSheet(
        header=header,
        intro=(
            "Gegevens voor de ziekmelding van de werknemer bij UWV uiterlijk in "
            "de 42e week van arbeidsongeschiktheid."
        ),
        sections=(
            Section(
                "1",
                "Werknemer",
                (
                    Field(
                        "1.1",
                        "Voorletters en achternaam",
                        _text(data, "werknemer_naam"),
                    ),
                    Field("1.2", "Burgerservicenummer", _text(data, "werknemer_bsn")),
                    Field(
                        "1.3",
                        "Geboortedatum",
                        display_date(data.get("werknemer_geboortedatum")),
                    ),
                    Field("1.4", "Personeelsnummer", _text(data, "personeelsnummer")),
                ),
            ),
            Section(
                "2",
                "Werkgever",
                (
                    Field("2.1", "Bedrijfsnaam", _text(data, "werkgever_naam")),
                    Field(
                        "2.2",
                        "Loonheffingennummer",
                        _text(data, "loonheffingennummer"),
                    ),
                    Field("2.3", "Naam contactpersoon", _text(data, "contact_naam")),
                    Field(
                        "2.4",
                        "Telefoonnummer contactpersoon",
                        _text(data, "contact_telefoon"),
                    ),
                ),
            ),
            Section(
                "3",
                "Arbeidsongeschiktheid",
                (
                    Field(
                        "3.1",
                        "Eerste arbeidsongeschiktheidsdag",
                        display_date(data.get("eerste_ziektedag")),
                    ),
                    Field(
                        "3.2",
                        "Percentage arbeidsongeschikt",
                        f"{_text(data, 'percentage_ongeschikt')}%",
                    ),
                    Field(
                        "3.3",
                        "Gewerkte uren per week",
                        _text(data, "uren_gewerkt") or "0",
                    ),
                    Field(
                        "3.4",
                        "Ongeval of aansprakelijke derde (verhaal)",
                        _yes_no(data.get("verhaal")),
                    ),
                    Field("3.5", "Vangnet", _text(data, "vangnet") or "Geen"),
                ),
            ),
            Section(
                "4",
                "Functie en dienstverband",
                (
                    Field("4.1", "Functie", _text(data, "functie_naam")),
                    Field("4.2", "Contracturen per week", _text(data, "functie_uren")),
                    Field(
                        "4.3",
                        "In dienst sinds",
                        display_date(data.get("in_dienst_sinds")),
                    ),
                    Field(
                        "4.4",
                        "Uit dienst per",
                        display_date(data.get("uit_dienst_per")) or "—",
                    ),
                ),
            ),
            Section(
                "5",
                "Melding",
                (
                    Field(
                        "5.1",
                        "Uiterste datum melding",
                        display_date(data.get("uiterste_datum")),
                    ),
                    Field("5.2", "Toelichting", _text(data, "toelichting")),
                ),
            ),
        ),
        signatures=signatures,
    )


def probleemanalyse_context(
    data: dict[str, Any], header: Header, signatures: tuple[SignatureLine, ...]
) -> DataSheet:
    """The employer part of the bedrijfsarts' probleemanalyse: functional
    terms only, never the medical part."""
    return DataSheet(
        header=header,
        intro=(
            "Deel voor werkgever en werknemer. Medische gegevens staan niet in "
            "dit document."
        ),
        sections=(
            Section(
                "1",
                "Werknemer",
                (
                    Field(
                        "1.1",
                        "Voorletters en achternaam",
                        _text(data, "werknemer_naam"),
                    ),
                    Field("1.2", "Burgerservicenummer", _text(data, "werknemer_bsn")),
                    Field("1.3", "Functie", _text(data, "functie_naam")),
                ),
            ),
            Section(
                "2",
                "Werkgever",
                (Field("2.1", "Bedrijfsnaam", _text(data, "werkgever_naam")),),
            ),
            Section(
                "3",
                "Arbodienst/bedrijfsarts",
                (
                    Field("3.1", "Naam bedrijfsarts", _text(data, "bedrijfsarts_naam")),
                    Field("3.2", "Arbodienst", _text(data, "arbodienst_naam")),
                    Field(
                        "3.3",
                        "Datum probleemanalyse",
                        display_date(data.get("probleemanalyse_datum")),
                    ),
                ),
            ),
            Section(
                "4",
                "Oordeel van de bedrijfsarts",
                (
                    Field(
                        "4.1",
                        "Beperkingen en mogelijkheden",
                        _text(data, "beperkingen"),
                    ),
                    Field("4.2", "Prognose", _text(data, "prognose")),
                    Field("4.3", "Advies over werkhervatting", _text(data, "advies")),
                    Field(
                        "4.4",
                        "Plan van aanpak nodig",
                        _yes_no(data.get("plan_van_aanpak_nodig")),
                    ),
                ),
            ),
        ),
        signatures=signatures,
    )


@dataclass(frozen=True)
class TocEntry:
    title: str
    detail: str
    page: int


@dataclass(frozen=True)
class Voorwerk:
    """Cover and table of contents of the re-integratieverslag."""

    header: Header
    werknemer_naam: str
    werknemer_bsn: str
    werkgever_naam: str
    eerste_ziektedag: str
    samengesteld_op: str
    toc: tuple[TocEntry, ...]


@dataclass(frozen=True)
class Activiteit:
    date: str
    kind: str
    who: str
    summary: str


@dataclass(frozen=True)
class Activiteitenoverzicht:
    header: Header
    rows: tuple[Activiteit, ...]


@dataclass(frozen=True)
class OordeelWerknemer:
    header: Header
    werknemer_naam: str
