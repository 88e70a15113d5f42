"""The accessibility helper itself: it must find what it claims to find.

Static HTML, no server: a page with every problem, and one with none.
"""

from __future__ import annotations

import pytest

from tests.e2e.a11y import check_page

BAD = """<!doctype html><html><head><title> </title></head><body>
<h1>One</h1><h1>Two</h1>
<form>
  <input id="bare" name="bare">
  <label for="empty"></label><input id="empty" name="empty">
  <label><select name="wrapped"><option>Only options</option></select></label>
  <textarea name="notes"></textarea>
  <input type="hidden" name="fine1"><input type="submit" value="fine2">
  <input name="invisible" style="display:none">
  <button type="submit" tabindex="-1">Send</button>
</form></body></html>"""

GOOD = """<!doctype html><html lang="nl"><head><title>Goed</title></head><body>
<a href="#main">Naar de inhoud</a>
<h1 id="title">Goed</h1>
<form>
  <label for="a">Naam</label><input id="a">
  <label>Werkgever <select><option>Alle</option></select></label>
  <input aria-label="Zoek">
  <span id="lbl">Notitie</span><textarea aria-labelledby="lbl"></textarea>
  <fieldset><legend>Soort</legend>
    <label><input type="radio" name="k"> Volledig</label></fieldset>
  <input type="hidden" name="x">
  <button type="submit">Versturen</button>
</form></body></html>"""


@pytest.fixture
def page(browser):
    context = browser.new_context()
    try:
        yield context.new_page()
    finally:
        context.close()


def test_finds_every_kind_of_problem(page):
    page.set_content(BAD)
    with pytest.raises(AssertionError) as failure:
        check_page(page, action="button[type=submit]")
    message = str(failure.value).split("; Tab order:")[0]
    for problem in (
        "no label: input#bare[name=bare]",
        "no label: input#empty[name=empty]",
        "no label: select[name=wrapped]",
        "no label: textarea[name=notes]",
        "h1 count: 2",
        "no html lang",
        "empty title",
        "Tab does not reach button[type=submit]",
    ):
        assert problem in message, problem
    for fine in ("fine1", "fine2", "invisible"):
        assert fine not in message


def test_passes_a_good_page_and_counts_tabs(page):
    page.set_content(GOOD)
    report = check_page(page, action="button[type=submit]")
    assert report.problems == []
    # skip link, 4 labelled fields, the radio, then the button
    assert report.tabs_to_action == 7
    assert report.focus_order[0] == 'a "Naar de inhoud"'
