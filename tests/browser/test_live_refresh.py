"""The chair's screen refreshes every few seconds while the meeting is open. A refresh must never undo what the
chair chose or is typing, and the chair can pause it (WCAG 2.2.2: moving, updating content can be paused)."""

from __future__ import annotations

import re

from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import screenshot, sign_in, wait_for_app

LAST_REFRESH = re.compile(r"updates every (\d+) seconds, last \d\d:\d\d:\d\d")


def _refreshed_twice(chair: Page) -> None:
    """Wait until the ranking has refreshed twice by itself (its caption carries the time of its last run)."""
    caption = chair.get_by_text(LAST_REFRESH).first
    for _ in range(2):
        seen = caption.inner_text()
        expect(caption).not_to_have_text(seen)


def test_refreshes_keep_the_chosen_family_and_the_words_being_typed(browser: Browser, live_app: dict[str, str]) -> None:
    chair = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
    try:
        sign_in(chair, live_app["url"], live_app["team manager"])
        chair.get_by_role("button", name="Next family").click()
        picker = chair.get_by_test_id("stSelectbox").filter(has_text="Family to discuss").locator("input")
        expect(picker).to_have_value(re.compile(r"^2\. "))
        chosen = picker.input_value().split()[1]
        heading = chair.get_by_test_id("stHeading").filter(has_text=chosen)
        expect(heading).to_be_visible()
        expect(chair.get_by_text(f"Record an action for {chosen}")).to_be_visible()  # that family's own form
        wait_for_app(chair)
        words = chair.get_by_label("What was agreed")
        words.fill("Book a strategy discussion with the school")  # typed, not yet recorded

        _refreshed_twice(chair)

        expect(picker).to_have_value(re.compile(rf"^2\. {chosen} "))
        expect(heading).to_be_visible()
        expect(words).to_have_value("Book a strategy discussion with the school")
        screenshot(chair, "50-chair-after-refreshes")
    finally:
        chair.context.close()


def test_the_chair_can_pause_live_updates_and_resume_them(browser: Browser, live_app: dict[str, str]) -> None:
    chair = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
    try:
        sign_in(chair, live_app["url"], live_app["team manager"])
        found = LAST_REFRESH.search(chair.get_by_text(LAST_REFRESH).first.inner_text())
        assert found, "the ranking says how often it refreshes"
        interval_ms = int(found.group(1)) * 1000

        chair.get_by_text("Pause live updates").click()
        paused = chair.get_by_text(re.compile(r"live updates paused at \d\d:\d\d:\d\d")).first
        expect(paused).to_be_visible()
        shown = paused.inner_text()
        # Every refresh writes its time into that caption; a pause shows as the time standing still. Give a live
        # screen two chances to refresh, then look.
        chair.wait_for_timeout(2 * interval_ms + 1000)
        assert paused.inner_text() == shown
        screenshot(chair, "51-chair-paused")

        chair.get_by_text("Pause live updates").click()
        _refreshed_twice(chair)
    finally:
        chair.context.close()
