"""Reminders over a real SMTP server (aiosmtpd with STARTTLS on a certificate made at test time): a simulated October
with a clock change and a cancelled meeting sends exactly the expected messages, once each, at the expected hours,
with nothing about a child in any of them; the relay going away or refusing loses nothing and sends nothing twice;
two machines at once send each reminder once."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from db.access import AccessDenied
from db.mail import MailSettings, Relay, relay
from db.models import AuditEvent, Reminder, User
from db.queries.reminders import reminder_log
from db.services.ratings import RatingEntry, save_ratings
from db.services.reminders import ReminderRun, send_reminders, set_reminder_emails
from db.services.schedules import open_due_meetings
from db.session import reading
from db.settings import council_today
from risk.reminders import ReminderKind, ReminderSettings
from risk.vocabulary import RAG
from tests.db.mail_server import MailServer, Received, mail_server
from tests.db.month_world import CASE_WORDS, OAK_MEETING, RATIONALE, Month, build_month

SETTINGS = ReminderSettings()
RUN_HOURS = (0, 5, 6, 7, 9, 12, 18, 23)  # UTC: around the 07:00 sending hour on either side of the clock change


def _utc(day: int, hour: int) -> dt.datetime:
    return dt.datetime(2026, 10, day, hour, tzinfo=dt.UTC)


@pytest.fixture
def month(engine: Engine) -> Month:
    return build_month(engine)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[MailServer]:
    with mail_server(tmp_path) as running:
        running.handler.refuse.add("bea@example.org")
        yield running


def _user(engine: Engine, month: Month, key: str) -> User:
    with reading(engine) as s:
        return s.get_one(User, month.people[key])


def _oak_meeting(engine: Engine, month: Month) -> int:
    from db.models import Meeting

    with reading(engine) as s:
        return s.scalars(select(Meeting.id).where(Meeting.team_id == month.oak, Meeting.held_on == OAK_MEETING)).one()


def _send(engine: Engine, server: MailServer, now: dt.datetime) -> ReminderRun:
    return send_reminders(engine, None, now=now, settings=SETTINGS, mail=server.settings)


def _simulate_october(engine: Engine, month: Month, server: MailServer) -> list[tuple[str, str, dt.datetime]]:
    """Every run of cron in October: open what is due, let people rate, send what is due. Returns each message
    received as (recipient, subject, the run that sent it)."""
    arrived: list[tuple[str, str, dt.datetime]] = []
    opened = []
    for day in range(1, 32):
        for hour in RUN_HOURS:
            now = _utc(day, hour)
            opened += [r.words() for r in open_due_meetings(engine, None, today=council_today(now))]
            if (day, hour) == (25, 12):  # Sam rates all three of his children
                save_ratings(
                    engine,
                    _user(engine, month, "sam"),
                    _oak_meeting(engine, month),
                    [
                        RatingEntry(month.children["Amelia"], RAG.RED, RATIONALE),
                        RatingEntry(month.children["Benedict"], RAG.AMBER),
                        RatingEntry(month.children["Cressida"], RAG.GREEN),
                    ],
                )
            if (day, hour) == (26, 12):  # Mo rates one of her two
                save_ratings(
                    engine,
                    _user(engine, month, "mo"),
                    _oak_meeting(engine, month),
                    [RatingEntry(month.children["Amelia"], RAG.RED)],
                )
            before = len(server.received)
            run = _send(engine, server, now)
            assert run.stopped is None
            arrived += [(m.to, m.subject, now) for m in server.received[before:]]
    assert opened == ["Opened Oak team's meeting of Tuesday 27 October 2026, 10:00 for ratings."]
    return arrived


OAK_RATINGS = "Oak team: {} to enter before Tue 27 Oct, 10:00"
EXPECTED = [
    ("ash_worker@example.org", "Supervision actions: 1 action due soon", _utc(18, 6)),  # due on the 20th
    ("ash_worker@example.org", "Supervision actions: 1 action overdue", _utc(21, 6)),
    # three days before, at 07:00 British Summer Time (06:00 UTC)
    ("sam@example.org", OAK_RATINGS.format("3 ratings"), _utc(24, 6)),
    ("mo@example.org", OAK_RATINGS.format("2 ratings"), _utc(24, 6)),
    ("sol@example.org", OAK_RATINGS.format("1 rating"), _utc(24, 6)),
    # the day before, after the clocks went back on the 25th: 07:00 GMT is 07:00 UTC; Sam has rated every child
    ("mo@example.org", OAK_RATINGS.format("2 ratings"), _utc(26, 7)),
    ("sol@example.org", OAK_RATINGS.format("1 rating"), _utc(26, 7)),
    ("mo@example.org", "Supervision actions: 1 action due soon", _utc(26, 7)),  # due on the 28th
    # the morning of the meeting: Mo 1, Sol 1, Otto 1 (he turned his own reminders off, but is still missing), Gail 1
    # (deactivated, still recorded as working with the family), Bea 1
    ("manager@example.org", "Oak team: meeting today at 10:00, 5 ratings still to enter", _utc(27, 7)),
    ("mo@example.org", "Supervision actions: 1 action overdue", _utc(29, 7)),
    ("ash_worker@example.org", "Supervision actions: 1 action due soon", _utc(31, 7)),  # due on 2 November
]


def test_a_month_of_runs_sends_each_expected_reminder_once_at_the_right_hour(
    engine: Engine, month: Month, server: MailServer
) -> None:
    """Nothing for the cancelled Ash meeting, nothing to the opted out, the deactivated or the refused address, and
    nothing twice, though cron ran 248 times."""
    assert sorted(_simulate_october(engine, month, server)) == sorted(EXPECTED)


def test_the_mornings_list_names_staff_and_counts_and_the_reminders_are_logged(
    engine: Engine, month: Month, server: MailServer
) -> None:
    _simulate_october(engine, month, server)
    [chair] = [m for m in server.received if m.to == "manager@example.org"]
    text = chair.part("plain")
    for line in ("Mo Health: 1", "Sol Signon: 1", "Otto Out: 1", "Gail Gone: 1", "Bea Bounce: 1"):
        assert line in text
    assert "Sam Worker" not in text
    rows, total = reminder_log(engine, _user(engine, month, "admin"))
    assert total == len(server.received) == len(rows)
    kinds = {(r.recipient, r.kind, r.team) for r in rows}
    assert ("Rhys Manager", ReminderKind.CHAIR_LIST, "Oak team") in kinds
    assert ("Ash Worker", ReminderKind.ACTION_OVERDUE, "Ash team") in kinds
    with pytest.raises(AccessDenied):
        reminder_log(engine, _user(engine, month, "manager"))


def test_no_email_of_the_month_says_anything_about_a_child(engine: Engine, month: Month, server: MailServer) -> None:
    """Mail leaves the secure network: counts, dates, team names, staff names and links only."""
    _simulate_october(engine, month, server)
    assert len(server.received) == len(EXPECTED)
    for message in server.received:
        everything = " ".join(
            [str(value) for _, value in message.email.items()] + [message.part("plain"), message.part("html")]
        )
        for word in CASE_WORDS:
            assert word.lower() not in everything.lower(), (word, message.subject)
        assert not re.search(r"\b(red|amber|green)\b", everything, re.IGNORECASE), message.subject


def test_every_email_is_plain_text_with_an_html_alternative_and_points_to_my_account(
    engine: Engine, month: Month, server: MailServer
) -> None:
    open_due_meetings(engine, None, today=dt.date(2026, 10, 20))
    _send(engine, server, _utc(24, 6))
    message = next(m for m in server.received if m.to == "sam@example.org")
    assert message.email.get_content_type() == "multipart/alternative"
    assert [part.get_content_type() for part in message.email.iter_parts()] == ["text/plain", "text/html"]
    assert message.email["List-Unsubscribe"] == "<https://fsdash.example.gov.uk/account>"
    assert message.email["From"] == "Supervision dashboard <supervision-dashboard@example.gov.uk>"
    text = message.part("plain")
    assert "for Oak team's supervision meeting on Tuesday 27 October 2026, 10:00." in text
    assert f"https://fsdash.example.gov.uk/rate?team={month.oak}" in text
    assert f'href="https://fsdash.example.gov.uk/rate?team={month.oak}"' in message.part("html")


def test_an_account_that_signs_in_only_with_single_sign_on_gets_them_at_its_verified_email(
    engine: Engine, month: Month, server: MailServer
) -> None:
    assert _user(engine, month, "sol").password_hash is None
    open_due_meetings(engine, None, today=dt.date(2026, 10, 20))
    _send(engine, server, _utc(24, 6))
    assert "sol@example.org" in {m.to for m in server.received}


def test_turning_reminders_off_in_my_account_stops_them_and_is_audited(
    engine: Engine, month: Month, server: MailServer
) -> None:
    set_reminder_emails(engine, _user(engine, month, "sam"), False)
    open_due_meetings(engine, None, today=dt.date(2026, 10, 20))
    _send(engine, server, _utc(24, 6))
    assert "sam@example.org" not in {m.to for m in server.received}
    with reading(engine) as s:
        event = s.scalars(select(AuditEvent).where(AuditEvent.verb == "user.preference")).one()
        assert (event.before, event.after) == ({"reminder_emails": True}, {"reminder_emails": False})


def test_one_refused_address_does_not_stop_the_others_and_is_tried_again(
    engine: Engine, month: Month, server: MailServer
) -> None:
    set_reminder_emails(engine, _user(engine, month, "otto"), True)
    open_due_meetings(engine, None, today=dt.date(2026, 10, 20))
    run = _send(engine, server, _utc(24, 6))  # Bea's is refused; the overdue action's email comes after hers
    assert run.refused == [(month.people["bea"], "the relay refused the address (code 550)")]
    assert {m.to for m in server.received} == {
        "sam@example.org",
        "mo@example.org",
        "sol@example.org",
        "otto@example.org",
        "ash_worker@example.org",
    }
    server.handler.refuse.clear()  # the administrator corrects the address (here: the relay accepts it)
    again = _send(engine, server, _utc(24, 7))
    assert (again.emails, again.refused, again.already_sent) == (1, [], 5)
    assert sorted(m.to for m in server.received).count("bea@example.org") == 1


def _claims(engine: Engine) -> tuple[int, int]:
    """(sent, claimed but not sent) rows of the reminder record."""
    with reading(engine) as s:
        sent = s.scalar(select(func.count()).select_from(Reminder).where(Reminder.sent_at.is_not(None))) or 0
        waiting = s.scalar(select(func.count()).select_from(Reminder).where(Reminder.sent_at.is_(None))) or 0
        return sent, waiting


def test_the_relay_going_away_mid_run_loses_nothing_and_sends_nothing_twice(
    engine: Engine, month: Month, server: MailServer
) -> None:
    open_due_meetings(engine, None, today=dt.date(2026, 10, 20))
    server.handler.drop_after = 1
    run = _send(engine, server, _utc(24, 6))
    assert run.emails == 1 and run.stopped is not None
    assert "went away while sending" in run.stopped and "FSDASH" not in run.stopped.split("(")[0]
    assert run.not_reached == 4  # Mo's (in flight when the relay went), Sol's, Bea's and the action's
    assert _claims(engine) == (1, 0)  # the one in flight was not marked sent
    server.handler.drop_after = None
    again = _send(engine, server, _utc(24, 7))
    assert (again.emails, again.already_sent, again.stopped, len(again.refused)) == (3, 1, None, 1)
    received = sorted(m.to for m in server.received)
    assert received == ["ash_worker@example.org", "mo@example.org", "sam@example.org", "sol@example.org"]
    assert _claims(engine) == (4, 0)


def test_a_relay_that_is_down_marks_nothing_sent_and_says_what_to_fix(
    engine: Engine, month: Month, server: MailServer
) -> None:
    open_due_meetings(engine, None, today=dt.date(2026, 10, 20))
    settings = server.settings
    server.stop()
    run = send_reminders(engine, None, now=_utc(24, 6), settings=SETTINGS, mail=settings)
    assert run.emails == 0 and run.not_reached == 5
    assert run.stopped == (
        f"Could not reach the mail relay at 127.0.0.1:{settings.port} (STARTTLS) (connection refused). Check "
        "FSDASH_SMTP_URL and that the relay is running and lets this machine connect."
    )
    assert _claims(engine) == (0, 0)


def test_a_certificate_that_cannot_be_checked_is_refused_and_says_where_to_put_the_councils_authority(
    engine: Engine, month: Month, server: MailServer
) -> None:
    open_due_meetings(engine, None, today=dt.date(2026, 10, 20))
    run = send_reminders(engine, None, now=_utc(24, 6), settings=SETTINGS, mail=replace(server.settings, ca_file=None))
    assert run.stopped is not None and "FSDASH_SMTP_CA_FILE" in run.stopped and "certificate" in run.stopped
    assert server.received == [] and _claims(engine) == (0, 0)


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")  # the server is TLS throughout
@pytest.mark.parametrize("implicit_tls", [False, True], ids=["starttls-login", "tls-login"])
def test_the_relay_is_reached_over_starttls_or_tls_with_a_login(
    engine: Engine, month: Month, tmp_path: Path, implicit_tls: bool
) -> None:
    open_due_meetings(engine, None, today=dt.date(2026, 10, 20))
    with mail_server(tmp_path, implicit_tls=implicit_tls, login=True) as secured:
        wrong = send_reminders(
            engine, None, now=_utc(24, 6), settings=SETTINGS, mail=replace(secured.settings, password="wrong")
        )
        assert wrong.stopped is not None and "refused the login" in wrong.stopped
        run = send_reminders(engine, None, now=_utc(24, 6), settings=SETTINGS, mail=secured.settings)
        assert run.emails == 5 and len(secured.received) == 5  # this relay takes Bea's address


def test_nothing_goes_before_the_sending_hour(engine: Engine, month: Month, server: MailServer) -> None:
    open_due_meetings(engine, None, today=dt.date(2026, 10, 20))
    run = _send(engine, server, _utc(24, 5))  # 06:00 in London
    assert run.before_hours and server.received == []


def test_two_machines_at_the_same_moment_send_each_reminder_once(
    engine: Engine, month: Month, server: MailServer
) -> None:
    """Machine A has worked out what is due when machine B, at the same moment, sends it all: A then finds every
    reminder claimed and sends nothing."""
    open_due_meetings(engine, None, today=dt.date(2026, 10, 20))
    other: list[ReminderRun] = []

    @contextmanager
    def meanwhile(settings: MailSettings) -> Iterator[Relay]:
        other.append(_send(engine, server, _utc(24, 6)))  # machine B, between A's look and A's first claim
        with relay(settings) as connection:
            yield connection

    first = send_reminders(engine, None, now=_utc(24, 6), settings=SETTINGS, mail=server.settings, connect=meanwhile)
    assert (other[0].emails, first.emails, first.already_sent) == (4, 0, 4)
    assert sorted(m.to for m in server.received) == [
        "ash_worker@example.org",
        "mo@example.org",
        "sam@example.org",
        "sol@example.org",
    ]


def test_only_an_administrator_or_the_command_line_sends_reminders(engine: Engine, month: Month) -> None:
    with pytest.raises(AccessDenied):
        send_reminders(engine, _user(engine, month, "manager"), now=_utc(24, 6), settings=SETTINGS, dry_run=True)
    run = send_reminders(engine, _user(engine, month, "admin"), now=_utc(18, 6), settings=SETTINGS, dry_run=True)
    assert run.planned == 1 and run.by_kind == {ReminderKind.ACTION_DUE: 1}


def test_a_received_message_reads_back(server: MailServer) -> None:
    """The test server's own check: what it stores is what was sent."""
    from db.mail import build_email
    from risk.reminders import Links, ratings_message

    message = ratings_message("Oak team", OAK_MEETING, dt.time(10), 2, Links("https://x/rate", "https://x/account"))
    with relay(server.settings) as connection:
        connection.send(build_email(message, server.settings, "sam@example.org"))
    [got] = server.received
    assert isinstance(got, Received) and got.subject == message.subject and got.part("plain") == message.text
