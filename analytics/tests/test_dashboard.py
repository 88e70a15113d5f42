"""The dashboard: closed periods from their snapshot, the rest live."""

from __future__ import annotations

import json
from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext

from analytics.models import FigureSnapshot
from analytics.periods import Period, Scope
from analytics.selectors import dashboard, verzuimpercentage
from analytics.serialization import dashboard_from_json, dashboard_to_json
from analytics.tests.conftest import case, d, employee
from cases.tests.factories import WorkabilityChangeFactory

JUNE = Period.month(2025, 6)
LATER = d("2025-12-01")


def _snapshots(employer):
    return FigureSnapshot.objects.filter(employer=employer)


def test_closed_month_is_stored_once_and_read_back_without_recomputing(
    employer, django_assert_num_queries
):
    sick = case(employee(employer), "2025-06-05", "2025-06-15")
    first = dashboard(Scope(employer), JUNE, as_of=LATER)
    assert first.verzuimpercentage.percentage == Decimal("33.33")  # 100 x 10 / 30
    assert _snapshots(employer).count() == 1
    # Read back: one SELECT, no figure computed again.
    with django_assert_num_queries(1):
        again = dashboard(Scope(employer), JUNE, as_of=d("2025-12-24"))
    assert again == first
    assert _snapshots(employer).count() == 1
    # A backdated partial recovery (50 % from 10 June) deletes the snapshot...
    WorkabilityChangeFactory(
        case=sick, effective_date=d("2025-06-10"), percentage_unfit=50
    )
    assert _snapshots(employer).count() == 0
    # ...and the next request computes the new figure: 5 days at 100 %, 5 at
    # 50 %.
    fresh = dashboard(Scope(employer), JUNE, as_of=LATER)
    assert fresh.verzuimpercentage.sick_days == Decimal(5 + 5 * 0.5)
    assert _snapshots(employer).count() == 1


def test_running_and_custom_periods_are_never_stored(employer):
    case(employee(employer), "2025-06-05", "2025-06-15")
    running = dashboard(Scope(employer), JUNE, as_of=d("2025-06-20"))
    assert running.verzuimpercentage.employment_days == 20
    custom = Period.custom(d("2025-06-01"), d("2025-06-30"))
    dashboard(Scope(employer), custom, as_of=LATER)
    assert _snapshots(employer).count() == 0


def test_department_snapshot_is_its_own(employer):
    case(employee(employer, department="Magazijn"), "2025-06-01", "2025-06-16")
    employee(employer, department="Kantoor")
    whole = dashboard(Scope(employer), JUNE, as_of=LATER)
    magazijn = dashboard(Scope(employer, "Magazijn"), JUNE, as_of=LATER)
    assert whole.verzuimpercentage.percentage == Decimal("25.00")  # 15 / 60
    assert magazijn.verzuimpercentage.percentage == Decimal("50.00")  # 15 / 30
    assert magazijn.scope_label == "Statistiek B.V. — Magazijn"
    assert set(_snapshots(employer).values_list("department", flat=True)) == {
        "",
        "Magazijn",
    }


def test_dashboard_round_trips_through_json(employer):
    case(employee(employer), "2025-06-05", "2025-06-15")
    case(employee(employer, hours="32"), "2025-06-01", changes=(("2025-06-16", 40),))
    figures = dashboard(Scope(employer), Period.quarter(2025, 2), as_of=LATER)
    data = json.loads(json.dumps(dashboard_to_json(figures)))
    assert data["verzuimpercentage"]["percentage"] == str(
        figures.verzuimpercentage.percentage
    )
    assert data["period_start"] == "2025-04-01"
    assert data["verzuimduur"]["classes"][0]["duration_class"] == "kort"
    assert dashboard_from_json(data) == figures
    # The dashboard sums its VP from the months; the selector counts it at
    # once: the same figure.
    alone = verzuimpercentage(Scope(employer), Period.quarter(2025, 2), as_of=LATER)
    assert figures.verzuimpercentage == alone
    # 10 days full time; 32 / 40 = 0.8 x (15 days at 100 % + 15 at 40 %).
    assert alone.sick_days == 10 + Decimal("0.8") * (15 + 15 * Decimal("0.4"))
    assert alone.employment_days == 91 + 91 * Decimal("0.8")


def test_query_count_does_not_grow_with_cases(employer):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            dashboard(Scope(employer), JUNE, as_of=d("2025-06-20"))
        return len(captured)

    case(employee(employer), "2025-06-01", "2025-06-03")
    few = queries()
    for _ in range(6):
        case(employee(employer), "2025-06-02", "2025-06-09")
        case(employee(employer), "2025-05-02")
    assert queries() == few


def test_snapshot_of_an_older_shape_is_computed_again(employer):
    case(employee(employer), "2025-06-05", "2025-06-15")
    dashboard(Scope(employer), JUNE, as_of=LATER)
    _snapshots(employer).update(data={"verzuimpercentage": {"percentage": "1"}})
    figures = dashboard(Scope(employer), JUNE, as_of=LATER)
    assert figures.verzuimpercentage.percentage == Decimal("33.33")
    stored = _snapshots(employer).get()
    assert dashboard_from_json(stored.data) == figures
