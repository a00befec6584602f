"""Single sign-on end to end: the real app, configured with an `[auth]` section, signs in through a local OpenID
Connect provider (oidc-provider-mock) in a real browser, and the verified email is mapped to a dashboard account."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator

import pytest
from oidc_provider_mock import run_server_in_thread
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import ROOT, _free_port, screenshot, wait_for_app


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
    server = subprocess.Popen(
        [
            sys.executable, "-m", "streamlit", "run", str(ROOT / "dashboard" / "app.py"),
            "--server.port", str(port), "--server.address", "localhost", "--server.headless", "true",
            "--secrets.files", str(secrets_file),
        ],
        env={**os.environ, "DATABASE_URL": live_app["database_url"]},
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    break
        except OSError:
            pass
        if server.poll() is not None or time.monotonic() > deadline:
            server.kill()
            raise RuntimeError(f"The SSO app did not start: {server.stderr.read().decode() if server.stderr else ''}")
        time.sleep(0.3)
    yield url
    server.terminate()
    server.wait(timeout=10)


def _through_the_provider(page: Page, app_url: str, email: str) -> None:
    page.goto(app_url)
    wait_for_app(page)
    page.get_by_role("button", name="Sign in with your council account").click()
    page.locator("input[name=sub]").fill(email)  # the provider's own sign-in page
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
