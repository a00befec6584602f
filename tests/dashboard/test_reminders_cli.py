"""`fsdash meetings open-due` and `fsdash reminders send` as cron runs them: what they print, and a relay or a
setting that is wrong is one sentence saying what to fix, with exit code 2 and nothing marked sent."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from dashboard.cli import main
from db.models import Meeting, MeetingSchedule, Reminder
from db.session import reading, transaction
from db.settings import council_today
from risk.schedule import Pattern
from risk.vocabulary import MeetingStatus
from tests.db.factories import Team1, make_team
from tests.db.mail_server import mail_server


@pytest.fixture
def team(engine: Engine) -> Team1:
    """A team whose open meeting is tomorrow, with two professionals who have not rated its one child."""
    with transaction(engine) as s:
        built = make_team(s)
        s.get_one(Meeting, built.meeting.id).held_on = council_today() + dt.timedelta(days=1)
    return built


@pytest.fixture(autouse=True)
def mail_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FSDASH_REMINDER_HOUR", "0")  # whatever the hour the test runs at
    monkeypatch.setenv("FSDASH_MAIL_FROM", "supervision-dashboard@example.gov.uk")
    monkeypatch.setenv("FSDASH_PUBLIC_URL", "https://fsdash.example.gov.uk")


def _run(db_url: str, *args: str) -> int:
    try:
        main(["--database-url", db_url, *args])
    except SystemExit as stopped:
        return int(stopped.code or 0)
    return 0


def _sent(engine: Engine) -> int:
    with reading(engine) as s:
        return s.scalar(select(func.count()).select_from(Reminder)) or 0


def test_reminders_go_once_and_the_second_run_says_so(
    engine: Engine,
    db_url: str,
    team: Team1,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    with mail_server(tmp_path) as relay:
        monkeypatch.setenv("FSDASH_SMTP_URL", f"smtp://127.0.0.1:{relay.settings.port}")
        monkeypatch.setenv("FSDASH_SMTP_CA_FILE", str(relay.ca_file))
        assert _run(db_url, "reminders", "send", "--dry-run") == 0
        assert capsys.readouterr().out == "2 emails are due now, before checking what was sent (ratings to enter: 2).\n"
        assert _run(db_url, "reminders", "send") == 0
        assert capsys.readouterr().out == "Sent 2 reminder emails (ratings to enter: 2).\n"
        assert _run(db_url, "reminders", "send") == 0
        assert capsys.readouterr().out == (
            "Sent 0 reminder emails.\n2 emails were already sent (by an earlier run or elsewhere).\n"
        )
        assert _run(db_url, "reminders", "send", "--quiet") == 0
        assert capsys.readouterr().out == ""
        assert sorted(m.to for m in relay.received) == ["mh.stevenage-a@example.org", "sw.stevenage-a@example.org"]


def test_a_relay_that_is_down_is_exit_code_2_with_what_to_fix_and_nothing_marked_sent(
    engine: Engine, db_url: str, team: Team1, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.db.mail_server import free_port

    port = free_port()
    monkeypatch.setenv("FSDASH_SMTP_URL", f"smtp://127.0.0.1:{port}")
    assert _run(db_url, "reminders", "send") == 2
    err = capsys.readouterr().err
    assert err == (
        f"fsdash: Could not reach the mail relay at 127.0.0.1:{port} (STARTTLS) (connection refused). Check "
        "FSDASH_SMTP_URL and that the relay is running and lets this machine connect. Nothing that was not sent is "
        "marked sent: 2 emails will be sent by the next run once this is fixed.\n"
    )
    assert _sent(engine) == 0


@pytest.mark.parametrize(
    ("name", "value", "says"),
    [
        ("FSDASH_SMTP_URL", "", "FSDASH_SMTP_URL is not set, so no reminder can be sent."),
        ("FSDASH_SMTP_URL", "http://relay", "FSDASH_SMTP_URL must start smtp:// (STARTTLS), smtps:// (TLS)"),
        ("FSDASH_SMTP_URL", "smtp+insecure://relay.example.gov.uk", "allowed only to a relay on this machine"),
        ("FSDASH_REMINDER_RATING_DAYS", "three", "FSDASH_REMINDER_RATING_DAYS: 'three' is not a list"),
        ("FSDASH_TIME_ZONE", "Europe/Londres", "FSDASH_TIME_ZONE='Europe/Londres' is not a time zone"),
    ],
)
def test_a_setting_that_is_wrong_says_which_and_what_to_write(
    engine: Engine,
    db_url: str,
    team: Team1,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    name: str,
    value: str,
    says: str,
) -> None:
    monkeypatch.setenv("FSDASH_SMTP_URL", "smtp://relay.example.gov.uk")
    monkeypatch.setenv(name, value)
    assert _run(db_url, "reminders", "send") == 2
    err = capsys.readouterr().err
    assert err.startswith("fsdash: ") and says in err, err
    assert _sent(engine) == 0


def test_open_due_says_what_it_opened_and_quiet_says_only_that(
    engine: Engine, db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with transaction(engine) as s:
        built = make_team(s)
        built.meeting.status = MeetingStatus.CLOSED
        s.add(
            MeetingSchedule(
                team=built.team,
                pattern=Pattern.MONTHLY,
                weekday=1,
                nth=2,
                starts_on=dt.date(2026, 1, 1),
                starts_at=dt.time(10),
                planned_minutes=150,
            )
        )
    assert _run(db_url, "meetings", "open-due", "--today", "2026-11-30") == 0
    assert capsys.readouterr().out == "No scheduled meeting is due to open.\n"
    assert _run(db_url, "meetings", "open-due", "--today", "2026-11-30", "--quiet") == 0
    assert capsys.readouterr().out == ""
    assert _run(db_url, "meetings", "open-due", "--today", "2026-12-01", "--quiet") == 0
    assert capsys.readouterr().out == "Opened Stevenage A's meeting of Tuesday 8 December 2026, 10:00 for ratings.\n"
    assert _run(db_url, "meetings", "open-due", "--today", "not-a-date") == 2
    assert "is not a date in the form YYYY-MM-DD" in capsys.readouterr().err
