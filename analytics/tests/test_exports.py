"""CSV and XLSX exports read back the way a spreadsheet would."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io

from django.utils import translation
from openpyxl import load_workbook

from analytics.exports import dashboard_xlsx, filename, safe_text, table_csv
from analytics.presentation import TABLE_KEYS, tables
from analytics.tests.ui_samples import sample_dashboard


def read_csv(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")  # BOM: Excel reads UTF-8
    text = data.decode("utf-8-sig")
    assert "\r\n" in text
    return list(csv.reader(io.StringIO(text), delimiter=";"))


def test_csv_of_the_duration_classes_in_dutch():
    with translation.override("nl"):
        rows = read_csv(table_csv(tables(sample_dashboard())["duurklassen"]))
    assert rows[0] == [
        "Duurklasse",
        "Van (dagen)",
        "Tot en met (dagen)",
        "Verzuimgevallen",
        "Aandeel (%)",
    ]
    assert rows[1] == ["kort (1-14 dagen)", "1", "14", "3", "60"]
    assert rows[4][0] == "extra lang (366-730 dagen)"


def test_csv_decimals_follow_the_language_and_none_is_empty():
    dashboard = sample_dashboard()
    with translation.override("nl"):
        nl = read_csv(table_csv(tables(dashboard)["trend"]))
    with translation.override("en"):
        en = read_csv(table_csv(tables(dashboard)["trend"]))
    assert nl[1] == ["2026-01", "4,2", "3,1"]
    assert en[1] == ["2026-01", "4.2", "3.1"]
    assert nl[3] == ["2026-03", "", ""]  # a month without a value


def test_csv_cells_that_look_like_formulas_are_defused():
    dashboard = sample_dashboard()
    evil = dataclasses.replace(
        dashboard.compliance,
        milestones=(
            dataclasses.replace(
                dashboard.compliance.milestones[0], milestone="=HYPERLINK(1)"
            ),
        ),
    )
    dashboard = dataclasses.replace(dashboard, compliance=evil)
    rows = read_csv(table_csv(tables(dashboard)["naleving_mijlpalen"]))
    assert rows[1][0] == "'=HYPERLINK(1)"
    for text in ("+1", "-1", "@SUM(A1)", "=1"):
        assert safe_text(text) == "'" + text
    assert safe_text("Bouw = werk") == "Bouw = werk"


def test_xlsx_has_a_sheet_per_figure_with_numbers_as_numbers():
    dashboard = sample_dashboard(scope_label="=A1 Bouw")
    with translation.override("nl"):
        all_tables = tables(dashboard)
        data = dashboard_xlsx(dashboard, [all_tables[key] for key in TABLE_KEYS])
    book = load_workbook(io.BytesIO(data))
    assert book.sheetnames[0] == "Overzicht"
    assert len(book.sheetnames) == 1 + len(TABLE_KEYS)
    overview = book["Overzicht"]
    assert overview["B1"].value == "'=A1 Bouw"  # not a formula
    assert overview["B3"].value.date() == dt.date(2026, 1, 1)
    vp = book["Verzuimpercentage"]
    assert vp["A2"].value == "Verzuimpercentage (%)"
    assert vp["B2"].value == 4.35
    assert isinstance(vp["B2"].value, float)
    classes = book["Duurklassen"]
    assert [c.value for c in classes[2]] == ["kort (1-14 dagen)", 1, 14, 3, 60]
    milestones = book["Op tijd per mijlpaal"]
    assert [c.value for c in milestones[4]] == [
        "42e-weeksmelding aan UWV",
        0,
        0,
        0,
        0,
        None,
        None,
    ]


def test_filenames_name_employer_period_and_figure():
    dashboard = sample_dashboard(scope_label="Bakkerij De Één")
    assert filename(dashboard, "xlsx") == "verzuimcijfers-bakkerij-de-een-k1-2026.xlsx"
    assert (
        filename(dashboard, "csv", "trend")
        == "verzuimcijfers-bakkerij-de-een-k1-2026-trend.csv"
    )
