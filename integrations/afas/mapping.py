"""AFAS rows -> the rows of ``integrations.imports``.

The GetConnector is defined in the tenant's AFAS environment; it must expose
these field ids (docs/integrations/import.md). A connection may rename them
(``AfasConnection.field_map``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from integrations.imports.parsing import SourceRow

# AFAS field id -> import target field.
DEFAULT_FIELD_MAP: dict[str, str] = {
    "Medewerker": "personnel_number",
    "BSN": "bsn",
    "Voorletters": "initials",
    "Roepnaam": "first_name",
    "Voorvoegsel": "surname_prefix",
    "Achternaam": "surname",
    "Geboortenaam": "birth_name",
    "Geboortedatum": "date_of_birth",
    "Email_werk": "email",
    "Mobiel_werk": "phone",
    "Functie_omschrijving": "job_title",
    "Afdeling": "department",
    "Uren_per_week": "contract_hours",
    "Email_leidinggevende": "manager_email",
    "Datum_in_dienst": "employment_start",
    "Datum_uit_dienst": "employment_end",
}
PERSONNEL_NUMBER_FIELD = "Medewerker"


def _text(value: Any) -> str:
    """AFAS JSON values as the text a file would hold: dates as ISO dates
    (AFAS sends ``2020-01-01T00:00:00Z``), whole numbers without ``.0``."""
    if value is None or isinstance(value, bool):
        return ""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    text = str(value).strip()
    if len(text) >= 19 and text[4] == "-" and text[10] == "T":
        try:
            return dt.date.fromisoformat(text[:10]).isoformat()
        except ValueError:
            return text
    return text


def field_map_for(overrides: Mapping[str, str] | None) -> dict[str, str]:
    """The default map with a connection's renamed field ids applied:
    ``overrides`` maps target field -> AFAS field id."""
    by_target = {target: afas for afas, target in DEFAULT_FIELD_MAP.items()}
    by_target.update(overrides or {})
    return {afas: target for target, afas in by_target.items() if afas}


def source_rows(
    rows: Iterable[Mapping[str, Any]], field_map: Mapping[str, str]
) -> tuple[list[SourceRow], dict[str, str]]:
    """The rows to import and the columns (target -> AFAS field id) they
    hold, for the error messages. Only fields present in the rows count as
    mapped, so a field the connector lacks is left alone in Hervat."""
    materialized = list(rows)
    present: set[str] = set()
    for row in materialized:
        present.update(row)
    columns = {target: afas for afas, target in field_map.items() if afas in present}
    result = [
        SourceRow(
            number=index,
            values={target: _text(row.get(afas)) for target, afas in columns.items()},
        )
        for index, row in enumerate(materialized, start=1)
    ]
    return result, columns
