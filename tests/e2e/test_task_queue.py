"""The casemanager's task queue: complete and snooze inline, through HTMX."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from playwright.sync_api import Page, expect

from accounts.models import Role
from accounts.scoping import tenant_scope
from poortwachter.models import Task, TaskStatus

QUEUE = "/t/tenant-a/taken/"
MARKER = "window.__e2eNoReload"


def _task(world, key, title, due):
    return Task.objects.create(
        tenant=world.tenant_a,
        case=world.a1_case,
        source="manual",
        key=key,
        title=title,
        assignee_role="casemanager",
        assignee=world.user(Role.CASEMANAGER),
        due_date=due,
        plan_by=due,
    )


def _counts(page: Page) -> dict[str, int]:
    return page.evaluate(
        """() => Object.fromEntries(
            [...document.querySelectorAll("#queue-counts [data-bucket]")].map(
                (el) => [el.dataset.bucket, Number(el.textContent.trim())]
            )
        )"""
    )


ACTION_PATHS = {"Afronden": "/afronden/", "Uitstellen": "/uitstellen/"}


def _is_action(response, button: str, method: str) -> bool:
    return response.request.method == method and ACTION_PATHS[button] in response.url


def _open_inline_form(page: Page, row_id: str, button: str) -> None:
    """Click a row's action; HTMX swaps the row for a form, no navigation."""
    row = page.locator(f"tr#{row_id}")
    with page.expect_response(lambda r: _is_action(r, button, "GET")) as info:
        row.get_by_role("button", name=button).click()
    request = info.value.request
    assert request.headers.get("hx-request") == "true", request.headers
    assert request.resource_type in ("xhr", "fetch")
    expect(page.locator(f"tr#{row_id}.editing form")).to_be_visible()


def _submit_inline_form(page: Page, row_id: str, button: str) -> None:
    form = page.locator(f"tr#{row_id} form")
    with page.expect_response(lambda r: _is_action(r, button, "POST")) as info:
        form.get_by_role("button", name=button).click()
    assert info.value.ok, info.value.status
    assert info.value.request.headers.get("hx-request") == "true"


def test_casemanager_completes_and_snoozes_inline(world, ui):
    today = timezone.localdate()
    with tenant_scope(world.tenant_a):
        call = _task(world, "e2e1", "Bel de werknemer", today - dt.timedelta(days=2))
        plan = _task(world, "e2e2", "Plan een gesprek", today - dt.timedelta(days=1))
    call_row, plan_row = f"task-{call.pk}", f"task-{plan.pk}"
    page = ui.page
    navigations: list[str] = []

    ui.login(world.user(Role.CASEMANAGER).email)
    with page.expect_navigation():
        page.get_by_role("link", name="Takenlijst").click()
    assert ui.path == QUEUE
    expect(page.locator("h1")).to_have_text("Takenlijst")
    assert page.evaluate("typeof window.htmx") == "object"  # vendored htmx loaded
    assert _counts(page) == {"overdue": 2, "today": 0, "week": 0, "later": 0}
    expect(page.locator("table.queue tbody tr")).to_have_count(2)
    expect(page.locator(f"tr#{call_row}")).to_contain_text("Bel de werknemer")
    expect(page.locator(f"tr#{plan_row}")).to_contain_text("Plan een gesprek")
    ui.shot("queue")
    ui.check_a11y(action=f"tr#{call_row} button")

    # From here on nothing may load a new document: HTMX swaps fragments only.
    page.evaluate(f"{MARKER} = 'still here'")
    page.on("framenavigated", lambda frame: navigations.append(frame.url))

    # Complete the first task, with a note.
    _open_inline_form(page, call_row, "Afronden")
    form = page.locator(f"tr#{call_row} form")
    expect(form.get_by_label("Notitie")).to_be_visible()
    ui.check_a11y(action=f"tr#{call_row} form button[type=submit]")
    form.get_by_label("Notitie").fill("Gebeld, gaat goed.")
    ui.shot("complete-form")
    _submit_inline_form(page, call_row, "Afronden")
    expect(page.locator(f"tr#{call_row}")).to_have_count(0)
    expect(page.locator("#queue-counts [data-bucket=overdue]")).to_have_text("1")
    assert _counts(page) == {"overdue": 1, "today": 0, "week": 0, "later": 0}
    ui.shot("completed")

    # Snooze the second until tomorrow (the form's default): it moves to "week".
    _open_inline_form(page, plan_row, "Uitstellen")
    form = page.locator(f"tr#{plan_row} form")
    tomorrow = today + dt.timedelta(days=1)
    expect(form.get_by_label("Uitstellen tot")).to_have_value(tomorrow.isoformat())
    form.get_by_label("Reden").fill("Werknemer is op vakantie")
    ui.shot("snooze-form")
    ui.check_a11y(action=f"tr#{plan_row} form button[type=submit]")
    _submit_inline_form(page, plan_row, "Uitstellen")
    expect(page.locator(f"tr#{plan_row}")).to_have_count(0)
    expect(page.locator("#queue-counts [data-bucket=week]")).to_have_text("1")
    assert _counts(page) == {"overdue": 0, "today": 0, "week": 1, "later": 0}
    ui.shot("snoozed")

    assert page.evaluate(MARKER) == "still here", "the page was reloaded"
    assert navigations == [], navigations
    assert ui.path == QUEUE

    with tenant_scope(world.tenant_a):
        call.refresh_from_db()
        plan.refresh_from_db()
    assert call.status == TaskStatus.DONE
    assert call.completed_by == world.user(Role.CASEMANAGER)
    assert call.note == "Gebeld, gaat goed."
    assert plan.status == TaskStatus.OPEN
    assert plan.snoozed_until == tomorrow
    assert plan.snooze_reason == "Werknemer is op vakantie"
    assert plan.due_date == today - dt.timedelta(days=1)  # snoozing keeps it

    # The snoozed task is listed under "Deze week", with its reason.
    with page.expect_navigation():
        page.locator("#queue-counts a", has_text="Deze week").click()
    row = page.locator(f"tr#{plan_row}")
    expect(row).to_contain_text("Plan een gesprek")
    expect(row).to_contain_text("Werknemer is op vakantie")
    ui.shot("week-bucket")
    ui.check_a11y(action=f"tr#{plan_row} button")


FOCUSED = """() => {
  const el = document.activeElement;
  return {
    tag: el.tagName.toLowerCase(),
    id: el.id,
    text: (el.textContent || "").trim(),
    type: el.getAttribute("type") || "",
  };
}"""


def test_keyboard_user_completes_a_task(world, ui):
    """Open, fill and submit the inline form with the keyboard only: the form
    takes the focus when it opens, and the result is announced in a status
    line that takes the focus after the row goes."""
    today = timezone.localdate()
    with tenant_scope(world.tenant_a):
        task = _task(world, "e2e1", "Bel de werknemer", today - dt.timedelta(days=2))
    row_id = f"task-{task.pk}"
    page = ui.page

    ui.login(world.user(Role.CASEMANAGER).email)
    ui.goto(QUEUE)
    page.evaluate(f"{MARKER} = 'still here'")
    # Tab from the top reaches the row's first action and leaves focus there.
    report = ui.check_a11y(action=f"tr#{row_id} button")
    assert page.evaluate(FOCUSED)["text"] == "Afronden", report.focus_order

    with page.expect_response(lambda r: _is_action(r, "Afronden", "GET")):
        page.keyboard.press("Enter")
    expect(page.locator(f"tr#{row_id}.editing form")).to_be_visible()
    expect(page.locator("#id_note")).to_be_focused()
    assert page.evaluate(FOCUSED) == {
        "tag": "textarea",
        "id": "id_note",
        "text": "",
        "type": "",
    }
    page.keyboard.type("Via het toetsenbord")
    page.keyboard.press("Tab")
    focused = page.evaluate(FOCUSED)
    assert (focused["tag"], focused["text"]) == ("button", "Afronden"), focused
    ui.shot("keyboard-form")
    with page.expect_response(lambda r: _is_action(r, "Afronden", "POST")) as info:
        page.keyboard.press("Enter")
    assert info.value.ok
    expect(page.locator(f"tr#{row_id}")).to_have_count(0)
    expect(page.locator("#queue-counts [data-bucket=overdue]")).to_have_text("0")
    expect(page.locator("#queue-status")).to_have_text("Taak afgerond.")
    expect(page.locator("#queue-status")).to_be_focused()
    assert page.evaluate(MARKER) == "still here", "the page was reloaded"
    ui.shot("keyboard-done")

    with tenant_scope(world.tenant_a):
        task.refresh_from_db()
    assert task.status == TaskStatus.DONE
    assert task.note == "Via het toetsenbord"
