"""The month's meeting in two browsers: the practitioner writes an update with their ratings, the chair's card (and
the follower's screen) shows it, the chair records the decision on the card, closes the meeting and downloads the
supervision records, and each family's PDF holds that family alone, its update and decision included."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, expect
from pypdf import PdfReader

from tests.browser.conftest import choose_option, first_unrated_child, screenshot, seeded_app, sign_in, wait_for_app

UPDATE = "Home visit on Tuesday: both children seen alone, <b>not bold</b> and **not bold either**."
DECISION = "Step down to early help; keep the weekly visits until the handover."


@pytest.fixture(scope="module")
def decisions_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """An app of its own: this test writes an update and a decision that the shared app's other tests must not
    find."""
    with seeded_app(tmp_path_factory.mktemp("decisions")) as app:
        yield app


def test_the_update_is_written_with_the_ratings_and_the_chair_records_the_decision(
    browser: Browser, decisions_app: dict[str, str]
) -> None:
    practitioner = browser.new_context(viewport={"width": 1200, "height": 1000}).new_page()
    chair = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
    try:
        sign_in(practitioner, decisions_app["url"], decisions_app["social worker"])
        group, form, label = first_unrated_child(practitioner)
        reference = label.split(" · ")[0]  # the label carries the family's name after its case reference
        group.get_by_text("Amber").click()
        form.get_by_role("textbox", name="Your update for supervision (optional)").fill(UPDATE)
        form.get_by_role("button", name=f"Save ratings for {label}").click()
        expect(
            practitioner.get_by_text(re.compile(rf"Your ratings for {re.escape(label)}: .*your update saved"))
        ).to_be_visible(timeout=20_000)
        screenshot(practitioner, "80-practitioner-update-saved")

        sign_in(chair, decisions_app["url"], decisions_app["team manager"])
        choose_option(chair, "Family to discuss", reference, re.compile(rf"^\d+\. {reference} · "))
        expect(chair.get_by_text(UPDATE, exact=True)).to_be_visible(timeout=20_000)  # as typed, never as HTML
        expect(chair.locator("b", has_text="not bold")).to_have_count(0)

        decision = chair.get_by_test_id("stForm").filter(has_text=f"Record the decision for {reference}")
        decision.get_by_role("textbox", name="Decision and next steps").fill(DECISION)
        choose_option(chair, "Outcome", "Step down", re.compile("^Step down$"))
        decision.get_by_role("button", name="Save decision").click()
        expect(chair.get_by_text(f"Decision recorded for {reference}.")).to_be_visible(timeout=20_000)
        expect(chair.get_by_role("paragraph").filter(has_text=DECISION)).to_be_visible()
        expect(chair.get_by_text(re.compile(r"^Step down · next review \d\d/\d\d/\d{4}"))).to_be_visible()
        screenshot(chair, "81-chair-decision-recorded")

        # the practitioner following the chair sees the same card: the update beside the ratings, the decision
        practitioner.get_by_test_id("stSidebarNavLink").filter(has_text="Meeting").click()
        expect(practitioner.get_by_role("heading", name="Meeting", exact=True)).to_be_visible()
        wait_for_app(practitioner)
        chair.get_by_role("button", name="Start the meeting clock").click()
        expect(chair.get_by_role("button", name="Pause the meeting clock")).to_be_visible()
        practitioner.get_by_text("Follow the chair").click()
        expect(practitioner.get_by_text(f"Following the chair: {reference}")).to_be_visible(timeout=20_000)
        expect(practitioner.get_by_text(UPDATE, exact=True)).to_be_visible()
        expect(practitioner.get_by_role("paragraph").filter(has_text=DECISION)).to_be_visible()

        chair.get_by_role("button", name="Close meeting").click()
        expect(chair.get_by_text("Tick the box to confirm")).to_be_visible()
        chair.get_by_text("I have discussed every family").click()
        chair.get_by_role("button", name="Close meeting").click()
        expect(chair.get_by_text("is closed and its ratings are locked")).to_be_visible(timeout=30_000)
        wait_for_app(chair)
        with chair.expect_download() as downloading:
            chair.get_by_role("button", name="Supervision records (.zip)").click()
        screenshot(chair, "82-chair-closed-with-family-records")
        archive = zipfile.ZipFile(io.BytesIO(downloading.value.path().read_bytes()))
        manifest = list(csv.DictReader(io.StringIO(archive.read("manifest.csv").decode("utf-8-sig"))))
        references = [row["case_reference"] for row in manifest]
        assert reference in references and len(references) > 1
        for row in manifest:
            text = " ".join(
                " ".join(
                    page.extract_text() for page in PdfReader(io.BytesIO(archive.read(row["file_name"]))).pages
                ).split()
            )
            assert f"Group supervision record: {row['case_reference']}" in text
            others = [r for r in references if r != row["case_reference"]]
            assert not [r for r in others if re.search(rf"\b{re.escape(r)}\b", text)], row["file_name"]
            mine = row["case_reference"] == reference
            assert (" ".join(UPDATE.split()) in text) is mine and (DECISION in text) is mine, row["file_name"]
    finally:
        practitioner.context.close()
        chair.context.close()
