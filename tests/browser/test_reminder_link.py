"""The link in a reminder email, opened in a browser that is not signed in, leads through the sign-in screen to the
Rate page of the team the reminder was about: here an office psychologist's, who rates for several teams and so
would otherwise land on the first of them. The link is read from a real email, sent through a real SMTP server."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from playwright.sync_api import Page, expect
from sqlalchemy import select

from db.models import Meeting, Team, User
from db.queries.schedules import next_meetings
from db.queries.teams import case_teams
from db.services.reminders import send_reminders
from db.session import make_engine, reading
from risk.reminders import ReminderSettings
from risk.vocabulary import MeetingStatus, Role
from tests.browser.conftest import DEMO_PASSWORD, SEED_TODAY, screenshot, wait_for_app
from tests.db.mail_server import mail_server

LINK = re.compile(r"(http://\S+/rate\?team=(\d+))")


def test_the_link_in_a_reminder_leads_through_sign_in_to_the_right_teams_rate_page(
    page: Page, live_app: dict[str, str], tmp_path: Path
) -> None:
    engine = make_engine(live_app["database_url"])
    try:
        with reading(engine) as s:
            psychologist = s.scalars(
                select(User).where(User.role == Role.PSYCHOLOGIST, User.office_id.is_not(None), User.active.is_(True))
            ).first()
        assert psychologist is not None
        teams = case_teams(engine, psychologist)
        assert len(teams) > 1, "an office psychologist works for several teams"
        waiting = {m.team_id: m for m in next_meetings(engine, psychologist, today=SEED_TODAY) if m.to_rate}
        # a team other than the first the Rate page would open on, where they have ratings to enter
        team_id = next(t.id for t in reversed(teams) if t.id in waiting)
        assert team_id != teams[0].id
        with reading(engine) as s:
            held_on = s.scalars(
                select(Meeting.held_on).where(Meeting.team_id == team_id, Meeting.status == MeetingStatus.OPEN)
            ).one()
            team = s.get_one(Team, team_id).name
        day_before = dt.datetime.combine(held_on - dt.timedelta(days=1), dt.time(9), tzinfo=dt.UTC)
        with mail_server(tmp_path, public_url=live_app["url"]) as relay:
            run = send_reminders(engine, None, now=day_before, settings=ReminderSettings(), mail=relay.settings)
            assert run.stopped is None and run.emails > 0
            mine = [m for m in relay.received if m.to == psychologist.email]
            assert len(mine) == len(waiting), "one reminder for each team's meeting with ratings to enter"
            [email] = [m for m in mine if m.subject.startswith(f"{team}: ")]
        found = LINK.search(email.part("plain"))
        assert found is not None and found.group(2) == str(team_id)
    finally:
        engine.dispose()

    page.goto(found.group(1))  # a browser with no session: the sign-in screen, not "page not found"
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    page.get_by_label("Email").fill(psychologist.email)
    page.get_by_role("textbox", name="Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Rate").first).to_be_visible(timeout=20_000)
    wait_for_app(page)
    main = page.get_by_test_id("stMain")
    expect(main.get_by_text(re.compile(rf"^{re.escape(team)} · supervision meeting of"))).to_be_visible()
    assert f'combobox "Team": {team} (' in page.get_by_test_id("stSidebar").aria_snapshot()  # the team picker agrees
    screenshot(page, "40-reminder-link-rate-page")
