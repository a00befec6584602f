"""Two-step sign-in in a real browser, with the default setting (administrators and service leads must use it):
the administrator is taken to enrolment at the first sign-in, reads the key off the page into an "authenticator"
(pyotp here), keeps the recovery codes, signs out, signs in with a code, is refused the same code in a second
browser, signs in with a recovery code, and is locked after five wrong codes."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path

import pyotp
import pytest
from playwright.sync_api import Browser, Page, expect

from dashboard.cli.seeding import DEMO_PASSWORD
from tests.browser.conftest import screenshot, seeded_app, wait_for_app

CODE_BOX = "Code from your authenticator app, or a recovery code"


@pytest.fixture(scope="module")
def mfa_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    with seeded_app(tmp_path_factory.mktemp("mfa"), FSDASH_MFA_REQUIRED="administrator,service_lead") as app:
        yield app


def _page(browser: Browser) -> Page:
    return browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()


def password_step(page: Page, url: str, email: str) -> None:
    page.goto(url)
    page.get_by_label("Email").fill(email)
    page.get_by_role("textbox", name="Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    wait_for_app(page)


def type_code(page: Page, code: str) -> None:
    page.get_by_label(CODE_BOX).fill(code)
    page.get_by_role("button", name="Continue").click()
    wait_for_app(page)


def enrol(page: Page) -> tuple[pyotp.TOTP, list[str]]:
    """On the enrolment screen: the key read from the page as a person would type it into their app."""
    key = page.get_by_test_id("stCode").first
    expect(key).to_be_visible()
    totp = pyotp.TOTP(re.sub(r"\s+", "", key.inner_text()))
    expect(page.get_by_role("img").first).to_be_visible()  # the QR code
    page.get_by_label("6-digit code from your authenticator app").fill(totp.now())
    page.get_by_role("button", name="Switch on two-step sign-in").click()
    expect(page.get_by_text("These are your 10 recovery codes")).to_be_visible()
    codes = page.get_by_test_id("stCode").first.inner_text().split()
    assert len(codes) == 10
    return totp, codes


def next_code(totp: pyotp.TOTP) -> str:
    """The code of the step after now: inside the ±1 step window, and never the one enrolment has just used (a
    person who signs in again within the same 30 seconds waits for the next code instead)."""
    return totp.at(time.time() + totp.interval)


def sign_out(page: Page) -> None:
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()


def test_enrol_sign_in_with_a_code_replay_recovery_code_and_lockout(browser: Browser, mfa_app: dict[str, str]) -> None:
    url, email = mfa_app["url"], mfa_app["administrator"]
    page, other = _page(browser), _page(browser)
    try:
        password_step(page, url, email)
        expect(page.get_by_role("heading", name="Finish setting up your account")).to_be_visible()
        expect(page.get_by_test_id("stSidebarNavLink")).to_have_count(0)  # nothing else before enrolment
        screenshot(page, "70-mfa-enrolment")
        totp, recovery = enrol(page)
        screenshot(page, "71-mfa-recovery-codes")
        download_button = page.get_by_role("button", name="Download the recovery codes (once)")
        with page.expect_download(timeout=60_000) as download:
            download_button.click()
        assert all(code in Path(download.value.path()).read_text() for code in recovery)
        download_button.click()  # downloadable once
        expect(page.get_by_text("Failed to generate file for download")).to_be_visible()
        page.get_by_role("button", name="I have kept my recovery codes").click()
        expect(page.get_by_role("heading", name="Admin").first).to_be_visible()
        sign_out(page)

        # a password alone is not enough; the code signs in
        password_step(page, url, email)
        expect(page.get_by_text("Your password was right")).to_be_visible()
        expect(page.get_by_text("Signed in as")).to_have_count(0)
        screenshot(page, "72-mfa-code-step")
        password_step(other, url, email)  # someone who saw the code over a shoulder, at the same time
        code = next_code(totp)
        type_code(page, code)
        expect(page.get_by_text("Signed in as")).to_be_visible()
        type_code(other, code)
        expect(other.get_by_text("That code has already been used")).to_be_visible()
        expect(other.get_by_text("Signed in as")).to_have_count(0)
        sign_out(page)

        # a recovery code, once, says how many are left
        password_step(page, url, email)
        type_code(page, recovery[0])
        expect(page.get_by_text("You have 9 recovery codes left")).to_be_visible()
        sign_out(page)

        # five wrong codes lock the account: the right code is refused afterwards
        password_step(page, url, email)
        for attempt in range(5):
            type_code(page, f"{(int(totp.now()) + 1 + attempt) % 1_000_000:06d}")
            expect(
                page.get_by_text("That code is not right" if attempt < 4 else "locked for 15 minutes")
            ).to_be_visible()
        screenshot(page, "73-mfa-locked")
        password_step(page, url, email)
        expect(page.get_by_text("do not match an active account")).to_be_visible()
        expect(page.get_by_text("Signed in as")).to_have_count(0)
    finally:
        page.context.close()
        other.context.close()
