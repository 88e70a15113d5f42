"""The monthly PDF report, rendered for real with WeasyPrint and read back."""

from __future__ import annotations

from django.utils import translation

from analytics.periods import Period
from analytics.report import monthly_report_pdf
from analytics.tests.ui_samples import sample_dashboard
from documents.tests.helpers import flat, pdf_pages


def test_report_has_figures_charts_tables_and_definitions():
    dashboard = sample_dashboard()
    with translation.override("nl"):
        pdf = monthly_report_pdf(dashboard=dashboard, period=Period.month(2026, 4))
    assert pdf.startswith(b"%PDF")
    pages = [flat(page) for page in pdf_pages(pdf)]
    text = " ".join(pages)
    assert "Verzuimrapport K1 2026" in text
    assert "A1 Bouw" in text
    # The figures with their numbers filled in.
    assert "100 x 123,5 / 2840,0 = 4,4%" in text
    assert "Nulverzuim" in text and "100 x 19 / 25 = 76,0%" in text
    # Chart text (the SVG is drawn, its labels are text) and the tables.
    assert "Beëindigde verzuimgevallen per duurklasse" not in text  # a <title>
    assert "3 (60,0%)" in text
    assert "75,0% (3/4)" in text
    assert "Probleemanalyse bedrijfsarts" in text
    # The appendix is last, on its own page.
    assert "Bijlage: definities en formules" in pages[-1]
    assert "Formule:" in pages[-1]


def test_report_in_english():
    with translation.override("en"):
        pdf = monthly_report_pdf(
            dashboard=sample_dashboard(), period=Period.month(2026, 4)
        )
    text = flat(" ".join(pdf_pages(pdf)))
    assert "100 x 123.5 / 2840.0 = 4.4%" in text
