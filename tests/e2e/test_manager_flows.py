"""A manager reports an employee sick and then partly recovered, in a browser."""

from __future__ import annotations

import datetime as dt
import re

from django.template.defaultfilters import date as date_filter
from django.utils import timezone, translation
from playwright.sync_api import Page, expect

from accounts.models import Role
from accounts.scoping import tenant_scope
from cases.models import AbsenceCase, CaseStatus
from cases.tests.factories import EmployeeFactory

SUBMIT = "form.stack button[type=submit]"


def _nl(day: dt.date, fmt: str) -> str:
    """A date as the Dutch templates print it."""
    with translation.override("nl"):
        return date_filter(day, fmt)


def _fact(page: Page, term: str):
    """The value next to ``term`` in the case page's facts list."""
    return page.locator("dl.facts dt", has_text=term).locator(
        "xpath=following-sibling::dd[1]"
    )


def _workability_rows(page: Page):
    return page.locator("h2:text-is('Arbeidsongeschiktheid') + table tbody tr")


def _browserman(world):
    with tenant_scope(world.tenant_a):
        return EmployeeFactory(
            employer=world.employer_a1,
            manager=world.user(Role.LEIDINGGEVENDE),
            first_name="Bram",
            surname="Browserman",
        )


def test_manager_reports_sickness_then_partial_recovery(world, ui, _no_celery):
    employee = _browserman(world)
    today = timezone.localdate()
    first_sick_day = today - dt.timedelta(days=3)
    page = ui.page

    ui.login(world.user(Role.LEIDINGGEVENDE).email)
    expect(page.locator("h1")).to_have_text("Mijn team")
    ui.shot("team-before")
    ui.check_a11y(action="main a.button")

    # The team page's "Ziek melden" button leads to the form.
    with page.expect_navigation():
        page.get_by_role("link", name="Ziek melden").click()
    assert ui.path == "/t/tenant-a/ziekmelden/"
    ui.check_a11y(action=SUBMIT)
    page.select_option("#id_employee", str(employee.pk))
    page.fill("#id_first_sick_day", first_sick_day.isoformat())
    page.get_by_role("radio", name="Enkele weken").check()
    ui.shot("ziekmelding-filled")
    with page.expect_navigation():
        page.get_by_role("button", name="Ziekmelding versturen").click()

    # The new case page.
    match = re.fullmatch(r"/t/tenant-a/dossiers/(\d+)/", ui.path)
    assert match, page.url
    case_id = int(match[1])
    expect(page.locator(".messages")).to_contain_text("Bram Browserman is ziek gemeld.")
    expect(page.locator("h1")).to_have_text("Verzuimdossier Bram Browserman")
    expect(_fact(page, "Eerste ziektedag")).to_have_text(_nl(first_sick_day, "j F Y"))
    expect(_fact(page, "Status")).to_have_text("Open")
    expect(_fact(page, "Verwachte duur")).to_have_text("Enkele weken")
    rows = _workability_rows(page)
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("100%")
    ui.shot("case-reported")
    ui.check_a11y(action="main a.button")
    with tenant_scope(world.tenant_a):
        case = AbsenceCase.objects.get(pk=case_id)
        assert case.employee_id == employee.pk
        assert case.first_sick_day == first_sick_day
        assert case.expected_duration == "weeks"
    assert _no_celery.called  # the deadline refresh was enqueued after commit

    # Partial recovery: works again for 50%.
    with page.expect_navigation():
        page.get_by_role("link", name="Herstel melden").click()
    assert ui.path == f"/t/tenant-a/dossiers/{case_id}/hersteldmelden/"
    expect(page.locator("h1")).to_have_text("Herstel melden: Bram Browserman")
    ui.check_a11y(action=SUBMIT)
    page.check("input[name=kind][value=partial]")
    page.fill("#id_effective_date", today.isoformat())
    page.fill("#id_percentage_fit", "50")
    ui.shot("hersteldmelding-filled")
    with page.expect_navigation():
        page.get_by_role("button", name="Herstel vastleggen").click()

    assert ui.path == f"/t/tenant-a/dossiers/{case_id}/"
    expect(page.locator(".messages")).to_contain_text("Het herstel is vastgelegd.")
    expect(_fact(page, "Status")).to_have_text("Open")  # partial: stays open
    expect(rows).to_have_count(2)
    expect(rows.nth(1).locator("td")).to_have_text([_nl(today, "j F Y"), "50%"])
    # Still open, so recovery can be reported again.
    expect(page.get_by_role("link", name="Herstel melden")).to_be_visible()
    ui.shot("case-partial")
    with tenant_scope(world.tenant_a):
        case.refresh_from_db()
        assert case.status == CaseStatus.OPEN
        latest = case.workability_changes.order_by("-effective_date").first()
        assert (latest.effective_date, latest.percentage_unfit) == (today, 50)

    # The team page shows Browserman as partly sick.
    with page.expect_navigation():
        page.get_by_role("link", name="Hervat", exact=True).click()
    row = page.locator("tbody tr", has_text="Bram Browserman")
    expect(row.locator(".badge.partial")).to_have_text(
        f"50% ziek sinds {_nl(first_sick_day, 'j M Y')}"
    )
    ui.shot("team-after")
    ui.check_a11y(action="main a.button")


def test_manager_pages_in_english(world, ui):
    manager = world.user(Role.LEIDINGGEVENDE)
    manager.preferred_language = "en"
    manager.save(update_fields=["preferred_language"])
    _browserman(world)
    page = ui.page

    ui.login(manager.email)  # the login page itself is Dutch (Accept-Language)
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("h1")).to_have_text("My team")
    expect(page.locator("header")).to_contain_text("Task queue")
    ui.shot("team")
    ui.check_a11y(action="main a.button")

    with page.expect_navigation():
        page.get_by_role("link", name="Report sick").click()
    expect(page.locator("h1")).to_have_text("Report sick")
    form = page.locator("form.stack")
    for label in ("Employee", "First day of sickness", "Expected duration"):
        expect(form.get_by_text(label, exact=False).first).to_be_visible()
    expect(page.get_by_label("Employee")).to_be_visible()
    expect(page.get_by_label("First day of sickness")).to_have_value(
        timezone.localdate().isoformat()
    )
    expect(page.get_by_role("button", name="Send sickness report")).to_be_visible()
    expect(form).not_to_contain_text("Eerste ziektedag")
    ui.shot("ziekmelding")
    ui.check_a11y(action=SUBMIT)
