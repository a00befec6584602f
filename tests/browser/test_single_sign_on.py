"""Single sign-on end to end: the real app, configured with an `[auth]` section, signs in through a local OpenID
Connect provider (oidc-provider-mock) in a real browser, and the verified email is mapped to a dashboard account."""

from __future__ import annotations

import json
import os
import secrets
import urllib.parse
import urllib.request
from collections.abc import Iterator

import pytest
from oidc_provider_mock import run_server_in_thread
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import _free_port, running_app, screenshot, wait_for_app


@pytest.fixture(scope="module")
def provider() -> Iterator[str]:
    with run_server_in_thread() as server:
        yield f"http://localhost:{server.server_port}"


@pytest.fixture(scope="module")
def sso_app(live_app: dict[str, str], provider: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A second server on the demo database, with single sign-on configured through its own secrets file."""
    port = _free_port()
    url = f"http://localhost:{port}"
    secrets_file = tmp_path_factory.mktemp("sso") / "secrets.toml"
    secrets_file.write_text(
        "[auth]\n"
        f'redirect_uri = "{url}/oauth2callback"\n'
        f'cookie_secret = "{secrets.token_urlsafe(32)}"\n'
        'client_id = "fsdash-tests"\n'
        'client_secret = "not-a-real-secret"\n'
        f'server_metadata_url = "{provider}/.well-known/openid-configuration"\n'
    )
    with running_app(
        {**os.environ, "DATABASE_URL": live_app["database_url"]},
        address="localhost",
        port=port,
        args=("--secrets.files", str(secrets_file)),
    ) as url:
        yield url


@pytest.fixture(scope="module")
def sso_idle_app(live_app: dict[str, str], provider: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A third server on the demo database, single sign-on configured, whose sessions go idle after 6 seconds."""
    port = _free_port()
    url = f"http://localhost:{port}"
    secrets_file = tmp_path_factory.mktemp("sso-idle") / "secrets.toml"
    secrets_file.write_text(
        "[auth]\n"
        f'redirect_uri = "{url}/oauth2callback"\n'
        f'cookie_secret = "{secrets.token_urlsafe(32)}"\n'
        'client_id = "fsdash-tests"\n'
        'client_secret = "not-a-real-secret"\n'
        f'server_metadata_url = "{provider}/.well-known/openid-configuration"\n'
    )
    with running_app(
        {**os.environ, "DATABASE_URL": live_app["database_url"], "FSDASH_IDLE_MINUTES": "0.1"},
        address="localhost",
        port=port,
        args=("--secrets.files", str(secrets_file)),
    ) as url:
        yield url


def _provider_verifies(provider_page: str, email: str) -> None:
    """The provider vouches for the email (`email_verified: true`), as the dashboard requires."""
    parts = urllib.parse.urlsplit(provider_page)
    request = urllib.request.Request(
        f"{parts.scheme}://{parts.netloc}/users/{urllib.parse.quote(email)}",
        data=json.dumps({"email": email, "email_verified": True}).encode(),
        headers={"Content-Type": "application/json"},
        method="PUT",
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status < 300


def _through_the_provider(page: Page, app_url: str, email: str) -> None:
    page.goto(app_url)
    wait_for_app(page)
    page.get_by_role("button", name="Sign in with your council account").click()
    page.locator("input[name=sub]").fill(email)  # the provider's own sign-in page
    _provider_verifies(page.url, email)
    page.get_by_role("button", name="Authorize").click()
    page.wait_for_url(f"{app_url}/**", timeout=20_000)
    wait_for_app(page)


def test_a_council_account_with_a_dashboard_account_signs_in(
    browser: Browser, sso_app: str, live_app: dict[str, str]
) -> None:
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    try:
        page = context.new_page()
        _through_the_provider(page, sso_app, live_app["team manager"].upper())
        expect(page.get_by_text("Signed in as")).to_be_visible(timeout=20_000)
        expect(page.get_by_role("heading", name="Meeting").first).to_be_visible()
        screenshot(page, "40-signed-in-with-sso")
        page.get_by_role("button", name="Sign out").click()
        page.wait_for_url("**/oauth2/end_session**", timeout=20_000)  # signing out of the provider too
        page.get_by_role("button", name="End session").click()
        page.wait_for_url(f"{sso_app}/**", timeout=20_000)
        expect(page.get_by_role("button", name="Sign in with your council account")).to_be_visible(timeout=20_000)
        expect(page.get_by_text("Signed in as")).to_have_count(0)
    finally:
        context.close()


def test_a_council_account_without_a_dashboard_account_is_refused(browser: Browser, sso_app: str) -> None:
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    try:
        page = context.new_page()
        _through_the_provider(page, sso_app, "new.starter@example.org")
        expect(page.get_by_text("No dashboard account uses new.starter@example.org")).to_be_visible(timeout=20_000)
        expect(page.get_by_text("Signed in as")).to_have_count(0)
        screenshot(page, "41-sso-refused")
    finally:
        context.close()


def test_after_an_idle_sign_out_the_browser_is_sent_to_the_provider_not_signed_straight_back_in(
    browser: Browser, sso_idle_app: str, live_app: dict[str, str]
) -> None:
    """Streamlit's identity cookie lives 30 days: without the dashboard ending the identity with the session, opening
    the address again after an idle sign-out signed the same browser straight back in."""
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    try:
        page = context.new_page()
        _through_the_provider(page, sso_idle_app, live_app["social worker"])
        expect(page.get_by_text("Signed in as")).to_be_visible(timeout=20_000)
        expect(page.get_by_text("Your session has ended because there was no click")).to_be_visible(timeout=30_000)
        page.goto(sso_idle_app)
        expect(page.locator("input[name=sub]")).to_be_visible(timeout=20_000)  # the provider's own sign-in page
        assert not page.url.startswith(sso_idle_app), page.url
        expect(page.get_by_text("Signed in as")).to_have_count(0)
        screenshot(page, "42-sso-idle-asks-the-provider-again")
    finally:
        context.close()
