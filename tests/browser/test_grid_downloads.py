"""Every file that leaves the app is made by the app, audited and made safe for a spreadsheet: the grids' own
toolbar download (and copy) would hand over what a grid shows with no audit event and formulas intact, so it is
switched off (`client.disableDataExport`); each page that shows a grid has its own audited download instead."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.conftest import sign_in, wait_for_app


def test_a_grid_offers_no_download_of_its_own(page: Page, live_app: dict[str, str]) -> None:
    sign_in(page, live_app["url"], live_app["social worker"])
    page.get_by_test_id("stSidebarNavLink").filter(has_text="Caseload").click()
    wait_for_app(page)
    expect(page.get_by_role("button", name="Download these rows (CSV)")).to_be_visible()
    grid = page.get_by_test_id("stDataFrame").first
    grid.hover()
    toolbar = page.get_by_test_id("stElementToolbar").first
    # the toolbar itself still appears on hover (search, full screen): proof the hover reached the grid
    expect(toolbar.get_by_role("button", name="Search")).to_be_visible()
    expect(toolbar.get_by_role("button", name="Download as CSV")).to_have_count(0)
