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


def test_a_grids_toolbar_shows_itself_and_its_focus_to_a_keyboard(page: Page, live_app: dict[str, str]) -> None:
    """WCAG 2.4.7: the grid's toolbar (search, full screen) appears only on hover, so Tab reached buttons nobody
    could see (1.04-1.09:1). Tabbed to, the toolbar shows and the button carries the focus outline."""
    sign_in(page, live_app["url"], live_app["social worker"])
    page.get_by_test_id("stSidebarNavLink").filter(has_text="Caseload").click()
    wait_for_app(page)
    expect(page.get_by_test_id("stDataFrame").first).to_be_visible()
    page.get_by_role("button", name="Download these rows (CSV)").focus()
    in_toolbar = "() => !!document.activeElement.closest('[data-testid=\"stElementToolbar\"]')"
    for _ in range(80):
        if page.evaluate(in_toolbar):
            break
        page.keyboard.press("Shift+Tab")
    assert page.evaluate(in_toolbar), "Tab never reached a grid's toolbar"
    shown = page.evaluate(
        """() => {
            const button = document.activeElement;
            const toolbar = button.closest('[data-testid="stElementToolbar"]');
            let opacity = 1;
            for (let node = button; node && node !== document.body; node = node.parentElement) {
                opacity *= parseFloat(getComputedStyle(node).opacity);
            }
            const style = getComputedStyle(button);
            return {opacity, outline: style.outlineStyle, width: style.outlineWidth, toolbar: !!toolbar};
        }"""
    )
    assert shown == {"opacity": 1, "outline": "solid", "width": "3px", "toolbar": True}
