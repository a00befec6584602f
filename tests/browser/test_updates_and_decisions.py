"""A professional's update and the chair's decision in two browsers: the practitioner writes an update with their
ratings, the chair's card (and the follower's screen) shows it, and the chair records the decision on the card."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, expect

from tests.browser.conftest import choose_option, first_unrated_child, screenshot, seeded_app, sign_in, wait_for_app

UPDATE = "Home visit on Tuesday: both children seen alone, <b>not bold</b> and **not bold either**."
DECISION = "Step down to early help; keep the weekly visits until the handover."


@pytest.fixture(scope="module")
def decisions_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """An app of its own: this test writes an update and a decision that the shared app's other tests must not
    find."""
    with seeded_app(tmp_path_factory.mktemp("decisions")) as app:
        yield app


def test_the_update_is_written_with_the_ratings_and_the_chair_records_the_decision(
    browser: Browser, decisions_app: dict[str, str]
) -> None:
    practitioner = browser.new_context(viewport={"width": 1200, "height": 1000}).new_page()
    chair = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
    try:
        sign_in(practitioner, decisions_app["url"], decisions_app["social worker"])
        group, form, reference = first_unrated_child(practitioner)
        group.get_by_text("Amber").click()
        form.get_by_role("textbox", name="Your update for supervision (optional)").fill(UPDATE)
        form.get_by_role("button", name=f"Save ratings for {reference}").click()
        expect(
            practitioner.get_by_text(re.compile(rf"Your ratings for {reference}: .*your update saved"))
        ).to_be_visible(timeout=20_000)
        screenshot(practitioner, "80-practitioner-update-saved")

        sign_in(chair, decisions_app["url"], decisions_app["team manager"])
        choose_option(chair, "Family to discuss", reference, re.compile(rf"^\d+\. {reference} · "))
        expect(chair.get_by_text(UPDATE, exact=True)).to_be_visible(timeout=20_000)  # as typed, never as HTML
        expect(chair.locator("b", has_text="not bold")).to_have_count(0)

        decision = chair.get_by_test_id("stForm").filter(has_text=f"Record the decision for {reference}")
        decision.get_by_role("textbox", name="Decision and next steps").fill(DECISION)
        choose_option(chair, "Outcome", "Step down", re.compile("^Step down$"))
        decision.get_by_role("button", name="Save decision").click()
        expect(chair.get_by_text(f"Decision recorded for {reference}.")).to_be_visible(timeout=20_000)
        expect(chair.get_by_role("paragraph").filter(has_text=DECISION)).to_be_visible()
        expect(chair.get_by_text(re.compile(r"^Step down · next review \d\d/\d\d/\d{4}"))).to_be_visible()
        screenshot(chair, "81-chair-decision-recorded")

        # the practitioner following the chair sees the same card: the update beside the ratings, the decision
        practitioner.get_by_test_id("stSidebarNavLink").filter(has_text="Meeting").click()
        expect(practitioner.get_by_role("heading", name="Meeting", exact=True)).to_be_visible()
        wait_for_app(practitioner)
        chair.get_by_role("button", name="Start the meeting clock").click()
        expect(chair.get_by_role("button", name="Pause the meeting clock")).to_be_visible()
        practitioner.get_by_text("Follow the chair").click()
        expect(practitioner.get_by_text(f"Following the chair: {reference}")).to_be_visible(timeout=20_000)
        expect(practitioner.get_by_text(UPDATE, exact=True)).to_be_visible()
        expect(practitioner.get_by_role("paragraph").filter(has_text=DECISION)).to_be_visible()
    finally:
        practitioner.context.close()
        chair.context.close()
