"""HR opens the absence figures of its employer, switches the period and
reads the charts and their tables, in Dutch and in English, under the CSP."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import Role
from accounts.scoping import tenant_scope
from cases.models import CaseStatus
from cases.tests.factories import (
    AbsenceCaseFactory,
    EmployeeFactory,
    WorkabilityChangeFactory,
)
from tests.e2e.test_security import LISTENER


def _history(world) -> None:
    """A few ended cases this year, so the trend and duration classes show."""
    year = timezone.localdate().year
    with tenant_scope(world.tenant_a):
        for n, (first, days) in enumerate(
            (
                (dt.date(year, 2, 3), 5),
                (dt.date(year, 3, 10), 40),
                (dt.date(year, 5, 4), 9),
            )
        ):
            case = AbsenceCaseFactory(
                employee=EmployeeFactory(
                    employer=world.employer_a1, surname=f"Hist{n}"
                ),
                first_sick_day=first,
                recovery_date=first + dt.timedelta(days=days),
                status=CaseStatus.RECOVERED,
            )
            WorkabilityChangeFactory(case=case)


def test_hr_reads_the_dashboard_and_switches_period(ui, world, context):
    _history(world)
    context.add_init_script(LISTENER)
    page = ui.page
    year = timezone.localdate().year

    ui.login(world.user(Role.HR).email)
    with page.expect_navigation():
        page.get_by_role("link", name="Verzuimcijfers").click()
    with page.expect_navigation():
        page.get_by_role("link", name="A1 Bouw").click()
    assert ui.path == f"/t/tenant-a/statistieken/werkgevers/{world.employer_a1.pk}/"
    expect(page.locator("h1")).to_have_text("Verzuimcijfers: A1 Bouw")
    expect(page.locator(".scope-line")).to_contain_text(f"A1 Bouw · {year}")
    trend = page.locator("svg.chart-trend")
    expect(trend).to_be_visible()
    expect(trend.locator("g.series-0 circle").first).to_be_visible()
    expect(page.get_by_role("img", name="Verzuimpercentage per maand")).to_be_visible()
    expect(page.locator("table.figure-table caption").first).to_be_visible()
    ui.check_a11y(action="form.period-form button[type=submit]")
    ui.shot("year-nl")

    # A quarter instead of the year: the form keeps what was chosen.
    # Only the fields of the chosen kind of period are shown.
    expect(page.locator("#id_month")).to_be_hidden()
    page.select_option("#id_kind", "quarter")
    expect(page.locator("#id_quarter")).to_be_visible()
    expect(page.locator("#id_start")).to_be_hidden()
    page.fill("#id_year", str(year))
    page.select_option("#id_quarter", "1")
    with page.expect_navigation():
        page.get_by_role("button", name="Toon cijfers").click()
    assert "kind=quarter" in page.url
    expect(page.locator(".scope-line")).to_contain_text(f"K1 {year}")
    # Three months in the trend table, one row each.
    trend_table = page.locator(
        "table.figure-table", has_text="Verzuimpercentage per maand"
    )
    expect(trend_table.locator("tbody tr")).to_have_count(3)
    expect(page.locator("svg.chart-duurklassen rect.bar")).to_have_count(4)
    ui.shot("quarter-nl")

    # A wrong custom period is a message on the form, not an error page.
    page.select_option("#id_kind", "custom")
    expect(page.locator("#id_year")).to_be_hidden()
    page.fill("#id_start", f"{year}-05-01")
    page.fill("#id_end", f"{year}-04-01")
    with page.expect_navigation():
        page.get_by_role("button", name="Toon cijfers").click()
    expect(page.get_by_role("alert").first).to_contain_text("vóór het begin")

    # The same dashboard in English.
    with page.expect_navigation():
        page.get_by_role("button", name="EN", exact=True).click()
    page.goto(
        ui.url(
            f"/t/tenant-a/statistieken/werkgevers/{world.employer_a1.pk}/?kind=quarter&year={year}&quarter=1"
        )
    )
    expect(page.locator("h1")).to_have_text("Absence figures: A1 Bouw")
    expect(page.get_by_role("img", name="Absence rate per month")).to_be_visible()
    expect(page.locator("svg.chart-trend")).to_contain_text("Without pregnancy")
    ui.shot("quarter-en")
    assert page.evaluate("window.__csp") == []
