"""Keyboard only, and small screens (WCAG 2.1.1, 2.4.7, 1.4.10, 1.4.4): a practitioner rates a child and saves with
Tab, Shift+Tab, Space, Enter and the arrow keys; the chair picks a family, records an action and closes the meeting
the same way, with the focus visible at every stop; and the Rate page works at 320 CSS px wide (a phone) and at
200% zoom without anything cut off or scrolling sideways. Screenshots go to test-artifacts/screenshots.

The chair's test closes a meeting, so it runs on an app of its own, never on the shared one, and last.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from dashboard.cli.seeding import DEMO_PASSWORD
from tests.browser.conftest import (
    DEMO_SETTINGS,
    SEED_TODAY,
    _fsdash,
    first_unrated_child,
    running_app,
    screenshot,
    sign_in,
    wait_for_app,
)
from tests.browser.test_accessibility import scan

MAX_TABS = 120

# The focused control, or the label that stands for a hidden radio, checkbox or switch: what the user sees.
_FOCUS_SHOWN = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return '';  // between the page's end and its start: no control to show
  for (const shown of [el, el.closest('label'), el.closest('[data-baseweb="select"] > div')]) {
    if (!shown) continue;
    const style = getComputedStyle(shown);
    if (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2) return '';
  }
  return el.outerHTML.slice(0, 160);
}"""

_FOCUSED_NAME = """() => {
  const el = document.activeElement;
  if (!el) return '';
  const labelled = el.labels && el.labels.length ? el.labels[0].innerText : '';
  return (el.getAttribute('aria-label') || labelled || el.innerText || '').trim();
}"""


def tab_to(page: Page, name: re.Pattern[str], *, backwards: bool = False) -> None:
    """Press Tab (or Shift+Tab) until the focused control's name matches `name`, checking at every stop that the
    focus can be seen (an outline of at least 2 px on the control or its label)."""
    key = "Shift+Tab" if backwards else "Tab"
    for _ in range(MAX_TABS):
        page.keyboard.press(key)
        hidden = page.evaluate(_FOCUS_SHOWN)
        assert not hidden, f"focus is not visible on {hidden}"
        if name.search(page.evaluate(_FOCUSED_NAME)):
            return
    raise AssertionError(f"{MAX_TABS} presses of {key} never reached {name.pattern!r}")


def keyboard_sign_in(page: Page, url: str, email: str) -> None:
    page.goto(url)
    expect(page.get_by_role("textbox", name="Email")).to_be_visible()
    wait_for_app(page)  # the whole form drawn, and the focus stylesheet with it
    tab_to(page, re.compile(r"^Email$"))
    page.keyboard.type(email)
    tab_to(page, re.compile(r"^Password$"))
    page.keyboard.type(DEMO_PASSWORD)
    tab_to(page, re.compile(r"^Sign in$"))
    page.keyboard.press("Enter")
    expect(page.get_by_text("Signed in as")).to_be_visible(timeout=20_000)
    wait_for_app(page)


@pytest.fixture(scope="module")
def own_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """A seeded app for this module alone: the chair's test closes its meeting."""
    db = tmp_path_factory.mktemp("keyboard") / "app.db"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{db}", **DEMO_SETTINGS}
    printed = _fsdash("seed", "--scale", "demo", "--today", SEED_TODAY.isoformat(), env=env)
    accounts = {" ".join(p[:-1]): p[-1] for p in (line.split() for line in printed.splitlines()) if p and "@" in p[-1]}
    with running_app(env) as url:
        yield {"url": url, **accounts}


def test_a_practitioner_rates_and_saves_with_the_keyboard_alone(page: Page, own_app: dict[str, str]) -> None:
    keyboard_sign_in(page, own_app["url"], own_app["social worker"])
    expect(page.get_by_role("heading", name="Rate").first).to_be_visible()
    group, _, reference = first_unrated_child(page)
    tab_to(page, re.compile(r"^\W*Red$"))
    while not group.get_by_role("radio").first.evaluate("r => r === document.activeElement"):
        tab_to(page, re.compile(r"^\W*Red$"))
    page.keyboard.press("ArrowRight")  # arrows move within the group and choose: Amber
    page.keyboard.press("Space")
    expect(group.get_by_role("radio", name=re.compile("Amber"))).to_be_checked()
    tab_to(page, re.compile(r"^Your update for supervision"))
    page.keyboard.type("Two home visits; both children seen alone.")
    tab_to(page, re.compile(f"^Save ratings for {re.escape(reference)}$"))
    screenshot(page, "40-keyboard-rate-before-save")
    page.keyboard.press("Enter")
    expect(
        page.get_by_text(re.compile(rf"Your ratings for {re.escape(reference)}: .*your update saved"))
    ).to_be_visible(timeout=20_000)
    wait_for_app(page)
    screenshot(page, "41-keyboard-rate-saved")
    # WCAG 2.4.3: the keyboard stays where the work was done (the family's Save button, or the heading of its box
    # if saving folded it away), not thrown back to the top of the page
    focused = page.locator(":focus")
    expect(focused).to_have_count(1)
    expect(focused).to_contain_text(reference)
    assert focused.evaluate("e => e.tagName") in ("BUTTON", "SUMMARY")


def _no_sideways_scrolling(page: Page) -> None:
    """Nothing on the page is wider than the window: no sideways scrolling, nothing cut off at the edge."""
    overflow = page.evaluate(
        """() => {
          const width = document.documentElement.clientWidth;
          const main = document.querySelector('[data-testid="stMain"]');
          const wide = [...main.querySelectorAll('label, button, input, textarea, p, [role="radiogroup"]')]
            .filter(e => e.getClientRects().length && e.getBoundingClientRect().right > width + 1)
            .map(e => e.tagName + ' ' + (e.innerText || e.getAttribute('aria-label') || '').slice(0, 40));
          return {scroll: main.scrollWidth - main.clientWidth, page: document.documentElement.scrollWidth - width,
                  wide};
        }"""
    )
    assert overflow["scroll"] <= 0 and overflow["page"] <= 0, overflow
    assert not overflow["wide"], overflow["wide"]


@pytest.mark.parametrize(
    ("view", "viewport", "scale"),
    [("320px", {"width": 320, "height": 720}, 1), ("zoom-200", {"width": 640, "height": 400}, 2)],
)
def test_the_rate_page_fits_a_phone_and_200_percent_zoom(
    browser: Browser, own_app: dict[str, str], view: str, viewport: dict[str, int], scale: int
) -> None:
    """320 CSS px is WCAG 1.4.10's reflow width; 200% zoom of a 1280 × 800 screen is a 640 × 400 CSS px window
    drawn at twice the pixels."""
    context = browser.new_context(viewport={"width": 1280, "height": 800}, device_scale_factor=scale)
    try:
        page = context.new_page()
        sign_in(page, own_app["url"], own_app["social worker"])  # the sidebar folds away on a narrow window
        page.set_viewport_size(viewport)
        expect(page.get_by_role("heading", name="Rate").first).to_be_visible()
        wait_for_app(page)
        family = page.get_by_test_id("stExpander").first
        if family.locator("details").get_attribute("open") is None:  # not its radios' visibility: an open
            family.locator("summary").click()  # family's radios are hidden for a moment while it is laid out
        expect(family.get_by_role("radiogroup").first).to_be_visible()
        _no_sideways_scrolling(page)
        screenshot(page, f"44-rate-{view}")
    finally:
        context.close()


def test_the_chair_picks_a_family_records_an_action_and_closes_with_the_keyboard_alone(
    page: Page, own_app: dict[str, str]
) -> None:
    page.set_viewport_size({"width": 1400, "height": 1000})
    keyboard_sign_in(page, own_app["url"], own_app["team manager"])
    expect(page.get_by_text("Family to discuss")).to_be_visible()
    # Table view first: the grids' cells and hidden toolbars are many tab stops; the tables are none.
    tab_to(page, re.compile(r"^Table view$"))
    page.keyboard.press("Space")
    wait_for_app(page)
    expect(page.get_by_role("switch", name="Table view")).to_be_checked()
    expect(page.get_by_test_id("stDataFrame")).to_have_count(0)  # every grid has become a table
    expect(page.get_by_test_id("stTable").first).to_be_visible()

    picker = page.get_by_test_id("stSelectbox").filter(has_text="Family to discuss").locator("input")
    tab_to(page, re.compile(r"^Family to discuss$"))
    page.keyboard.press("ArrowDown")  # opens the list
    expect(page.get_by_role("option").first).to_be_visible()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    expect(picker).not_to_have_value(re.compile(r"^1\. "))  # another family than the first in rank
    wait_for_app(page)
    chosen = re.search(r"F-\d+", picker.input_value())
    assert chosen, picker.input_value()
    reference = chosen.group(0)
    # The chosen family's card and form are drawn before anything is typed into the form.
    expect(page.get_by_text(f"Record an action for {reference}")).to_be_visible()
    wait_for_app(page)

    tab_to(page, re.compile(r"^What was agreed$"))
    page.keyboard.type("Book a family network meeting")
    expect(page.get_by_role("textbox", name="What was agreed")).to_have_value("Book a family network meeting")
    tab_to(page, re.compile(r"^Who will do it$"))
    page.keyboard.press("ArrowDown")
    expect(page.get_by_role("option").first).to_be_visible()
    page.keyboard.press("Enter")
    expect(page.get_by_role("combobox", name="Who will do it")).to_have_value(re.compile(r"\S"))
    tab_to(page, re.compile(r"^Record action$"))
    page.keyboard.press("Enter")
    expect(page.get_by_text(f"Action recorded for {reference}")).to_be_visible(timeout=20_000)
    screenshot(page, "42-keyboard-action-recorded")
    # WCAG 2.4.3: the keyboard is back on the form it used, ready for the next action, not at the top of the page
    expect(page.locator(":focus")).to_have_text("Record action")

    tab_to(page, re.compile(r"^I have discussed every family"))
    page.keyboard.press("Space")
    expect(page.get_by_role("checkbox", name=re.compile("I have discussed every family"))).to_be_checked()
    tab_to(page, re.compile(r"^Close meeting$"))
    page.keyboard.press("Enter")
    expect(page.get_by_text("is closed and its ratings are locked")).to_be_visible(timeout=30_000)
    screenshot(page, "43-keyboard-meeting-closed")
    found = scan(page, "team-manager-meeting-closed")
    sign_in(page, own_app["url"], own_app["social worker"])  # an empty state: nothing to rate until a meeting opens
    expect(page.get_by_text("No meeting is open")).to_be_visible()
    found += scan(page, "social-worker-rate-no-meeting")
    assert not found, "\n".join(found)
