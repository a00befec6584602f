"""Two people in one meeting: a practitioner follows the chair, whose screen decides which family both see, and the
chair's steps through the caseload are kept as the meeting's record of discussion."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from db.models import Meeting, User
from db.queries.caseload import ranked_caseload
from db.session import make_engine, reading
from risk.vocabulary import MeetingStatus
from tests.browser.conftest import choose_option, screenshot, seeded_app, sign_in, wait_for_app


@pytest.fixture(scope="module")
def meeting_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """An app of its own: this test marks families discussed and runs the clock, which the shared app's other
    tests must not find."""
    with seeded_app(tmp_path_factory.mktemp("follow")) as app:
        yield app


def _followed(follower: Page, reference: str) -> None:
    """The follower's screen shows `reference`'s card, within the refresh interval, with no click of its own."""
    expect(follower.get_by_text(f"Following the chair: {reference}")).to_be_visible(timeout=20_000)
    expect(follower.get_by_test_id("stHeading").filter(has_text=reference)).to_be_visible()


def _ranked_references(app: dict[str, str]) -> list[str]:
    engine = make_engine(app["database_url"])
    try:
        with reading(engine) as s:
            manager = s.scalars(select(User).where(User.email == app["team manager"])).one()
            meeting = s.scalars(
                select(Meeting.id).where(Meeting.team_id == manager.team_id, Meeting.status == MeetingStatus.OPEN)
            ).one()
        return [e.case_reference for e in ranked_caseload(engine, manager, meeting)[1]]
    finally:
        engine.dispose()


def _chairs_family(chair: Page) -> str:
    picker = chair.get_by_test_id("stSelectbox").filter(has_text="Family to discuss").locator("input")
    return picker.input_value().split()[1]


def test_a_practitioner_follows_the_chair_through_the_meeting(browser: Browser, meeting_app: dict[str, str]) -> None:
    chair = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
    follower = browser.new_context(viewport={"width": 1200, "height": 900}).new_page()
    try:
        sign_in(follower, meeting_app["url"], meeting_app["social worker"])
        follower.get_by_test_id("stSidebarNavLink").filter(has_text="Meeting").click()
        expect(follower.get_by_role("heading", name="Meeting", exact=True)).to_be_visible()
        wait_for_app(follower)
        follower.get_by_text("Follow the chair").click()
        expect(follower.get_by_text("The chair has not opened a family yet")).to_be_visible()

        sign_in(chair, meeting_app["url"], meeting_app["team manager"])
        expect(chair.get_by_text("meeting clock not running")).to_be_visible()
        first = _chairs_family(chair)
        chair.get_by_role("button", name="Start the meeting clock").click()
        expect(chair.get_by_role("button", name="Pause the meeting clock")).to_be_visible()
        _followed(follower, first)
        screenshot(follower, "70-following-the-chair")

        chair.get_by_role("button", name="Next family").click()
        picker = chair.get_by_test_id("stSelectbox").filter(has_text="Family to discuss").locator("input")
        expect(picker).to_have_value(re.compile(r"^2\. "))
        second = _chairs_family(chair)
        _followed(follower, second)
        expect(chair.get_by_text(re.compile(r"1 of \d+ families discussed"))).to_be_visible()
        screenshot(chair, "71-chair-after-next-family")

        # a family chosen from the list, not the next one: the follower goes there too
        fifth = _ranked_references(meeting_app)[4]
        choose_option(chair, "Family to discuss", fifth, re.compile(rf"^5\. {fifth} · "))
        _followed(follower, fifth)
        expect(follower.get_by_text(re.compile(r"meeting clock running"))).to_be_visible()
    finally:
        chair.context.close()
        follower.context.close()
