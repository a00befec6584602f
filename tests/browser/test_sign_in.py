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


def test_a_sessions_events_carry_its_id_address_and_browser_from_sign_in_to_sign_out(
    page: Page, live_app: dict[str, str]
) -> None:
    """What a breach investigation searches by: one browser session's sign-in, the family page it opened and its
    sign-out share one session id, with the address and user agent the server saw."""
    browser_says = page.evaluate("() => navigator.userAgent")
    sign_in(page, live_app["url"], live_app["service lead"])
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    engine = make_engine(live_app["database_url"])
    try:
        with reading(engine) as s:
            lead = s.scalars(select(User).where(User.email == live_app["service lead"])).one()
            events = s.scalars(
                select(AuditEvent).where(AuditEvent.actor_id == lead.id).order_by(AuditEvent.id.desc()).limit(2)
            ).all()
    finally:
        engine.dispose()
    signed_out, signed_in = events
    assert (signed_in.verb, signed_out.verb) == ("auth.sign_in", "auth.sign_out")
    assert signed_in.session_id and signed_in.session_id == signed_out.session_id
    assert signed_in.source_address == "127.0.0.1"
    assert signed_in.user_agent == browser_says[:200]
