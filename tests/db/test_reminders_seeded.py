"""Every reminder of a month on the demo service (`fsdash seed`'s invented teams, families and children, with the
schedule each team's meetings follow) is read, and none of them holds a child's or family's name, a case reference,
a rating, a rationale or an action's words; and each went once, though cron ran every day."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from db.models import Action, Child, Family, Rating, User
from db.services.reminders import send_reminders
from db.services.schedules import open_due_meetings
from db.session import reading
from risk.reminders import ReminderSettings
from seed import load_seed
from tests.db.mail_server import mail_server

SEED_TODAY = dt.date(2026, 11, 20)


def _case_words(engine: Engine) -> tuple[set[str], set[str], list[str]]:
    """(whole words: children's first names, references), (phrases: rationales, actions) that must never be sent,
    and the staff's names and addresses, which a reminder may say. A child's first name that is also in a member
    of staff's name is left out of the first."""
    with reading(engine) as s:
        staff = [*s.scalars(select(User.display_name)), *s.scalars(select(User.email))]
        staff_words = " ".join(staff).lower().replace(".", " ").replace("@", " ").split()
        names = {n for n in s.scalars(select(Child.first_name)) if n.lower() not in staff_words}
        references = set(s.scalars(select(Family.case_reference))) | set(s.scalars(select(Child.case_reference)))
        phrases = set(s.scalars(select(Action.text))) | {r for r in s.scalars(select(Rating.rationale)) if r}
    return names | references, phrases, staff


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # the month on PostgreSQL is tests/db/test_reminders.py
def test_a_month_of_reminders_on_the_demo_service_says_nothing_about_a_child(
    engine: Engine, db_url: str, tmp_path: Path
) -> None:
    load_seed(engine, "demo", today=SEED_TODAY)
    words, phrases, staff = _case_words(engine)
    assert len(words) > 100 and len(phrases) > 10
    with mail_server(tmp_path) as relay:
        for offset in range(-12, 20):
            now = dt.datetime.combine(SEED_TODAY + dt.timedelta(days=offset), dt.time(9), tzinfo=dt.UTC)
            open_due_meetings(engine, None, today=now.date())
            run = send_reminders(engine, None, now=now, settings=ReminderSettings(), mail=relay.settings)
            assert run.stopped is None and not run.refused
        received = relay.received
    assert len(received) > 20, "the month sent reminders of every kind"
    assert {m.subject.split(":")[0] for m in received} >= {"Supervision actions"}
    assert any("meeting today" in m.subject for m in received) and any("to enter before" in m.subject for m in received)
    for message in received:
        everything = " ".join(
            [*(str(v) for _, v in message.email.items()), message.part("plain"), message.part("html")]
        )
        found = set(re.findall(r"[\w'-]+", everything))
        assert not words & found, (message.subject, words & found)
        assert not [p for p in phrases if p in everything], message.subject
        for name in staff:  # rhys.green@example.org, or an Amber on the chair's list
            everything = everything.replace(name, "")
        assert not re.search(r"\b(red|amber|green)\b", everything, re.IGNORECASE), message.subject
