"""A dashboard with known numbers, built from the figure values directly:
the real input of the charts, exports and report."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from analytics.figures import (
    Compliance,
    Dashboard,
    DurationClass,
    DurationClassCount,
    FrequentAbsence,
    Meldingsfrequentie,
    MilestoneCompliance,
    MonthlyPercentage,
    Nulverzuim,
    Verzuimduur,
    Verzuimpercentage,
)

D = Decimal


def sample_dashboard(*, scope_label: str = "A1 Bouw") -> Dashboard:
    trend = (
        MonthlyPercentage(dt.date(2026, 1, 1), D("4.2"), D("3.1")),
        MonthlyPercentage(dt.date(2026, 2, 1), D("5.6"), D("5.6")),
        MonthlyPercentage(dt.date(2026, 3, 1), None, None),
        MonthlyPercentage(dt.date(2026, 4, 1), D("3.0"), D("2.5")),
    )
    return Dashboard(
        scope_label=scope_label,
        period_label="K1 2026",
        period_start=dt.date(2026, 1, 1),
        period_end=dt.date(2026, 4, 30),
        as_of=dt.date(2026, 11, 20),
        computed_at=dt.datetime(2026, 11, 20, 7, 0, tzinfo=dt.UTC),
        verzuimpercentage=Verzuimpercentage(
            sick_days=D("123.5"),
            employment_days=D("2840"),
            percentage=D("4.35"),
            sick_days_excl_pregnancy=D("100.25"),
            percentage_excl_pregnancy=D("3.53"),
        ),
        trend=trend,
        meldingsfrequentie=Meldingsfrequentie(
            reports=7,
            average_headcount=D("23.4"),
            frequency=D("0.299"),
            annualised=D("0.897"),
        ),
        verzuimduur=Verzuimduur(
            ended_cases=5,
            total_days=212,
            mean_days=D("42.4"),
            classes=(
                DurationClassCount(DurationClass.KORT, 3, D("60")),
                DurationClassCount(DurationClass.MIDDELLANG, 1, D("20")),
                DurationClassCount(DurationClass.LANG, 1, D("20")),
                DurationClassCount(DurationClass.EXTRA_LANG, 0, D("0")),
            ),
        ),
        nulverzuim=Nulverzuim(employees=25, without_report=19, percentage=D("76")),
        frequent_absence=FrequentAbsence(
            employees=2,
            window_start=dt.date(2025, 5, 1),
            window_end=dt.date(2026, 4, 30),
        ),
        compliance=Compliance(
            milestones=(
                MilestoneCompliance("probleemanalyse", 4, 3, 1, 0, D("75"), D("6")),
                MilestoneCompliance("plan_van_aanpak", 3, 3, 0, 0, D("100"), None),
                MilestoneCompliance("uwv_42_week_melding", 0, 0, 0, 0, None, None),
            ),
            overdue_now=1,
            open_long_cases=2,
            at_risk_cases=1,
            average_days_late=D("6"),
        ),
    )
