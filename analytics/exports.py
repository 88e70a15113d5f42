"""The dashboard as CSV (one figure per file) and XLSX (one sheet per figure).

CSV: separated by semicolons, UTF-8 with a byte-order mark, CRLF line ends.
That is what Excel with Dutch regional settings opens correctly by a double
click (a comma separator lands everything in one column there, and without
the BOM it reads "ë" as two characters). Decimals follow the language of the
page: a decimal comma in Dutch, a point in English; no thousands separator.
An empty cell is a figure without a value (no denominator).

XLSX: numbers stay numbers (percentages as 4.3, not "4,3%"), so a reader can
compute with them; the first sheet says whose figures over which period.

Text cells that a spreadsheet would run as a formula (starting with ``=``,
``+``, ``-``, ``@``, a tab or a carriage return) get a leading apostrophe
(OWASP "CSV injection"); names of employers and departments are user input.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

from django.utils import formats
from django.utils.text import slugify
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from analytics.figures import Dashboard
from analytics.presentation import Cell, Table

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_text(text: str) -> str:
    """``text`` as a spreadsheet shows it, never run as a formula."""
    return f"'{text}" if text.startswith(_FORMULA_STARTS) else text


def filename(dashboard: Dashboard, extension: str, figure: str = "") -> str:
    """``verzuimcijfers-<employer>-<period>[-<figure>].<extension>``."""
    parts = ["verzuimcijfers", dashboard.scope_label, dashboard.period_label, figure]
    stem = "-".join(slugify(part) for part in parts if slugify(part))
    return f"{stem}.{extension}"


def _csv_cell(cell: Cell) -> str:
    if cell is None:
        return ""
    if isinstance(cell, bool):  # pragma: no cover - no figure is a bool
        return str(int(cell))
    if isinstance(cell, Decimal):
        return formats.number_format(cell, use_l10n=True, force_grouping=False)
    if isinstance(cell, int):
        return str(cell)
    if isinstance(cell, dt.date):
        return cell.isoformat()
    return safe_text(cell)


def table_csv(table: Table) -> bytes:
    """One figure as CSV bytes (see the module docstring)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([safe_text(column) for column in table.columns])
    for row in table.rows:
        writer.writerow([_csv_cell(cell) for cell in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _sheet_title(title: str, used: set[str]) -> str:
    # Excel: at most 31 characters, none of []:*?/\ and unique.
    clean = "".join(" " if ch in "[]:*?/\\" else ch for ch in title)[:31].strip()
    name, n = clean, 2
    while name.lower() in used:
        suffix = f" {n}"
        name, n = clean[: 31 - len(suffix)] + suffix, n + 1
    used.add(name.lower())
    return name


def _xlsx_cell(cell: Cell) -> object:
    if isinstance(cell, str):
        return safe_text(cell)
    return cell


def dashboard_xlsx(dashboard: Dashboard, tables: list[Table]) -> bytes:
    """The dashboard as an XLSX workbook: an overview sheet, then one sheet
    per table in ``tables``."""
    workbook = Workbook()
    bold = Font(bold=True)
    overview = workbook.active
    used: set[str] = set()
    overview.title = _sheet_title(_("Overzicht"), used)
    for label, value in (
        (_("Werkgever"), safe_text(dashboard.scope_label)),
        (_("Periode"), dashboard.period_label),
        (_("Van"), dashboard.period_start),
        (_("Tot en met"), dashboard.period_end),
        (_("Peildatum"), dashboard.as_of),
        (_("Berekend op"), localtime(dashboard.computed_at).replace(tzinfo=None)),
    ):
        overview.append([label, value])
        overview.cell(overview.max_row, 1).font = bold
    overview.column_dimensions["A"].width = 18
    overview.column_dimensions["B"].width = 40
    for row in overview.iter_rows(min_row=3, max_row=5, min_col=2, max_col=2):
        for cell in row:
            cell.number_format = "yyyy-mm-dd"
    overview["B6"].number_format = "yyyy-mm-dd hh:mm"

    for table in tables:
        sheet = workbook.create_sheet(_sheet_title(table.title, used))
        sheet.append([safe_text(column) for column in table.columns])
        for cell in sheet[1]:
            cell.font = bold
        for row in table.rows:
            sheet.append([_xlsx_cell(cell) for cell in row])
            for cell in sheet[sheet.max_row]:
                if isinstance(cell.value, Decimal | float):
                    cell.number_format = "0.0##"
                elif isinstance(cell.value, dt.date):
                    cell.number_format = "yyyy-mm-dd"
        for index, column in enumerate(table.columns, start=1):
            letter = sheet.cell(1, index).column_letter
            widest = max(
                [len(str(column))]
                + [len(str(row[index - 1] or "")) for row in table.rows]
            )
            sheet.column_dimensions[letter].width = min(max(widest + 2, 10), 60)
        sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
