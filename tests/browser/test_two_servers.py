"""Two app servers on one PostgreSQL database, as a council runs them behind a load balancer with sticky sessions.

Each browser session lives in the process that served it, so nothing the meeting depends on may live only in one
process's memory: a rating saved through server A reaches the chair's screen on server B by itself (B's screens
check the meeting's change count in the database, and what B shares between its sessions is keyed by it), and so
does the next one; closing the meeting on B refuses a save on A, and wrong passwords count towards one lockout
whichever server they reach.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from dashboard.cli.seeding import DEMO_PASSWORD
from db.models import User
from db.session import make_engine, reading
from tests.browser.conftest import (
    SEED_TODAY,
    _fsdash,
    first_unrated_child,
    running_app,
    screenshot,
    sign_in,
    wait_for_app,
)
from tests.browser.test_supervision_flow import STILL_TO_COME, _missing
from tests.conftest import _recreate_postgres_database, scratch_postgres_url

pytestmark = pytest.mark.postgres


@pytest.fixture(scope="module")
def two_servers() -> Iterator[dict[str, str]]:
    """Demo data in a PostgreSQL database of its own, served by two separate app processes."""
    url = scratch_postgres_url("two_servers")
    _recreate_postgres_database(url)
    env = {**os.environ, "DATABASE_URL": url, "FSDASH_DEMO": "1"}
    printed = _fsdash("seed", "--scale", "demo", "--today", SEED_TODAY.isoformat(), env=env)
    accounts = {" ".join(p[:-1]): p[-1] for p in map(str.split, printed.splitlines()) if p and "@" in p[-1]}
    with running_app(env) as server_a, running_app(env) as server_b:
        yield {"a": server_a, "b": server_b, "database_url": url, **accounts}


def _page(browser: Browser) -> Page:
    return browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()


def test_a_save_on_one_server_reaches_the_chair_on_the_other_and_closing_there_locks_it(
    browser: Browser, two_servers: dict[str, str]
) -> None:
    chair, practitioner = _page(browser), _page(browser)
    try:
        sign_in(chair, two_servers["b"], two_servers["team manager"])
        before = _missing(chair)
        sign_in(practitioner, two_servers["a"], two_servers["social worker"])

        group, form, reference = first_unrated_child(practitioner)
        group.get_by_text("Red").click()
        form.get_by_role("button", name=f"Save ratings for {reference}").click()
        expect(practitioner.get_by_text(f"Your ratings for {reference}")).to_be_visible()

        # the chair on the other server does nothing: the refresh brings the new rating
        expect(chair.get_by_text(STILL_TO_COME).first).to_contain_text(f"{before - 1} rating")
        screenshot(chair, "40-two-servers-chair-on-b")

        # B redrew from what it computed at the meeting's new change count; a colleague's save on A moves the count
        # again, and B's next check sees it (nothing B shared is kept past a change made in another process)
        colleague = _page(browser)
        try:
            sign_in(colleague, two_servers["a"], two_servers["mental health practitioner"])
            group2, form2, reference2 = first_unrated_child(colleague)
            group2.get_by_text("Green").click()
            form2.get_by_role("button", name=f"Save ratings for {reference2}").click()
            expect(colleague.get_by_text(f"Your ratings for {reference2}")).to_be_visible()
            expect(chair.get_by_text(STILL_TO_COME).first).to_contain_text(f"{before - 2} rating")
        finally:
            colleague.context.close()

        # on A, the practitioner changes that rating to amber but has not saved when the meeting closes on B
        wait_for_app(practitioner)  # the family's form redrawn after the save, not only its confirmation
        family = practitioner.get_by_test_id("stExpander").filter(has_text=reference)
        if family.locator("details").get_attribute("open") is None:
            family.locator("summary").click()
        family.get_by_role("radiogroup").first.get_by_text("Amber").click()
        chair.get_by_text("I have discussed every family").click()
        chair.get_by_role("button", name="Close meeting").click()
        expect(chair.get_by_text("is closed and its ratings are locked")).to_be_visible()

        family.get_by_role("button", name=f"Save ratings for {reference}").click()
        expect(practitioner.get_by_text("has closed, so its ratings are locked")).to_be_visible()
        screenshot(practitioner, "41-two-servers-save-refused-on-a")
    finally:
        chair.context.close()
        practitioner.context.close()


def test_wrong_passwords_on_both_servers_count_towards_one_lockout(
    browser: Browser, two_servers: dict[str, str]
) -> None:
    email = two_servers["mental health practitioner"]
    page = _page(browser)
    try:
        for attempt in range(5):
            page.goto(two_servers["a" if attempt % 2 else "b"])
            page.get_by_label("Email").fill(email)
            page.get_by_role("textbox", name="Password").fill(f"not the password {attempt}")
            page.get_by_role("button", name="Sign in").click()
            expect(page.get_by_text("do not match an active account")).to_be_visible()

        page.goto(two_servers["a"])
        page.get_by_label("Email").fill(email)
        page.get_by_role("textbox", name="Password").fill(DEMO_PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_text("do not match an active account")).to_be_visible()
        wait_for_app(page)
        assert page.get_by_text("Signed in as").count() == 0
    finally:
        page.context.close()
    engine = make_engine(two_servers["database_url"])
    try:
        with reading(engine) as s:
            assert s.scalars(select(User.locked_until).where(User.email == email)).one() is not None
    finally:
        engine.dispose()
