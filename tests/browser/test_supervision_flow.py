"""A month's supervision in two browsers: a practitioner rates a child, the chair's shared screen updates by
itself, and the chair closes the meeting, which locks the ratings."""

from __future__ import annotations

import re

from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import first_unrated_child, screenshot, sign_in, wait_for_app

STILL_TO_COME = re.compile(r"(\d+) ratings? still to come")


def _missing(chair: Page) -> int:
    caption = chair.get_by_text(STILL_TO_COME).first
    expect(caption).to_be_visible(timeout=20_000)
    found = STILL_TO_COME.search(caption.inner_text())
    assert found, caption.inner_text()
    return int(found.group(1))


def _rate_one_unrated_child_red(practitioner: Page) -> str:
    """Choose red for the first child this practitioner has not rated yet, save its family; the family's reference."""
    group, form, reference = first_unrated_child(practitioner)
    group.get_by_text("Red").click()
    form.get_by_role("button", name=f"Save ratings for {reference}").click()
    return reference


def test_practitioner_rates_and_the_chairs_screen_updates_then_the_chair_closes(
    browser: Browser, live_app: dict[str, str]
) -> None:
    chair_context = browser.new_context(viewport={"width": 1600, "height": 1000})
    practitioner_context = browser.new_context(viewport={"width": 1200, "height": 1000})
    try:
        chair = chair_context.new_page()
        sign_in(chair, live_app["url"], live_app["team manager"])
        expect(chair.get_by_role("heading", name="Meeting").first).to_be_visible()
        before = _missing(chair)
        screenshot(chair, "10-chair-before-ratings")

        practitioner = practitioner_context.new_page()
        sign_in(practitioner, live_app["url"], live_app["social worker"])
        expect(practitioner.get_by_role("heading", name="Rate").first).to_be_visible()
        reference = _rate_one_unrated_child_red(practitioner)
        expect(practitioner.get_by_text(f"Your ratings for {reference}")).to_be_visible(timeout=20_000)
        screenshot(practitioner, "11-practitioner-saved")

        # the chair does nothing: the ranking refreshes itself within a few seconds
        expect(chair.get_by_text(f"{before - 1} rating")).to_be_visible(timeout=20_000)

        chair.get_by_text("Presentation mode").click()
        wait_for_app(chair)
        row = chair.get_by_test_id("stTable").locator("tr", has_text=reference)
        expect(row).to_contain_text("Red")
        screenshot(chair, "12-chair-presentation-mode")
        chair.get_by_text("Presentation mode").click()
        expect(chair.get_by_test_id("stTable")).to_have_count(0)  # back to the grids: the switch has taken effect
        wait_for_app(chair)

        chair.get_by_role("button", name="Close meeting").click()
        expect(chair.get_by_text("Tick the box to confirm")).to_be_visible()
        chair.get_by_text("I have discussed every family").click()
        chair.get_by_role("button", name="Close meeting").click()
        expect(chair.get_by_text("is closed and its ratings are locked")).to_be_visible(timeout=30_000)
        screenshot(chair, "13-chair-closed")

        practitioner.reload()
        sign_in(practitioner, live_app["url"], live_app["social worker"])
        expect(practitioner.get_by_text("No meeting is open")).to_be_visible()
    finally:
        chair_context.close()
        practitioner_context.close()
