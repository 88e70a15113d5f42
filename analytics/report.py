"""The monthly PDF report of one employer, through the document pipeline
(``documents.rendering``: Django template, then sandboxed WeasyPrint).

It holds every figure of one month with the charts and their tables, and
the definitions and formulas in an appendix. The trend chart covers the
twelve months up to and including the report's month. Unlike the UWV forms,
which are always Dutch, the report is written in the reader's language.
No names: the cases at risk are counted, never listed.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.template.loader import render_to_string
from django.utils import timezone

from analytics import charts, presentation
from analytics.figures import Dashboard, MonthlyPercentage
from analytics.periods import Period
from documents.rendering import STATIC_PREFIX, html_to_pdf


def monthly_report_html(
    *,
    dashboard: Dashboard,
    period: Period,
    trend: Sequence[MonthlyPercentage] | None = None,
) -> str:
    trend = tuple(trend if trend is not None else dashboard.trend)
    tables = presentation.tables(dashboard)
    return render_to_string(
        "analytics/report.html",
        {
            "dashboard": dashboard,
            "cards": presentation.cards(dashboard, period),
            "tables": tables,
            "trend_table": presentation.trend_table(trend),
            "trend_svg": charts.trend_chart(trend),
            "duration_svg": charts.duration_chart(dashboard.verzuimduur),
            "compliance_svg": charts.compliance_chart(dashboard.compliance),
            "generated": timezone.localtime(),
            "static_prefix": STATIC_PREFIX,
        },
    )


def monthly_report_pdf(
    *,
    dashboard: Dashboard,
    period: Period,
    trend: Sequence[MonthlyPercentage] | None = None,
) -> bytes:
    """PDF/A bytes of the monthly report."""
    return html_to_pdf(
        monthly_report_html(dashboard=dashboard, period=period, trend=trend)
    )
