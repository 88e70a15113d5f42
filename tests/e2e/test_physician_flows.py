"""A bedrijfsarts records a probleemanalyse and an FML in a browser; the plan
van aanpak task moves (late PA: PA date + 14) and the manager reads the
limitations, never the medical part."""

from __future__ import annotations

import datetime as dt

from django.template.defaultfilters import date as date_filter
from django.utils import timezone, translation
from playwright.sync_api import expect

from accounts.models import Role
from accounts.scoping import tenant_scope
from poortwachter.models import Task, TaskStatus
from poortwachter.services import deadlines_refresh_for_case
from poortwachter.tasks import deadlines_refresh_case_task

MEDICAL = "Lumbale hernia met uitstraling naar het been"


def _nl(day: dt.date, fmt: str) -> str:
    with translation.override("nl"):
        return date_filter(day, fmt)


def test_physician_records_probleemanalyse_and_fml(world, ui, _no_celery):
    # Refresh for real after every change, as the worker would.
    _no_celery.side_effect = lambda *a, **kw: deadlines_refresh_case_task(*a, **kw)
    today = timezone.localdate()
    case = world.team_case
    with tenant_scope(world.tenant_a):
        deadlines_refresh_for_case(case=case, today=today)
        pa_due = Task.objects.get(case=case, key="probleemanalyse").due_date
    assert pa_due < today  # day 42 has passed: the PA is late
    page = ui.page

    ui.login(world.user(Role.BEDRIJFSARTS).email, lands_on="/t/tenant-a/mijn-dossiers/")
    ui.shot("my-cases")
    row = page.locator("tr", has_text=case.employee.display_name)
    expect(row).to_contain_text("Probleemanalyse")
    with page.expect_navigation():
        row.get_by_role("link").first.click()
    ui.shot("case")

    # The probleemanalyse: advice and medical part, clearly apart.
    with page.expect_navigation():
        page.get_by_role("link", name="Oordeel vastleggen").click()
    ui.check_a11y(action="form.stack button[type=submit]")
    page.fill("#id_limitations", "Kan niet tillen; bureauwerk gaat.")
    page.fill("#id_advice", "Start met halve dagen administratief werk.")
    page.fill("#id_anamnesis", MEDICAL)
    ui.shot("probleemanalyse-form")
    with page.expect_navigation():
        page.get_by_role("button", name="Oordeel vastleggen").click()
    expect(page.locator(".messages")).to_contain_text("Het oordeel is vastgelegd.")
    expect(page.locator("body")).to_contain_text("Start met halve dagen")

    # The FML: everything at the norm; two deviations entered.
    with page.expect_navigation():
        page.get_by_role("link", name="FML vastleggen").click()
    ui.check_a11y(action="#id_level_I_1")
    page.locator("summary", has_text="IV. Dynamische handelingen").click()
    page.select_option("#id_level_IV_13", "2")
    page.locator("summary", has_text="VI. Werktijden").click()
    page.select_option("#id_level_VI_2", "3")
    ui.shot("fml-form")
    with page.expect_navigation():
        page.get_by_role("button", name="FML vastleggen").click()
    # A limitation that needs a toelichting is refused with the item named,
    # and what was chosen is still there.
    expect(page.locator(".errorlist")).to_contain_text(
        "VI.2 Uren per dag: licht deze beperking toe"
    )
    expect(page.locator("#id_level_IV_13")).to_have_value("2")
    page.fill("#id_note_VI_2", "opbouw per twee weken")
    with page.expect_navigation():
        page.get_by_role("button", name="FML vastleggen").click()
    fml = page.locator("#fml")
    expect(fml).to_contain_text("IV.13 Tillen")
    expect(fml).to_contain_text("Beperkt: ongeveer 5 kg")
    expect(fml).to_contain_text("opbouw per twee weken")
    ui.shot("case-with-fml")

    # The plan van aanpak task: PA recorded late, so due 14 days after it.
    with page.expect_navigation():
        page.get_by_role("link", name="Termijnen en taken", exact=True).click()
    pva_row = page.locator("table tr", has_text="Plan van aanpak").first
    expect(pva_row).to_contain_text(_nl(today + dt.timedelta(days=14), "D j M Y"))
    ui.shot("deadlines")
    with tenant_scope(world.tenant_a):
        assert (
            Task.objects.get(case=case, key="probleemanalyse").status == TaskStatus.DONE
        )

    # The manager reads the limitations, not the medical part.
    page.context.clear_cookies()
    ui.login(world.user(Role.LEIDINGGEVENDE).email)
    ui.goto(f"/t/tenant-a/dossiers/{case.pk}/")
    expect(page.locator("#fml")).to_contain_text("IV.13 Tillen")
    assert "hernia" not in page.content()
    ui.shot("manager-reads-fml")


def test_physician_pages_in_english(world, ui):
    physician = world.user(Role.BEDRIJFSARTS)
    physician.preferred_language = "en"
    physician.save()
    page = ui.page
    ui.login(physician.email, lands_on="/t/tenant-a/mijn-dossiers/")
    ui.goto(f"/t/tenant-a/dossiers/{world.team_case.pk}/fml/")
    expect(page.locator("h1")).to_contain_text("Functional Abilities List")
    expect(page.locator("summary").nth(3)).to_have_text("IV. Dynamic movements")
    ui.check_a11y(action="#id_level_I_1")
    ui.shot("fml-form-en")
