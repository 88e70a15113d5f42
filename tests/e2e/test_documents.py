"""The casemanager drafts a plan van aanpak in the browser, the employee signs it."""

from __future__ import annotations

from playwright.sync_api import expect

from accounts.models import Role
from accounts.scoping import tenant_scope
from documents.models import Document, DocumentStatus


def test_casemanager_drafts_plan_and_employee_signs(world, ui, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    case = world.own_case
    page = ui.page

    ui.login(world.user(Role.CASEMANAGER).email)
    ui.goto(f"/t/tenant-a/dossiers/{case.pk}/documenten/")
    expect(page.locator("h1")).to_contain_text("Documenten")
    ui.shot("documents")
    with page.expect_navigation():
        page.get_by_role("button", name="Plan van aanpak").click()
    expect(page.locator("h1")).to_contain_text("Plan van aanpak")
    ui.check_a11y(action="form.stack button.primary")
    page.get_by_label("5.1 Visie van de werknemer").fill("Ik wil terug naar mijn werk.")
    page.get_by_label("Werkhervatting in de eigen functie", exact=True).check()
    page.locator("#id_afspraken-0-activiteit").fill("Wekelijks contact")
    page.locator("#id_afspraken-0-wie").fill("leidinggevende")
    page.locator("#id_afspraken-0-planning").fill("wekelijks")
    ui.shot("form-filled")
    with page.expect_navigation():
        page.get_by_role("button", name="Opslaan en terug").click()
    expect(page.locator(".messages")).to_contain_text("Het concept is opgeslagen.")
    with page.expect_navigation():
        page.get_by_role("button", name="Ter ondertekening aanbieden").click()
    expect(page.locator(".messages")).to_contain_text("ter ondertekening")
    ui.shot("offered")

    with page.expect_navigation():
        page.get_by_role("button", name="Uitloggen").click()
    ui.login(world.user(Role.WERKNEMER).email)
    with tenant_scope(world.tenant_a):
        document = Document.objects.get(case=case)
    ui.goto(f"/t/tenant-a/documenten/{document.pk}/ondertekenen/")
    ui.check_a11y(action="form.stack button.primary")
    page.get_by_label("Uw naam").fill("Werknemer Zelf")
    page.get_by_label("Ik heb het document gelezen en onderteken het.").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Ondertekenen").click()
    expect(page.locator(".messages")).to_contain_text(
        "U heeft het document ondertekend."
    )
    ui.shot("signed-by-employee")
    with tenant_scope(world.tenant_a):
        document.refresh_from_db()
        assert document.status == DocumentStatus.TER_ONDERTEKENING
        assert [s.party for s in document.signatures.all()] == ["werknemer"]
        assert document.data["afspraken"][0]["activiteit"] == "Wekelijks contact"


def test_hr_sees_what_the_reintegratieverslag_still_lacks(world, ui):
    page = ui.page
    ui.login(world.user(Role.HR).email)
    ui.goto(f"/t/tenant-a/dossiers/{world.own_case.pk}/reintegratieverslag/")
    expect(page.locator("h1")).to_contain_text("Re-integratieverslag")
    expect(page.locator("ul.findings")).to_contain_text(
        "Het plan van aanpak moet nog worden ondertekend"
    )
    ui.check_a11y(action="main a.button")
    ui.shot("riv-check")
