"""Reading an HR or payroll export: CSV or XLSX into a header and rows, and
the cell formats of a Dutch export (dates dd-mm-jjjj, hours with a decimal
comma) into values ``cases.services.employee_fields_clean`` understands.

No models here: the same code reads a file and a connector's rows.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from core.exceptions import ApplicationError

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
MAX_ROWS = 100_000
CSV_DELIMITERS = (";", ",", "\t")


@dataclass(frozen=True)
class Table:
    """A file's header row and its data rows, each with its row number as a
    spreadsheet shows it (the header is row 1 when it is the first line)."""

    headers: list[str]
    rows: list[tuple[int, list[str]]]


@dataclass(frozen=True)
class SourceRow:
    """One employee as a source gives it: raw text per target field."""

    number: int
    values: dict[str, str]


def _file_error(message: str) -> ApplicationError:
    return ApplicationError(message, field="file")


def table_read(*, content: bytes, file_name: str, encoding: str) -> Table:
    """Read a CSV (``encoding``; ``;``, ``,`` or tab detected from the header
    line) or an XLSX file (first sheet). Raises ``ApplicationError`` with one
    clear message when the file cannot be read as a whole."""
    if len(content) > MAX_UPLOAD_BYTES:
        raise _file_error(
            _("Het bestand is groter dan %(max)d MB; splits het in delen.")
            % {"max": MAX_UPLOAD_BYTES // (1024 * 1024)}
        )
    lowered = file_name.lower()
    if lowered.endswith(".xlsx"):
        raw_rows = _xlsx_rows(content)
    elif lowered.endswith((".csv", ".txt")):
        raw_rows = _csv_rows(content, encoding)
    else:
        raise _file_error(
            _("Kies een CSV-bestand (.csv) of een Excel-bestand (.xlsx).")
        )
    return _table(raw_rows)


def _table(raw_rows: Iterator[tuple[int, list[str]]]) -> Table:
    headers: list[str] | None = None
    rows: list[tuple[int, list[str]]] = []
    for number, cells in raw_rows:
        if not any(cells):
            continue
        if headers is None:
            headers = cells
            continue
        if len(rows) >= MAX_ROWS:
            raise _file_error(
                _("Het bestand heeft meer dan %(max)d rijen; splits het in delen.")
                % {"max": MAX_ROWS}
            )
        rows.append((number, cells))
    if headers is None:
        raise _file_error(_("Het bestand is leeg."))
    seen: set[str] = set()
    for header in headers:
        if header and header in seen:
            raise _file_error(
                _("De kolomkop “%(header)s” komt twee keer voor; maak de koppen uniek.")
                % {"header": header}
            )
        seen.add(header)
    if not rows:
        raise _file_error(_("Het bestand heeft een kopregel maar geen werknemers."))
    return Table(headers=headers, rows=rows)


def _csv_rows(content: bytes, encoding: str) -> Iterator[tuple[int, list[str]]]:
    codec = "utf-8-sig" if encoding == "utf-8" else encoding
    try:
        text = content.decode(codec)
    except UnicodeDecodeError as exc:
        line = content[: exc.start].count(b"\n") + 1
        if encoding == "utf-8":
            message = _(
                "Het bestand is geen UTF-8-tekst (regel %(line)d). Sla het in "
                "Excel op als 'CSV UTF-8', of kies hierboven Windows-1252 als "
                "het bestand als gewone CSV is opgeslagen."
            )
        else:
            message = _(
                "Het bestand bevat tekens die niet in %(encoding)s bestaan "
                "(regel %(line)d). Kies UTF-8."
            )
        raise _file_error(message % {"line": line, "encoding": encoding}) from exc
    if "\x00" in text:
        raise _file_error(
            _("Dit is geen tekstbestand. Kies een CSV- of Excel-bestand.")
        )
    first_line = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = max(CSV_DELIMITERS, key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        for number, cells in enumerate(reader, start=1):
            yield number, [cell.strip() for cell in cells]
    except csv.Error as exc:
        raise _file_error(
            _("Regel %(line)d van het bestand is niet te lezen: %(reason)s")
            % {"line": reader.line_num, "reason": exc}
        ) from exc


def _xlsx_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value).strip()


def _xlsx_rows(content: bytes) -> Iterator[tuple[int, list[str]]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise _file_error(
            _("Dit is geen leesbaar Excel-bestand (.xlsx). Sla het opnieuw op.")
        ) from exc
    try:
        sheet = workbook.worksheets[0]
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, [_xlsx_cell(value) for value in values]
    finally:
        workbook.close()


def source_rows(*, table: Table, columns: Mapping[str, str]) -> list[SourceRow]:
    """The rows of ``table`` as raw text per target field, through
    ``columns`` (target field -> header). Cells past a row's end are empty."""
    index = {header: i for i, header in enumerate(table.headers) if header}
    picks = [(key, index[header]) for key, header in columns.items()]
    return [
        SourceRow(
            number=number,
            values={key: cells[i] if i < len(cells) else "" for key, i in picks},
        )
        for number, cells in table.rows
    ]


# --- Cell formats -------------------------------------------------------------

_DUTCH_DATE = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[T ][\d:.]+(?:Z|[+-][\d:]+)?)?$")


def date_parse(text: str) -> dt.date | None:
    """dd-mm-jjjj (also with / or .) or jjjj-mm-dd; None for an empty cell.
    Raises ``ValueError`` with a Dutch message otherwise."""
    text = text.strip()
    if not text:
        return None
    if match := _DUTCH_DATE.match(text):
        day, month, year = (int(part) for part in match.groups())
    elif match := _ISO_DATE.match(text):
        year, month, day = (int(part) for part in match.groups())
    else:
        raise ValueError(
            _("“%(value)s” is geen datum; gebruik dd-mm-jjjj of jjjj-mm-dd.")
            % {"value": text}
        )
    try:
        return dt.date(year, month, day)
    except ValueError as exc:
        raise ValueError(
            _("“%(value)s” bestaat niet als datum.") % {"value": text}
        ) from exc


def hours_parse(text: str) -> Decimal | None:
    """Hours per week with a decimal comma or point, rounded to one decimal
    as Hervat stores them; None for an empty cell."""
    text = text.strip().replace(" ", "")
    if not text:
        return None
    if text.count(",") + text.count(".") > 1:
        raise ValueError(
            _("“%(value)s” is geen aantal uren; schrijf bijvoorbeeld 32 of 32,5.")
            % {"value": text}
        )
    try:
        hours = Decimal(text.replace(",", "."))
    except InvalidOperation as exc:
        raise ValueError(
            _("“%(value)s” is geen aantal uren; schrijf bijvoorbeeld 32 of 32,5.")
            % {"value": text}
        ) from exc
    if not hours.is_finite():
        raise ValueError(_("“%(value)s” is geen aantal uren.") % {"value": text})
    return hours.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


_LANGUAGES = {
    "nl": "nl",
    "nederlands": "nl",
    "dutch": "nl",
    "en": "en",
    "engels": "en",
    "english": "en",
}


def language_parse(text: str) -> str:
    """nl/en, or the language's name in Dutch or English; empty is Dutch."""
    value = text.strip().lower()
    if not value:
        return ""
    if value not in _LANGUAGES:
        raise ValueError(
            _("“%(value)s” is geen voorkeurstaal; gebruik nl of en.") % {"value": text}
        )
    return _LANGUAGES[value]


_PARSERS = {
    "date_of_birth": date_parse,
    "employment_start": date_parse,
    "employment_end": date_parse,
    "contract_hours": hours_parse,
    "preferred_language": language_parse,
}


def row_fields(values: Mapping[str, str]) -> tuple[dict[str, Any], dict[str, str]]:
    """The fields of one row for ``employee_fields_clean`` (personnel number
    left out), and per field the message of a cell whose format is wrong."""
    fields: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for key, text in values.items():
        if key == "personnel_number":
            continue
        parser = _PARSERS.get(key)
        if parser is None:
            fields[key] = text
            continue
        try:
            fields[key] = parser(text)
        except ValueError as exc:
            errors[key] = str(exc)
    return fields, errors
