"""Signing in through the real page, and being refused with a sentence when the password is wrong."""

from __future__ import annotations

from playwright.sync_api import Page, expect
from sqlalchemy import select

from db.models import AuditEvent, User
from db.session import make_engine, reading
from tests.browser.conftest import screenshot, sign_in, wait_for_app


def test_a_wrong_password_is_refused_with_a_sentence(page: Page, live_app: dict[str, str]) -> None:
    page.goto(live_app["url"])
    wait_for_app(page)
    screenshot(page, "00-sign-in")
    page.get_by_label("Email").fill(live_app["team manager"])
    page.get_by_role("textbox", name="Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("do not match an active account")).to_be_visible()


def test_each_role_lands_on_its_own_first_page(page: Page, live_app: dict[str, str]) -> None:
    for role, heading, shot in [
        ("team manager", "Meeting", "01-team-manager-meeting"),
        ("social worker", "Rate", "02-practitioner-rate"),
        ("service lead", "Service overview", "03-service-lead-overview"),
        ("administrator", "Admin", "04-administrator-admin"),
    ]:
        sign_in(page, live_app["url"], live_app[role])
        expect(page.get_by_role("heading", name=heading).first).to_be_visible()
        screenshot(page, shot)
        page.get_by_role("button", name="Sign out").click()
        expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    engine = make_engine(live_app["database_url"])
    try:
        with reading(engine) as session:
            signed_out = session.scalars(
                select(User.email)
                .join(AuditEvent, AuditEvent.actor_id == User.id)
                .where(AuditEvent.verb == "auth.sign_out")
            ).all()
    finally:
        engine.dispose()
    assert {live_app[role] for role in ("team manager", "social worker", "service lead", "administrator")} <= set(
        signed_out
    ), "every sign-out is in the audit trail"
