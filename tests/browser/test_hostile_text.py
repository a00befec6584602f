"""Names, rationales, updates and actions are people's words: shown as text, never run as HTML or turned into links.

A child is renamed to an HTML payload and a rating, an update and an action carry Markdown with a javascript: link; the
pages that show them are opened in a real browser, which must raise no dialog, load no image and make no link.
"""

from __future__ import annotations

import datetime as dt
import re

from playwright.sync_api import Dialog, Page, expect
from sqlalchemy import select, update

from db.models import Action, Child, Family, Involvement, Meeting, Rating, SupervisionUpdate, User
from db.session import make_engine, transaction
from risk.vocabulary import RAG, MeetingStatus
from tests.browser.conftest import choose_option, screenshot, sign_in, wait_for_app

HTML_NAME = "<img src=x onerror=alert(1)>"
MARKDOWN_TEXT = "**bold** [link](javascript:alert(1))"


def _plant(database_url: str, email: str) -> str:
    """Put the hostile words on a family the practitioner works with; returns its case reference."""
    engine = make_engine(database_url)
    try:
        with transaction(engine) as session:
            user = session.scalars(select(User).where(User.email == email)).one()
            meeting = session.scalars(
                select(Meeting).where(Meeting.team_id == user.team_id, Meeting.status == MeetingStatus.OPEN)
            ).one()
            family = session.scalars(
                select(Family)
                .join(Involvement, Involvement.family_id == Family.id)
                .where(
                    Involvement.practitioner_id == user.id, Family.closed_on.is_(None), Involvement.ended_on.is_(None)
                )
                .order_by(Family.case_reference)
                .limit(1)
            ).one()
            child = family.children[0]
            session.execute(update(Child).where(Child.id == child.id).values(first_name=HTML_NAME))
            rating = session.scalars(
                select(Rating).where(
                    Rating.meeting_id == meeting.id, Rating.child_id == child.id, Rating.practitioner_id == user.id
                )
            ).one_or_none()
            if rating is None:
                session.add(
                    Rating(meeting=meeting, child=child, practitioner=user, rag=RAG.AMBER, rationale=MARKDOWN_TEXT)
                )
            else:
                rating.rationale = MARKDOWN_TEXT
            session.add(  # the professional's update for supervision, shown on the card and the Family page
                SupervisionUpdate(
                    meeting_id=meeting.id, family_id=family.id, author_id=user.id, role=user.role, text=MARKDOWN_TEXT
                )
            )
            session.add(
                Action(
                    family=family,
                    meeting_id=meeting.id,
                    text=MARKDOWN_TEXT,
                    owner=user,
                    due_on=meeting.held_on + dt.timedelta(days=14),
                )
            )
            return family.case_reference
    finally:
        engine.dispose()


def _assert_inert(page: Page, dialogs: list[str]) -> None:
    wait_for_app(page)
    assert dialogs == [], f"a script ran: {dialogs}"
    assert page.locator("img[src='x']").count() == 0
    assert page.locator("a[href^='javascript']").count() == 0
    assert page.locator("strong", has_text="bold").count() == 0


def test_hostile_names_and_text_are_shown_as_text(page: Page, live_app: dict[str, str]) -> None:
    reference = _plant(live_app["database_url"], live_app["social worker"])
    dialogs: list[str] = []

    def refuse(dialog: Dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", refuse)
    sign_in(page, live_app["url"], live_app["social worker"])
    expect(page.get_by_text(HTML_NAME).first).to_be_attached()  # the name, literally, as text
    _assert_inert(page, dialogs)
    screenshot(page, "30-hostile-text-rate")

    page.get_by_test_id("stSidebarNavLink").filter(has_text="Meeting").click()
    wait_for_app(page)
    choose_option(page, "Family to discuss", reference, re.compile(rf"^\d+\. {reference} · "))
    expect(page.get_by_test_id("stHeading").filter(has_text=reference)).to_be_visible()
    expect(page.get_by_text(MARKDOWN_TEXT).first).to_be_attached()
    _assert_inert(page, dialogs)
    screenshot(page, "31-hostile-text-family-card")

    page.get_by_test_id("stSidebarNavLink").filter(has_text="Family").click()
    expect(page.get_by_role("heading", name="Family", exact=True)).to_be_visible()
    wait_for_app(page)
    _assert_inert(page, dialogs)
    screenshot(page, "32-hostile-text-family-page")
