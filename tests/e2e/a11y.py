"""Accessibility basics, checked automatically on every page the tests visit.

``check_page`` looks at what the browser actually renders:

* every visible form control (not hidden/submit/button/reset/image inputs)
  has an accessible name from a ``<label>`` (``for`` or wrapping, with text of
  its own), ``aria-label`` or ``aria-labelledby``;
* the page has exactly one ``<h1>``, a ``lang`` on ``<html>`` and a title;
* pressing Tab from the top of the page reaches the page's main action
  (a CSS selector given by the test) within ``MAX_TABS`` presses.

Problems the application has today and that are reported to the lead are
listed in ``KNOWN_PROBLEMS``; they are tolerated (not asserted) so the rest of
the page is still checked. Anything else fails the test.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from playwright.sync_api import Page

MAX_TABS = 60

# (path regex, problem) -> why it is tolerated for now. Keep this short: each
# entry is a bug in a template that the lead has been told about.
KNOWN_PROBLEMS: dict[tuple[str, str], str] = {}

_FIND_PROBLEMS = """
() => {
  const problems = [];
  const visible = (el) => {
    const style = getComputedStyle(el);
    return el.getClientRects().length > 0 && style.visibility !== "hidden";
  };
  const describe = (el) => {
    let text = el.tagName.toLowerCase();
    if (el.id) text += "#" + el.id;
    const name = el.getAttribute("name");
    if (name) text += `[name=${name}]`;
    const type = el.getAttribute("type");
    if (type) text += `[type=${type}]`;
    return text;
  };
  // The text of a label without the text of controls inside it (a wrapping
  // label around a <select> would otherwise "name" it with its options).
  const ownText = (label) => {
    const copy = label.cloneNode(true);
    copy.querySelectorAll("input, select, textarea").forEach((c) => c.remove());
    return copy.textContent.trim();
  };
  const skipped = ["hidden", "submit", "button", "reset", "image"];
  for (const el of document.querySelectorAll("input, select, textarea")) {
    const type = (el.getAttribute("type") || "").toLowerCase();
    if (skipped.includes(type) || !visible(el)) continue;
    const fromLabels = [...(el.labels || [])].map(ownText).join(" ").trim();
    const fromAria = (el.getAttribute("aria-label") || "").trim();
    const fromIds = (el.getAttribute("aria-labelledby") || "")
      .split(/\\s+/)
      .filter(Boolean)
      .map((id) => (document.getElementById(id)?.textContent || "").trim())
      .join(" ")
      .trim();
    if (!fromLabels && !fromAria && !fromIds) {
      problems.push("no label: " + describe(el));
    }
  }
  const h1s = document.querySelectorAll("h1").length;
  if (h1s !== 1) problems.push(`h1 count: ${h1s}`);
  if (!document.documentElement.getAttribute("lang")) problems.push("no html lang");
  if (!document.title.trim()) problems.push("empty title");
  return problems;
}
"""

# Focus a temporary, unfocusable-by-Tab element at the very top, so the next
# Tab starts from the beginning of the document whatever was focused before
# (blur() alone keeps Chromium's sequential focus starting point).
_FOCUS_TOP = """
() => {
  const top = document.createElement("span");
  top.tabIndex = -1;
  top.id = "e2e-focus-top";
  document.body.prepend(top);
  top.focus();
}
"""

_ACTIVE = """
(selector) => {
  document.getElementById("e2e-focus-top")?.remove();
  const el = document.activeElement;
  const target = [...document.querySelectorAll(selector)].find(
    (c) => c.getClientRects().length > 0
  );
  if (!target) return { missing: true };
  let text = el.tagName.toLowerCase();
  if (el.id) text += "#" + el.id;
  const label = (el.getAttribute("aria-label") || el.textContent || el.value || "")
    .trim()
    .replace(/\\s+/g, " ")
    .slice(0, 40);
  if (label) text += ` "${label}"`;
  return { missing: false, reached: el === target, body: el === document.body, text };
}
"""


@dataclass
class A11yReport:
    path: str
    action: str
    problems: list[str] = field(default_factory=list)
    tolerated: list[str] = field(default_factory=list)
    focus_order: list[str] = field(default_factory=list)
    tabs_to_action: int | None = None


def _known(path: str, problem: str) -> bool:
    return any(
        re.search(pattern, path) and problem == known
        for pattern, known in KNOWN_PROBLEMS
    )


def check_page(page: Page, *, action: str) -> A11yReport:
    """Check the current page; fail on any problem not in ``KNOWN_PROBLEMS``."""
    path = urlsplit(page.url).path
    report = A11yReport(path=path, action=action)
    for problem in page.evaluate(_FIND_PROBLEMS):
        if _known(path, problem):
            report.tolerated.append(problem)
        else:
            report.problems.append(problem)

    page.evaluate(_FOCUS_TOP)
    for presses in range(1, MAX_TABS + 1):
        page.keyboard.press("Tab")
        state = page.evaluate(_ACTIVE, action)
        assert not state["missing"], f"{path}: no visible element matches {action!r}"
        if state["body"]:  # focus left the page: the whole order was walked
            break
        report.focus_order.append(state["text"])
        if state["reached"]:
            report.tabs_to_action = presses
            break
    if report.tabs_to_action is None:
        problem = f"Tab does not reach {action}"
        (report.tolerated if _known(path, problem) else report.problems).append(problem)

    assert not report.problems, (
        f"Accessibility problems on {path}: {report.problems}; "
        f"Tab order: {report.focus_order}"
    )
    return report
