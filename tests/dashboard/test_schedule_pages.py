"""The month around the meeting on the pages: the sidebar's next meeting, the Rate page before a meeting opens, the
schedule kept on the Admin page and by the team manager, the reminder log, and My account's switch."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Engine, select
from streamlit.testing.v1 import AppTest

from dashboard.components.text import WORD_JOINER
from db.models import AuditEvent, Meeting, MeetingSchedule, Reminder, User
from db.session import reading, transaction
from db.settings import council_today
from risk.reminders import ReminderKind
from risk.schedule import Pattern, short_day
from risk.vocabulary import MeetingStatus, Role
from tests.dashboard.conftest import APP, PageRunner, as_user
from tests.db.factories import Team1, make_team

TODAY = council_today()
NEXT = TODAY + dt.timedelta(days=10)


@pytest.fixture
def team(app_engine: Engine) -> Team1:
    """A team with no meeting open, and a schedule whose next meeting is in ten days, every four weeks."""
    with transaction(app_engine) as s:
        built = make_team(s)
        built.meeting.status = MeetingStatus.CLOSED
        built.meeting.held_on = TODAY - dt.timedelta(days=20)
        s.add(
            MeetingSchedule(
                team=built.team,
                pattern=Pattern.WEEKLY,
                weekday=NEXT.weekday(),
                every_weeks=4,
                starts_on=NEXT,
                starts_at=dt.time(10),
                planned_minutes=150,
            )
        )
        s.add(User(display_name="Admin", email="admin@example.org", role=Role.ADMINISTRATOR))
    return built


def _admin(engine: Engine) -> User:
    with reading(engine) as s:
        return s.scalars(select(User).where(User.role == Role.ADMINISTRATOR)).one()


def _plain(text: str) -> str:
    return text.replace("\\", "").replace(WORD_JOINER, "")


def _coming(at: AppTest) -> list[str]:
    """The editor's list of coming meetings, one line each."""
    [listed] = [m.value for m in at.markdown if m.value.startswith("- ")]
    return [line.removeprefix("- ") for line in listed.splitlines()]


def _verbs(engine: Engine) -> list[str]:
    with reading(engine) as s:
        return list(s.scalars(select(AuditEvent.verb).order_by(AuditEvent.id)))


def test_the_sidebar_says_when_the_next_meeting_is_and_when_it_opens(app_engine: Engine, team: Team1) -> None:
    at = as_user(AppTest.from_file(str(APP), default_timeout=30), team.social_worker)
    at.run()
    assert not at.exception
    lines = [_plain(m.value) for m in at.sidebar.markdown]
    opens = short_day(NEXT - dt.timedelta(days=7))
    assert f"Stevenage A: {short_day(NEXT)}, 10:00 · opens for ratings on {opens}" in lines


def test_the_rate_page_before_the_meeting_opens_says_when_it_will(run_page: PageRunner, team: Team1) -> None:
    at = run_page("rate.py", team.social_worker)
    [info] = at.info
    assert _plain(info.value) == (
        f"No meeting is open yet. Next meeting: {short_day(NEXT)}, 10:00 (150 minutes), opens for ratings on "
        f"{short_day(NEXT - dt.timedelta(days=7))}."
    )


def test_the_administrator_cancels_a_meeting_on_the_admin_page_and_it_is_audited(
    run_page: PageRunner, app_engine: Engine, team: Team1
) -> None:
    at = run_page("admin.py", _admin(app_engine))
    at.selectbox(key="schedule-team").set_value(team.team.id).run()
    assert any("meets every 4 weeks on" in _plain(m.value) for m in at.markdown)
    assert _coming(at)[0] == f"{short_day(NEXT)}, 10:00 · opens {short_day(NEXT - dt.timedelta(days=7))}"
    at.radio(key=f"schedule-{team.team.id}-change-what").set_value("Cancel it")
    next(b for b in at.button if b.label == "Save change").click().run()
    assert any("is cancelled" in _plain(s.value) for s in at.success)
    assert _coming(at)[0] == f"{short_day(NEXT)} · cancelled"
    assert _verbs(app_engine) == ["schedule.cancel"]


def test_the_team_manager_changes_the_schedules_time_from_the_meeting_page(
    run_page: PageRunner, app_engine: Engine, team: Team1
) -> None:
    at = run_page("meeting.py", team.manager)
    at.time_input(key=f"schedule-{team.team.id}-time").set_value(dt.time(13, 30))
    next(b for b in at.button if b.label == "Save schedule").click().run()
    assert any("13:30" in _plain(s.value) for s in at.success)
    with reading(app_engine) as s:
        assert s.get_one(MeetingSchedule, team.team.id).starts_at == dt.time(13, 30)
    assert _verbs(app_engine) == ["schedule.set"]


def test_a_practitioner_sees_no_schedule_editor(run_page: PageRunner, team: Team1) -> None:
    at = run_page("meeting.py", team.social_worker)
    assert not [b for b in at.button if b.label == "Save schedule"]


def test_the_reminder_log_lists_who_was_reminded_of_what_and_never_a_message(
    run_page: PageRunner, app_engine: Engine, team: Team1
) -> None:
    with transaction(app_engine) as s:
        meeting = s.get_one(Meeting, team.meeting.id)
        s.add(
            Reminder(
                dedupe_key="k1",
                kind=ReminderKind.RATINGS_DUE,
                recipient_id=team.social_worker.id,
                meeting_id=meeting.id,
                sent_at=dt.datetime(2026, 10, 24, 6, tzinfo=dt.UTC),
            )
        )
        s.add(Reminder(dedupe_key="k2", kind=ReminderKind.RATINGS_DUE, recipient_id=team.manager.id))  # not sent
    at = run_page("admin.py", _admin(app_engine))
    log = at.dataframe[-1].value
    assert log.columns.tolist() == ["Sent", "To", "Email", "Reminder", "Team", "Meeting", "Action"]
    assert log.to_dict("records") == [
        {
            "Sent": "24/10/2026 07:00",  # London's summer time
            "To": "SW Stevenage A",
            "Email": "sw.stevenage-a@example.org",
            "Reminder": "Ratings to enter",
            "Team": "Stevenage A",
            "Meeting": meeting.held_on.strftime("%d/%m/%Y"),
            "Action": "",
        }
    ]


def test_my_account_turns_reminders_off_and_on_and_it_is_audited(
    run_page: PageRunner, app_engine: Engine, team: Team1
) -> None:
    at = run_page("account.py", team.social_worker)
    switch = at.toggle(key="reminder-emails")
    assert switch.value is True
    switch.set_value(False).run()
    with reading(app_engine) as s:
        assert s.get_one(User, team.social_worker.id).reminder_emails is False
        event = s.scalars(select(AuditEvent).where(AuditEvent.verb == "user.preference")).one()
        assert event.after == {"reminder_emails": False}
