"""A tenant admin copies the triage questionnaire, adapts the draft in the
browser (a mistake is named, not a crash) and publishes it."""

from __future__ import annotations

import json

from playwright.sync_api import expect

from accounts.models import Role
from accounts.scoping import tenant_scope
from triage.models import Questionnaire


def test_tenant_admin_copies_adapts_and_publishes_a_questionnaire(world, ui):
    ui.login(world.user(Role.TENANT_ADMIN).email)
    ui.goto("/t/tenant-a/beheer/")
    ui.page.get_by_role("link", name="Vragenlijsten", exact=True).click()
    ui.page.get_by_role("link", name="Vragenlijst bij je ziekmelding").click()
    ui.shot("questionnaire")
    ui.page.get_by_role("button", name="Kopiëren en aanpassen").click()
    expect(ui.page.locator(".questionnaire-preview")).to_contain_text(
        "Wat zijn je klachten?"
    )
    ui.shot("draft")

    box = ui.page.locator("#id_definition")
    definition = json.loads(box.input_value())
    del definition["sections"][0]["questions"][0]["medical"]
    box.fill(json.dumps(definition, indent=2))
    ui.page.get_by_role("button", name="Opslaan", exact=True).click()
    expect(ui.page.locator(".errorlist")).to_contain_text(
        "must be classified medical true or false"
    )
    ui.shot("error")

    definition["sections"][0]["questions"][0]["medical"] = False
    definition["title"]["nl"] = "Onze eigen triage"
    box.fill(json.dumps(definition, indent=2))
    ui.page.get_by_role("button", name="Publiceren").click()
    expect(ui.page.get_by_text("is gepubliceerd")).to_be_visible()
    expect(ui.page.locator("#id_definition")).to_have_count(0)
    ui.shot("published")

    with tenant_scope(world.tenant_a):
        copied = Questionnaire.objects.get(key="triage_ziekmelding-kopie")
        version = copied.versions.get()
    assert version.published_at is not None
    assert version.definition["title"]["nl"] == "Onze eigen triage"
