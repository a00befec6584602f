"""Live refreshes and downloads re-check the session in the real app: a chair deactivated while the Meeting page is
open on the shared screen stops seeing cases at the next refresh and is signed out; an idle session's download is
refused; a download leaves its audit event although the browser sends nothing after the click."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import func, select, update

from db.models import AuditEvent, User
from db.session import make_engine, reading, transaction
from tests.browser.conftest import screenshot, seeded_app, sign_in, wait_for_app

IDLE_SECONDS = 12


def _set_active(database_url: str, email: str, active: bool) -> None:
    engine = make_engine(database_url)
    try:
        with transaction(engine) as s:
            s.execute(update(User).where(User.email == email).values(active=active))
    finally:
        engine.dispose()


def _downloads(database_url: str, email: str, what: str) -> int:
    engine = make_engine(database_url)
    try:
        with reading(engine) as s:
            return (
                s.scalar(
                    select(func.count())
                    .select_from(AuditEvent)
                    .join(User, User.id == AuditEvent.actor_id)
                    .where(AuditEvent.verb == "download", AuditEvent.entity_type == what, User.email == email)
                )
                or 0
            )
    finally:
        engine.dispose()


def test_a_chair_deactivated_with_the_meeting_open_is_signed_out_at_the_next_refresh(
    page: Page, live_app: dict[str, str]
) -> None:
    email = live_app["team manager"]
    sign_in(page, live_app["url"], email)
    expect(page.get_by_text("updates every").first).to_be_visible()
    # a case on screen: the open family's heading (not the first reference in the page, which may be a cell of the
    # grid's own hidden accessibility table, depending on whether the grid has drawn it yet)
    expect(page.get_by_role("heading", name=re.compile(r"^F-\d{6} "))).to_be_visible()
    try:
        _set_active(live_app["database_url"], email, False)
        # no click: the ranking refreshes itself every few seconds, and that refresh must end the session
        expect(page.get_by_text("Your account is no longer active")).to_be_visible(timeout=45_000)
        expect(page.get_by_role("button", name="Sign in")).to_be_visible()
        expect(page.get_by_text("Signed in as")).to_have_count(0)
        expect(page.get_by_text("updates every")).to_have_count(0)
        expect(page.get_by_text(re.compile(r"F-\d{6}"))).to_have_count(0)  # no case reference left on the screen
    finally:
        _set_active(live_app["database_url"], email, True)


def test_a_download_is_audited_although_the_browser_sends_nothing_after_the_click(
    page: Page, live_app: dict[str, str]
) -> None:
    email = live_app["team manager"]
    before = _downloads(live_app["database_url"], email, "meeting_record_pdf")
    sign_in(page, live_app["url"], email)
    with page.expect_download(timeout=60_000) as download:
        page.get_by_role("button", name="Meeting record (PDF)").click()
    assert download.value.suggested_filename.endswith("-record.pdf")
    page.close()  # the browser goes away at once: nothing it might have sent after the file can count
    assert _downloads(live_app["database_url"], email, "meeting_record_pdf") == before + 1


@pytest.fixture(scope="module")
def idle_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """A second app whose sessions go idle after a few seconds (the shared one waits the default 30 minutes)."""
    with seeded_app(tmp_path_factory.mktemp("idle"), FSDASH_IDLE_MINUTES=str(IDLE_SECONDS / 60)) as app:
        yield app


def test_an_idle_sessions_download_is_refused(page: Page, idle_app: dict[str, str]) -> None:
    email = idle_app["team manager"]
    sign_in(page, idle_app["url"], email)
    page.get_by_test_id("stSidebarNavLink").filter(has_text="Caseload").click()
    wait_for_app(page)
    button = page.get_by_role("button", name="Download these rows (CSV)")
    expect(button).to_be_visible()
    downloads: list[object] = []
    page.on("download", lambda download: downloads.append(download))
    page.wait_for_timeout((IDLE_SECONDS + 2) * 1000)  # the session goes idle with the button on the screen
    button.click()
    expect(page.get_by_text("Failed to generate file for download")).to_be_visible()  # the server refused
    screenshot(page, "60-idle-download-refused")
    assert downloads == []
    assert _downloads(idle_app["database_url"], email, "caseload_csv") == 0
