"""A name that holds a web or email address is shown as text, never as a live link: on the family card (normal and
presentation mode, whose tables read Markdown) and in the Family page's caption."""

from __future__ import annotations

from playwright.sync_api import Page, expect
from sqlalchemy import select, update

from db.models import Child, Family, Involvement, Meeting, User
from db.session import make_engine, transaction
from risk.vocabulary import MeetingStatus
from tests.browser.conftest import screenshot, sign_in, wait_for_app

LINKY_NAME = "Amy http://evil.example/x www.evil.example amy@evil.example"


def _plant(database_url: str, manager_email: str) -> str:
    """Rename a child of the manager's team's first open family; returns the family's case reference."""
    engine = make_engine(database_url)
    try:
        with transaction(engine) as session:
            manager = session.scalars(select(User).where(User.email == manager_email)).one()
            meeting = session.scalars(
                select(Meeting).where(Meeting.team_id == manager.team_id, Meeting.status == MeetingStatus.OPEN)
            ).one()
            family = session.scalars(
                select(Family)
                .join(Involvement, Involvement.family_id == Family.id)
                .where(Family.team_id == meeting.team_id, Family.closed_on.is_(None))
                .order_by(Family.case_reference)
                .limit(1)
            ).one()
            session.execute(update(Child).where(Child.id == family.children[0].id).values(first_name=LINKY_NAME))
            return family.case_reference
    finally:
        engine.dispose()


def _no_link_to_it(page: Page) -> None:
    wait_for_app(page)
    expect(page.locator("a[href*='evil.example']")).to_have_count(0)


def test_an_address_in_a_name_never_becomes_a_link(page: Page, live_app: dict[str, str]) -> None:
    reference = _plant(live_app["database_url"], live_app["team manager"])
    sign_in(page, live_app["url"], live_app["team manager"])
    picker = page.get_by_test_id("stSelectbox").filter(has_text="Family to discuss").locator("input")
    picker.click()
    picker.fill(reference)
    picker.press("Enter")
    wait_for_app(page)
    page.get_by_text("Presentation mode").click()  # its tables read Markdown
    wait_for_app(page)
    expect(page.get_by_test_id("stTable").filter(has_text="evil").first).to_be_visible(timeout=20_000)
    _no_link_to_it(page)
    screenshot(page, "61-address-in-a-name-presentation")

    page.get_by_test_id("stSidebarNavLink").filter(has_text="Family").click()
    wait_for_app(page)
    expect(page.get_by_text("children:", exact=False).first).to_be_visible()
    _no_link_to_it(page)
    screenshot(page, "62-address-in-a-name-family-page")
