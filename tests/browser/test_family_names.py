"""Families are shown by their case reference and name; in Presentation mode a team that asks for it shows the
initials only, for rooms where visitors can see the projector. The chair turns the setting on from the Meeting
page and sees the shared screen follow; the name itself is text, never markup.

These tests run on an app of their own (its own seeded database), so nothing another browser test does to the
shared app (closing its meeting, renaming a child) can change what they see.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from db.models import Family, Meeting, User
from db.session import make_engine, reading, transaction
from risk.vocabulary import MeetingStatus
from tests.browser.conftest import choose_option, screenshot, seeded_app, sign_in, wait_for_app
from tests.browser.test_accessibility import scan

NAME = "Kettlewhistle / Parsnipwaddle"
INITIALS = "K / P"
HOSTILE = "<b>Toffeesnoot</b>"


@pytest.fixture(scope="module")
def names_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """An app of this module's own, with two families of the team manager's open meeting given known names."""
    with seeded_app(tmp_path_factory.mktemp("family-names")) as app:
        engine = make_engine(app["database_url"])
        try:
            with transaction(engine) as s:
                manager = s.scalars(select(User).where(User.email == app["team manager"])).one()
                meeting = s.scalars(
                    select(Meeting).where(Meeting.team_id == manager.team_id, Meeting.status == MeetingStatus.OPEN)
                ).one()
                named, hostile = s.scalars(
                    select(Family)
                    .where(Family.team_id == manager.team_id, Family.closed_on.is_(None))
                    .order_by(Family.case_reference)
                    .limit(2)
                ).all()
                named.display_name, hostile.display_name = NAME, HOSTILE
                app |= {"named": named.case_reference, "hostile": hostile.case_reference, "meeting": str(meeting.id)}
        finally:
            engine.dispose()
        yield app


def _initials_setting(app: dict[str, str]) -> bool:
    engine = make_engine(app["database_url"])
    try:
        with reading(engine) as s:
            manager = s.scalars(select(User).where(User.email == app["team manager"])).one()
            return manager.team.presentation_initials
    finally:
        engine.dispose()


def _heading(page: Page) -> str:
    return page.get_by_test_id("stHeading").filter(has_text=re.compile(r"^F-")).first.inner_text()


def _choose(page: Page, reference: str, shown: str) -> None:
    choose_option(page, "Family to discuss", reference, re.compile(rf"^\d+\. {reference} · {re.escape(shown)} · "))


def _save_names(page: Page, choice: str, said: str) -> None:
    page.get_by_text("Families' names on the shared screen").click()
    page.get_by_text(choice).click()
    page.get_by_role("button", name="Save how names show").click()
    expect(page.get_by_text(said)).to_be_visible()
    wait_for_app(page)


def _card_shows(page: Page, label: str) -> None:
    expect(page.get_by_test_id("stHeading").filter(has_text=label)).to_be_visible()


def _presentation(page: Page) -> None:
    page.get_by_text("Presentation mode", exact=True).click()
    wait_for_app(page)


def test_presentation_mode_shows_full_names_while_the_setting_is_off(page: Page, names_app: dict[str, str]) -> None:
    reference = names_app["named"]
    sign_in(page, names_app["url"], names_app["team manager"])
    assert not _initials_setting(names_app)
    _choose(page, reference, NAME)
    _card_shows(page, f"{reference} · {NAME}")

    _presentation(page)
    expect(page.get_by_test_id("stTable").first.locator("tr", has_text=f"{reference} · {NAME}")).to_have_count(1)
    _card_shows(page, f"{reference} · {NAME}")
    screenshot(page, "60-presentation-full-names")


def test_presentation_mode_shows_initials_only_when_the_team_asks(page: Page, names_app: dict[str, str]) -> None:
    reference = names_app["named"]
    sign_in(page, names_app["url"], names_app["team manager"])
    _save_names(page, "Initials only", "shows families' initials only on the shared screen")
    assert _initials_setting(names_app)
    _choose(page, reference, INITIALS)  # the picker is on the shared screen too: initials on every screen
    _card_shows(page, f"{reference} · {NAME}")  # the chair's own screen: the name

    _presentation(page)
    expect(page.get_by_test_id("stTable").first.locator("tr", has_text=f"{reference} · {INITIALS}")).to_have_count(1)
    _card_shows(page, f"{reference} · {INITIALS}")
    expect(page.get_by_text("Kettlewhistle")).to_have_count(0)  # nowhere on the shared screen
    screenshot(page, "61-presentation-initials")

    _presentation(page)  # off again: the same family, by its name
    _card_shows(page, f"{reference} · {NAME}")

    _save_names(page, "Full names", "shows families' full names on the shared screen")
    assert not _initials_setting(names_app)


def test_the_setting_passes_axe(page: Page, names_app: dict[str, str]) -> None:
    sign_in(page, names_app["url"], names_app["team manager"])
    page.get_by_text("Families' names on the shared screen").click()
    expect(page.get_by_role("button", name="Save how names show")).to_be_visible()
    found = scan(page, "team-manager-presentation-names")
    assert not found, "\n".join(found)


def test_a_hostile_name_is_shown_as_text(page: Page, names_app: dict[str, str]) -> None:
    reference = names_app["hostile"]
    sign_in(page, names_app["url"], names_app["team manager"])
    choose_option(page, "Family to discuss", reference, re.compile(rf"^\d+\. {reference} · "))
    expect(page.get_by_test_id("stHeading").filter(has_text=f"{reference} · {HOSTILE}")).to_be_visible()
    assert page.locator("b", has_text="Toffeesnoot").count() == 0
    page.get_by_test_id("stSidebarNavLink").filter(has_text="Family").click()
    wait_for_app(page)
    choose_option(page, "Family", reference, re.compile(rf"^{reference} · "))
    assert page.locator("b", has_text="Toffeesnoot").count() == 0
    screenshot(page, "62-hostile-family-name")
