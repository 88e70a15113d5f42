"""After the employee's triage the regiehouder decides on the proposed route
in a browser: an override needs a reason, the decision sets the route, its
tasks and the interventions; the manager sees the route, never why."""

from __future__ import annotations

from playwright.sync_api import expect

from accounts.models import Role
from accounts.scoping import tenant_scope
from poortwachter.models import Task
from triage.engine import Definition
from triage.models import Questionnaire, RoutingDecision
from triage.services import invitation_create, response_save

ANSWERS = {
    "work_possible": "no",
    "expected_duration": "month",
    "workability": 5,
    "work_related": "yes",
    "work_factors": ["conflict"],
    "private_factors": "no",
    "complaints": "Migraine sinds de verhuizing",
    "treatment": "waiting",
    "contact_wish": "casemanager",
}
DECIDE = "form[action*='routevoorstellen'] button[type=submit]"


def _triage_submitted(world) -> RoutingDecision:
    with tenant_scope(world.tenant_a):
        questionnaire = Questionnaire.objects.get(key="triage_ziekmelding")
        invitation = invitation_create(
            actor=None, case=world.team_case, questionnaire=questionnaire
        )
        sections = Definition.parse(invitation.version.definition).sections
        for index, section in enumerate(sections):
            keys = {q.key for q in section.questions}
            response_save(
                invitation=invitation,
                section=section.key,
                answers={k: v for k, v in ANSWERS.items() if k in keys},
                submit=index == len(sections) - 1,
            )
        return RoutingDecision.objects.get(response__invitation=invitation)


def test_regiehouder_overrides_the_proposal_with_a_reason(world, ui):
    decision = _triage_submitted(world)
    case = world.team_case
    page = ui.page

    ui.login(world.user(Role.REGIEHOUDER).email)
    ui.goto(f"/t/tenant-a/dossiers/{case.pk}/")
    block = page.locator(".card", has_text="Voorstel na de triage")
    expect(block).to_contain_text("Complex")
    expect(block).to_contain_text("Conflict met leidinggevende of collega")
    expect(block).to_contain_text("Op basis van antwoorden voor de bedrijfsarts")
    assert "Migraine" not in page.content()
    assert "wachtlijst" not in page.content()
    ui.shot("proposal")
    ui.check_a11y(action=DECIDE)

    # Regulier instead of complex, without a reason: refused, input kept.
    page.get_by_label("Regulier").check()
    page.get_by_label("Coaching").check()
    with page.expect_navigation():
        page.click(DECIDE)
    expect(page.locator("h1")).to_contain_text("Besluit over de route")
    expect(page.locator("form.stack")).to_contain_text(
        "Geef een reden: uw besluit wijkt af van het voorstel."
    )
    expect(page.get_by_label("Regulier")).to_be_checked()
    expect(page.get_by_label("Coaching")).to_be_checked()
    expect(page.get_by_label("Mediation")).to_be_checked()
    ui.shot("reason-missing")
    ui.check_a11y(action=DECIDE)

    page.get_by_label("Reden").fill(
        "Werknemer en leidinggevende hebben het conflict samen opgelost."
    )
    with page.expect_navigation():
        page.click(DECIDE)
    expect(page.locator(".messages")).to_contain_text(
        "Het besluit over de route is vastgelegd."
    )
    expect(page.locator("main")).to_contain_text("Afgeweken van het voorstel")
    expect(page.locator("main")).to_contain_text("conflict samen opgelost")
    ui.shot("decided")
    with tenant_scope(world.tenant_a):
        decision.refresh_from_db()
        assert decision.outcome == "overridden"
        assert decision.proposed_route == "complex"
        assert case.interventions.count() == 2  # mediation and coaching
        assert Task.objects.filter(case=case, key="vroeg_consult_bedrijfsarts").exists()
        assert not Task.objects.filter(case=case, key__startswith="complex_").exists()

    # The manager sees the route, not why.
    page.context.clear_cookies()
    ui.login(world.user(Role.LEIDINGGEVENDE).email)
    ui.goto(f"/t/tenant-a/dossiers/{case.pk}/")
    expect(page.locator("main")).to_contain_text("Triage en route")
    for hidden in (
        "Conflict met",
        "Op basis van antwoorden",
        "Migraine",
        "samen opgelost",
    ):
        assert hidden not in page.content(), hidden
    ui.shot("manager")
