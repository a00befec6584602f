"""Two app servers on one PostgreSQL database, as a council runs them behind a load balancer with sticky sessions.

Each browser session lives in the process that served it, so nothing the meeting depends on may live only in one
process's memory: a rating saved through server A reaches the chair's screen on server B by itself (B's screens
check the meeting's change count in the database, and what B shares between its sessions is keyed by it), and so
does the next one; closing the meeting on B refuses a save on A, wrong passwords count towards one lockout
whichever server they reach, a two-step code used on one is refused on the other, and a password changed on one
ends the account's session on the other.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator

import pyotp
import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from dashboard.cli.seeding import DEMO_PASSWORD
from db.models import User
from db.services import mfa
from db.session import make_engine, reading
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
from tests.browser.test_supervision_flow import STILL_TO_COME, _missing
from tests.conftest import _recreate_postgres_database, scratch_postgres_url

pytestmark = pytest.mark.postgres
SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
NEW_PASSWORD = "trellis-omnibus-quietly-7"


@pytest.fixture(scope="module")
def two_servers() -> Iterator[dict[str, str]]:
    """Demo data in a PostgreSQL database of its own, served by two separate app processes."""
    url = scratch_postgres_url("two_servers")
    _recreate_postgres_database(url)
    env = {**os.environ, "DATABASE_URL": url, **DEMO_SETTINGS}
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


def test_a_code_used_on_one_server_is_refused_on_the_other(browser: Browser, two_servers: dict[str, str]) -> None:
    """The last step used is stored in PostgreSQL and moved forward in one UPDATE, so the other process refuses it."""
    email = two_servers["administrator"]
    engine = make_engine(two_servers["database_url"])
    try:
        with reading(engine) as s:
            admin = s.scalars(select(User).where(User.email == email)).one()
        totp = pyotp.TOTP(SECRET)
        mfa.enrol(engine, admin, SECRET, totp.now())
    finally:
        engine.dispose()
    on_a, on_b = _page(browser), _page(browser)
    try:
        for page, server in ((on_a, "a"), (on_b, "b")):
            page.goto(two_servers[server])
            page.get_by_label("Email").fill(email)
            page.get_by_role("textbox", name="Password").fill(DEMO_PASSWORD)
            page.get_by_role("button", name="Sign in").click()
            expect(page.get_by_text("Your password was right")).to_be_visible()
        code = totp.at(time.time() + totp.interval)  # not the step enrolment used
        for page in (on_a, on_b):
            page.get_by_label("Code from your authenticator app, or a recovery code").fill(code)
            page.get_by_role("button", name="Continue").click()
        expect(on_a.get_by_text("Signed in as")).to_be_visible()
        expect(on_b.get_by_text("That code has already been used")).to_be_visible()
        expect(on_b.get_by_text("Signed in as")).to_have_count(0)
        screenshot(on_b, "42-two-servers-code-replay-refused-on-b")
    finally:
        on_a.context.close()
        on_b.context.close()


def test_a_password_changed_on_one_server_ends_the_session_on_the_other(
    browser: Browser, two_servers: dict[str, str]
) -> None:
    email = two_servers["service lead"]
    here, there = _page(browser), _page(browser)
    try:
        sign_in(here, two_servers["a"], email)
        sign_in(there, two_servers["b"], email)
        here.get_by_test_id("stSidebarNavLink").filter(has_text="My account").click()
        here.get_by_label("Current password").fill(DEMO_PASSWORD)
        here.get_by_label("New password (at least 12 characters)").fill(NEW_PASSWORD)
        here.get_by_label("New password again").fill(NEW_PASSWORD)
        here.get_by_role("button", name="Change password").click()
        expect(here.get_by_text("Your password has been changed")).to_be_visible()

        there.get_by_test_id("stSidebarNavLink").filter(has_text="My account").click()  # its next click
        expect(there.get_by_text("Your password was changed, so your other sessions were signed out")).to_be_visible()
        expect(there.get_by_text("Signed in as")).to_have_count(0)
        screenshot(there, "43-two-servers-session-ended-by-password-change")
        here.get_by_test_id("stSidebarNavLink").filter(has_text="Service overview").click()  # the changer carries on
        expect(here.get_by_role("heading", name="Service overview").first).to_be_visible()
        expect(here.get_by_text("Signed in as")).to_be_visible()
    finally:
        here.context.close()
        there.context.close()
