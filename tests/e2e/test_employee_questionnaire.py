"""An employee answers the triage questionnaire in English on a phone, from
the link in the invitation mail, in real Chromium."""

from __future__ import annotations

import json
import re

from django.core import mail
from playwright.sync_api import expect

from accounts.models import Role
from accounts.scoping import tenant_scope
from triage.models import InvitationStatus, Questionnaire
from triage.services import invitation_create

PHONE = {"width": 390, "height": 844}


def _no_sideways_scroll(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page scrolls sideways ({width}px)"


def test_employee_completes_the_triage_in_english_on_a_phone(ui, world):
    with tenant_scope(world.tenant_a):
        employee = world.a1_case.employee
        employee.preferred_language = "en"
        employee.save()
        invitation = invitation_create(
            actor=world.user(Role.REGIEHOUDER),
            case=world.a1_case,
            questionnaire=Questionnaire.objects.get(key="triage_ziekmelding"),
        )
    (message,) = mail.outbox
    assert message.subject == "Questionnaire on your sickness report"
    link = re.search(r"/vragenlijst/\S+/", message.body).group(0)

    page = ui.page
    page.set_viewport_size(PHONE)
    ui.goto(link)
    expect(page.locator("h1")).to_have_text("Questionnaire on your sickness report")
    expect(
        page.get_by_text("Only the company doctor reads those answers")
    ).to_be_visible()
    _no_sideways_scroll(page)
    ui.shot("start")
    page.get_by_role("link", name="Start").click()

    # Page 1: a missing answer is refused with a message at the question.
    expect(page.locator("h1")).to_have_text("Your work and what still works")
    page.get_by_label("No, not yet").check()
    what_works = page.locator("#q-what_works")
    expect(what_works).to_be_hidden()
    page.get_by_label("Yes, but only other work").check()
    expect(what_works).to_be_visible()  # the conditional question appears
    page.get_by_label("Which tasks do work, and how many hours a day?").fill(
        "E-mail and planning, about four hours a day"
    )
    page.get_by_label("More than four weeks").check()
    page.get_by_role("button", name="Next").click()
    expect(page.locator("#q-workability .errorlist")).to_have_text(
        "Answer this question."
    )
    expect(page.get_by_label("Yes, but only other work")).to_be_checked()
    _no_sideways_scroll(page)
    ui.shot("answer-missing")
    ui.check_a11y(action="button[value=next]")
    page.locator("#q-workability label", has_text="4").click()
    page.get_by_role("button", name="Next").click()

    # Page 2
    expect(page.locator("h1")).to_have_text("Work and circumstances")
    page.get_by_label("Partly").check()
    page.get_by_label("Workload").check()
    page.get_by_label("Physically demanding work").check()
    ui.shot("work-factors")
    page.get_by_role("button", name="Next").click()

    # Page 3: for the company doctor only
    expect(page.locator("h1")).to_have_text("For the company doctor")
    expect(
        page.get_by_text("Only the company doctor reads this, not your employer.")
    ).to_be_visible()
    page.get_by_label("What are your complaints?").fill("Lower back pain")
    page.get_by_label("I am on a waiting list").check()
    ui.shot("medical")
    page.get_by_role("button", name="Next").click()

    # Page 4: submit
    expect(page.locator("h1")).to_have_text("Contact")
    page.get_by_label("A talk with the case manager").check()
    _no_sideways_scroll(page)
    ui.shot("contact")
    page.get_by_role("button", name="Submit").click()
    expect(page.locator("h1")).to_have_text("Thank you")
    ui.shot("thanks")

    with tenant_scope(world.tenant_a):
        invitation.refresh_from_db()
        response = invitation.response
        assert invitation.status == InvitationStatus.COMPLETED
        assert response.answers["work_possible"] == "other"
        assert response.answers["work_factors"] == ["workload", "physical"]
        assert response.answers["workability"] == 4
        assert "complaints" not in response.answers
        assert json.loads(response.medical.answers) == {
            "complaints": "Lower back pain",
            "treatment": "waiting",
        }

    # The link is used up: it says so, in the employee's language, and no more.
    ui.page.goto(ui.url(link))
    expect(page.locator("h1")).to_have_text(
        "You have already completed this questionnaire"
    )
    expect(page.get_by_text("Lower back pain")).to_have_count(0)
