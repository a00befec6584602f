"""Every page each role can reach, opened from the sidebar as a user would: it renders without an error, and a
screenshot of it is kept under test-artifacts/screenshots for a person to look at."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import screenshot, sign_in, wait_for_app

ERRORS = ("This app has encountered an error", "Traceback", "Error:")
HEADINGS = {"Import caseload": "Import the caseload"}  # a page's heading where it differs from its sidebar title


@pytest.mark.parametrize("role", ["team manager", "social worker", "service lead", "administrator"])
def test_every_page_of_every_role_renders(page: Page, live_app: dict[str, str], role: str) -> None:
    sign_in(page, live_app["url"], live_app[role])
    links = page.get_by_test_id("stSidebarNavLink")
    expect(links.first).to_be_visible()
    titles = [link.inner_text().strip().splitlines()[-1].strip() for link in links.all()]
    assert titles, "the sidebar lists this role's pages"
    for index, title in enumerate(titles):
        page.get_by_test_id("stSidebarNavLink").filter(has_text=title).click()
        # the page's own heading first: straight after the click the previous page may still be on the screen
        heading = HEADINGS.get(title, title)
        expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()
        wait_for_app(page)
        expect(page.get_by_test_id("stException")).to_have_count(0)
        body = page.get_by_test_id("stMain").inner_text()
        for error in ERRORS:
            assert error not in body, f"{title} as {role} shows {error!r}"
        name = title.lower().replace(" ", "-")
        screenshot(page, f"20-{role.replace(' ', '-')}-{index}-{name}")


def test_the_caseload_opens_a_familys_history(page: Page, live_app: dict[str, str]) -> None:
    sign_in(page, live_app["url"], live_app["social worker"])
    page.get_by_test_id("stSidebarNavLink").filter(has_text="Caseload").click()
    wait_for_app(page)
    expect(page.get_by_role("button", name="Download these rows (CSV)")).to_be_visible()
    picker = page.get_by_test_id("stSelectbox").filter(has_text="Family history").locator("input")
    picker.click()
    picker.press("ArrowDown")  # at the foot of the screen a click only focuses it
    option = page.get_by_role("option").first
    expect(option).to_be_visible()
    reference = option.inner_text().strip()
    option.click()
    wait_for_app(page)
    page.get_by_role("button", name="Open family history").click()
    expect(page.get_by_role("heading", name="Family").first).to_be_visible(timeout=20_000)
    wait_for_app(page)
    screenshot(page, "21-caseload-to-family")
    expect(page.get_by_test_id("stSelectbox").first.locator("input")).to_have_value(reference)
