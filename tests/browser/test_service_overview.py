"""The service lead's evidence in a real browser: outcomes against a baseline in words and charts, and how alike
the professionals rate, on the demo service. Screenshots go to test-artifacts/screenshots for a person to read."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.browser.conftest import screenshot, sign_in, wait_for_app

CHANGE = re.compile(r"CP plans: [\d,]+ → [\d,]+")


def test_the_lead_sees_outcomes_against_a_baseline_and_rater_agreement(page: Page, live_app: dict[str, str]) -> None:
    sign_in(page, live_app["url"], live_app["service lead"])
    page.get_by_test_id("stSidebarNavLink").filter(has_text="Service overview").click()
    wait_for_app(page)
    main = page.get_by_test_id("stMain")
    expect(main.get_by_role("heading", name="Agreement between raters, by team and month")).to_be_visible()
    expect(main.get_by_role("heading", name="How each role rates beside colleagues")).to_be_visible()
    expect(main.get_by_text("Krippendorff's alpha", exact=False)).to_be_visible()
    expect(main.get_by_role("heading", name="Outcomes against a baseline")).to_be_visible()
    expect(main.get_by_text(CHANGE)).to_be_visible()
    expect(main.get_by_text("the dashed line marks the baseline", exact=False)).to_be_visible()
    charts = page.get_by_test_id("stVegaLiteChart")
    expect(charts).to_have_count(8)  # red share, mean score, agreement, teams, roles, trend, days, new plans
    screenshot(page, "50-service-overview")

    area = page.get_by_test_id("stSelectbox").filter(has_text="Area").locator("input")
    area.click()
    area.fill("Oak team")
    expect(page.get_by_role("option")).to_have_count(1)
    area.press("Enter")
    wait_for_app(page)
    expect(main.get_by_text(re.compile(r"Oak team: children on each plan at the end of"))).to_be_visible()
    expect(page.get_by_role("button", name="Outcomes (Excel)")).to_be_visible()
    for error in ("Traceback", "This app has encountered an error"):
        assert error not in main.inner_text()
    screenshot(page, "51-service-outcomes-one-team")
