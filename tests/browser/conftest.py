"""The real app in a real browser: Streamlit serves the app on a seeded temporary SQLite database and Playwright
drives Debian's Chromium (never a downloaded browser). Screenshots of every page go to test-artifacts/.

If Chromium is missing the suite fails with a message: `make test` installs it, and a browser suite that quietly
skips proves nothing.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO

import pytest
from playwright.sync_api import Browser, Locator, Page, expect, sync_playwright

from dashboard.cli.seeding import DEMO_PASSWORD

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "screenshots"
SEED_TODAY = dt.date(2026, 11, 20)
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

DEMO_SETTINGS = {"FSDASH_DEMO": "1", "FSDASH_MFA_REQUIRED": "none"}
"""The invented accounts are signed in many times a run: two-step sign-in stays optional for them, as under
`make run`; tests/browser/test_two_step_sign_in.py runs with the default (administrators and service leads must)."""

pytestmark = pytest.mark.browser
# A loaded CI machine can take more than Playwright's default 5 s to rerun a Streamlit script.
expect.set_options(timeout=15_000)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _fsdash(*args: str, env: dict[str, str]) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "dashboard.cli", *args], env=env, cwd=ROOT, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"fsdash {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


@contextmanager
def running_app(
    env: dict[str, str], *, address: str = "127.0.0.1", port: int | None = None, args: Sequence[str] = ()
) -> Iterator[str]:
    """The app served by Streamlit (on a free port unless given) until the block ends; yields its URL.

    The server's log goes to a file, not a pipe: a pipe nobody reads fills up and then stops the server."""
    port = port or _free_port()
    url = f"http://{address}:{port}"
    with tempfile.TemporaryFile() as log:
        server = subprocess.Popen(
            [
                sys.executable, "-m", "dashboard.streamlit_main", "run", str(ROOT / "dashboard" / "app.py"),
                "--server.port", str(port), "--server.address", address, "--server.headless", "true", *args,
            ],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=log,
        )  # fmt: skip
        try:
            _wait_until_healthy(server, url, log)
            yield url
        finally:
            # How fast Streamlit shuts down on a loaded machine is not under test: ask, then insist.
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


def _wait_until_healthy(server: subprocess.Popen[bytes], url: str, log: IO[bytes]) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        if server.poll() is not None or time.monotonic() > deadline:
            log.seek(0)
            raise RuntimeError(f"The app did not start: {log.read().decode(errors='replace')}")
        time.sleep(0.3)


@contextmanager
def seeded_app(folder: Path, **settings: str) -> Iterator[dict[str, str]]:
    """A running app on freshly seeded demo data of its own (with extra environment `settings`): its URL, database
    URL and the accounts `fsdash seed` printed, by role."""
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{folder / 'app.db'}", **DEMO_SETTINGS, **settings}
    printed = _fsdash("seed", "--scale", "demo", "--today", SEED_TODAY.isoformat(), env=env)
    accounts = {}
    for line in printed.splitlines():
        parts = line.split()
        if parts and parts[-1].endswith("@example.org"):
            accounts[" ".join(parts[:-1])] = parts[-1]
    with running_app(env) as url:
        yield {"url": url, "database_url": env["DATABASE_URL"], **accounts}


@pytest.fixture(scope="session")
def live_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """The app most browser tests share."""
    with seeded_app(tmp_path_factory.mktemp("browser")) as app:
        yield app


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(
            "Debian's chromium is not installed: run `make browser` (or `make test`, which does).", pytrace=False
        )
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    yield page
    context.close()


def screenshot(page: Page, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def wait_for_app(page: Page) -> None:
    """Streamlit has finished running the script (the app root says so), and nothing is still loading."""
    page.wait_for_load_state("networkidle")
    page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]', timeout=30_000)


def sign_in(page: Page, url: str, email: str, password: str = DEMO_PASSWORD) -> None:
    page.goto(url)
    page.get_by_label("Email").fill(email)
    page.get_by_role("textbox", name="Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("Signed in as")).to_be_visible(timeout=20_000)
    wait_for_app(page)


def choose_option(page: Page, label: str, typed: str, chosen: re.Pattern[str]) -> None:
    """Pick an option of the select box labelled `label` by typing `typed`, as a keyboard user would; `chosen`
    matches what the box shows once the choice is made.

    Each step waits for what the next one needs: the list narrowed to exactly one match before Enter, and the box
    showing the chosen option's label afterwards (the typed text alone is not a choice), so neither a slow rerun
    nor the page's own refresh can make the test race the page."""
    field = page.get_by_test_id("stSelectbox").filter(has_text=label).locator("input")
    field.click()
    field.fill(typed)
    expect(page.get_by_role("option")).to_have_count(1)
    expect(page.get_by_role("option")).to_contain_text(typed)
    field.press("Enter")
    expect(field).to_have_value(chosen)
    wait_for_app(page)


def wait_for_every_form(practitioner: Page) -> None:
    """The Rate page draws one form per family after its opening line ("6 children in 4 families you work
    with"): wait until every one of them is there before looking through them."""
    opening = practitioner.get_by_text(re.compile(r"in \d+ famil(y|ies) you work with")).first
    expect(opening).to_be_visible()
    found = re.search(r"in (\d+) famil", opening.inner_text())
    assert found, opening.inner_text()
    expect(practitioner.get_by_test_id("stForm")).to_have_count(int(found.group(1)))


def first_unrated_child(practitioner: Page) -> tuple[Locator, Locator, str]:
    """The first child on the Rate page this practitioner has not rated: its radio group, its family's form and
    the family's reference.

    Found with a waiting locator, not a snapshot of the forms: an open family's radios are in the page a moment
    before its expander has laid them out, and a snapshot taken in that moment sees no radios at all. The group is
    returned by its name, so it is still the same group once a choice is made."""
    wait_for_every_form(practitioner)
    unrated = practitioner.get_by_role("radiogroup").filter(has_not=practitioner.locator("input:checked")).first
    expect(unrated).to_be_visible()
    name = unrated.get_attribute("aria-label")
    assert name, "the group to rate has a name"
    group = practitioner.get_by_role("radiogroup", name=name, exact=True)
    form = practitioner.get_by_test_id("stForm").filter(has=group)
    save = form.get_by_role("button", name=re.compile("^Save ratings for"))
    return group, form, save.inner_text().removeprefix("Save ratings for ").strip()
