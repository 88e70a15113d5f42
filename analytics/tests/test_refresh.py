"""The nightly refresh (a real worker over Redis) and refresh_statistics."""

from __future__ import annotations

import datetime as dt
import time

import pytest
import time_machine
from celery.contrib.testing.worker import start_worker
from django.core.management import CommandError, call_command
from django.utils import timezone

from accounts.scoping import tenant_scope
from accounts.tests.factories import TenantFactory
from analytics.models import FigureSnapshot
from analytics.periods import Period, Scope
from analytics.selectors import dashboard
from analytics.serialization import dashboard_from_json
from analytics.services import refresh_periods
from analytics.tests.conftest import case, employee
from cases.tests.factories import EmployerFactory
from config.celery import app

TODAY = dt.date(2025, 12, 10)
# 13 closed months, 4 closed quarters, the last closed year.
PERIODS_KEPT = 13 + 4 + 1


def test_refresh_periods_are_the_closed_ones():
    periods = refresh_periods(today=TODAY)
    assert periods[0] == Period.month(2025, 11)
    assert periods[12] == Period.month(2024, 11)
    assert periods[13:17] == [
        Period.quarter(2025, 3),
        Period.quarter(2025, 2),
        Period.quarter(2025, 1),
        Period.quarter(2024, 4),
    ]
    assert periods[17] == Period.year(2024)
    assert len(periods) == PERIODS_KEPT
    assert all(p.is_closed(TODAY) for p in periods)
    # On the first of January the year just ended is closed.
    assert refresh_periods(today=dt.date(2026, 1, 1))[-1] == Period.year(2025)


def _wait_for(check, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "the worker did not do the work in time"
        time.sleep(0.3)


def _last_closed_month() -> Period:
    """The worker runs on the real clock: the month before this one."""
    return refresh_periods(today=timezone.localdate())[0]


@pytest.fixture
def two_tenants(transactional_db):
    first = TenantFactory(slug="refresh-a")
    second = TenantFactory(slug="refresh-b")
    month = _last_closed_month()
    with tenant_scope(first):
        big = EmployerFactory(tenant=first, name="Groot B.V.")
        small = EmployerFactory(tenant=first, name="Klein B.V.")
        sick_from = month.start + dt.timedelta(days=1)
        case(
            employee(big, department="Magazijn"),
            sick_from.isoformat(),
            (sick_from + dt.timedelta(days=10)).isoformat(),
        )
        employee(big, department="Kantoor")
        employee(big)
        case(employee(small), "2025-10-01", "2025-10-03")
    with tenant_scope(second):
        other = EmployerFactory(tenant=second, name="Elders B.V.")
        employee(other)
    return first, second, big, small, other


def test_nightly_task_fills_the_missing_snapshots_with_a_real_worker(two_tenants):
    from analytics.tasks import statistics_refresh_nightly_task

    first, second, big, small, other = two_tenants
    with tenant_scope(first):
        # One snapshot is there already: the refresh leaves it alone.
        month = _last_closed_month()
        whole = dashboard(Scope(big), month, as_of=timezone.localdate())
        kept = FigureSnapshot.objects.get(employer=big, department="")
    # Scopes: big (whole, Kantoor, Magazijn), small, other.
    expected = {big.pk: 3 * PERIODS_KEPT, small.pk: PERIODS_KEPT}
    selected = app.amqp.queues._consume_from
    try:
        with start_worker(
            app, queues=["statistics"], perform_ping_check=False, shutdown_timeout=10
        ):
            assert statistics_refresh_nightly_task.delay().id
            with tenant_scope(first):
                _wait_for(
                    lambda: (
                        {
                            pk: FigureSnapshot.objects.filter(employer_id=pk).count()
                            for pk in expected
                        }
                        == expected
                    )
                )
            with tenant_scope(second):
                _wait_for(
                    lambda: (
                        FigureSnapshot.objects.filter(employer=other).count()
                        == PERIODS_KEPT
                    )
                )
    finally:
        app.amqp.queues._consume_from = selected
    with tenant_scope(first):
        again = FigureSnapshot.objects.get(pk=kept.pk)
        assert again.computed_at == kept.computed_at
        magazijn = FigureSnapshot.objects.get(
            employer=big, department="Magazijn", period_start=month.start
        )
        figures = dashboard_from_json(magazijn.data)
        assert figures.verzuimpercentage.sick_days == 10  # day 2 to 11
        assert figures.verzuimpercentage.employment_days == month.days
        assert whole.verzuimpercentage.employment_days == 3 * month.days


def test_command_recomputes_even_when_present(two_tenants):
    first, second, big, small, _other = two_tenants
    with time_machine.travel(dt.datetime(2025, 12, 10, 12, tzinfo=dt.UTC)):
        call_command(
            "refresh_statistics", "--tenant", "refresh-a", "--employer", str(small.pk)
        )
        with tenant_scope(first):
            assert FigureSnapshot.objects.filter(employer=small).count() == PERIODS_KEPT
            assert not FigureSnapshot.objects.filter(employer=big).exists()
            october = FigureSnapshot.objects.get(
                employer=small,
                period_start=dt.date(2025, 10, 1),
                period_end=dt.date(2025, 10, 31),
            )
            FigureSnapshot.objects.filter(pk=october.pk).update(data={"stale": True})
        call_command("refresh_statistics", "--tenant", "refresh-a")
        with tenant_scope(first):
            october.refresh_from_db()
            figures = dashboard_from_json(october.data)
            assert figures.meldingsfrequentie.reports == 1
            assert figures.verzuimpercentage.sick_days == 2  # 1..2 October
            assert (
                FigureSnapshot.objects.filter(employer=big).count() == 3 * PERIODS_KEPT
            )
        with tenant_scope(second):
            assert not FigureSnapshot.objects.exists()


def test_command_refuses_unknown_tenant_or_employer(two_tenants):
    with pytest.raises(CommandError):
        call_command("refresh_statistics", "--tenant", "bestaat-niet")
    with pytest.raises(CommandError):
        call_command(
            "refresh_statistics", "--tenant", "refresh-b", "--employer", "999999"
        )
