"""Which reminders are due on a day, in the council's time zone, and what they say: counts, dates, team names,
staff names on the chair's list and links, never anything about a child."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from risk.reminders import (
    ActionLine,
    Links,
    ReminderKind,
    ReminderSettings,
    StillToRate,
    action_reminder_due,
    actions_message,
    chair_list_due,
    chair_message,
    days_problem,
    parse_days,
    ratings_message,
    ratings_reminder_due,
    sending_hours,
)

MEETING = dt.date(2026, 12, 8)
LINKS = Links(page="https://fsdash.example.gov.uk/rate?team=3", account="https://fsdash.example.gov.uk/account")


@pytest.mark.parametrize(
    ("days_left", "due"),
    [(8, None), (4, None), (3, 3), (2, 3), (1, 1), (0, None), (-1, None)],
)
def test_ratings_reminders_go_three_days_and_one_day_before(days_left: int, due: int | None) -> None:
    assert ratings_reminder_due(MEETING, MEETING - dt.timedelta(days=days_left), (3, 1)) == due


@given(days=st.lists(st.integers(0, 28), min_size=1, max_size=4), left=st.integers(-3, 40))
def test_at_most_one_ratings_reminder_is_due_a_day_and_always_one_of_the_set_days(days: list[int], left: int) -> None:
    due = ratings_reminder_due(MEETING, MEETING - dt.timedelta(days=left), days)
    assert due is None or (due in days and due >= left > 0)


@given(days=st.lists(st.integers(1, 28), min_size=1, max_size=4, unique=True))
def test_each_set_day_has_its_reminder_on_its_own_day(days: list[int]) -> None:
    for before in days:
        assert ratings_reminder_due(MEETING, MEETING - dt.timedelta(days=before), days) == before


@pytest.mark.parametrize(
    ("today", "kind"),
    [
        (dt.date(2026, 12, 5), None),
        (dt.date(2026, 12, 6), ReminderKind.ACTION_DUE),
        (dt.date(2026, 12, 8), ReminderKind.ACTION_DUE),
        (dt.date(2026, 12, 9), ReminderKind.ACTION_OVERDUE),
        (dt.date(2026, 12, 15), ReminderKind.ACTION_OVERDUE),
        (dt.date(2026, 12, 16), None),  # a week late: no backlog of old overdue actions
    ],
)
def test_an_action_is_reminded_as_it_falls_due_and_once_overdue(today: dt.date, kind: ReminderKind | None) -> None:
    assert action_reminder_due(MEETING, today, 2) == kind


LONDON = ReminderSettings()


def _at(utc: str) -> dt.datetime:
    return LONDON.local(dt.datetime.fromisoformat(utc))


def test_the_council_day_is_londons_across_the_clock_change() -> None:
    # 23:30 UTC is already tomorrow in British Summer Time, and still today in GMT
    assert _at("2026-10-24T23:30:00+00:00").date() == dt.date(2026, 10, 25)
    assert _at("2026-10-25T23:30:00+00:00").date() == dt.date(2026, 10, 25)
    # the sending hour is 07:00 on the wall clock either side of the change
    assert not sending_hours(_at("2026-10-24T05:59:00+00:00"), LONDON)
    assert sending_hours(_at("2026-10-24T06:00:00+00:00"), LONDON)
    assert not sending_hours(_at("2026-10-26T06:59:00+00:00"), LONDON)
    assert sending_hours(_at("2026-10-26T07:00:00+00:00"), LONDON)


def test_the_chairs_list_goes_on_the_morning_of_the_meeting_until_it_starts() -> None:
    day = dt.date(2026, 10, 27)  # GMT, after the change
    assert chair_list_due(day, dt.time(10), _at("2026-10-27T07:00:00+00:00"))
    assert not chair_list_due(day, dt.time(10), _at("2026-10-27T10:00:00+00:00"))
    assert not chair_list_due(day, dt.time(10), _at("2026-10-26T08:00:00+00:00"))
    assert chair_list_due(day, None, _at("2026-10-27T11:59:00+00:00"))


@pytest.mark.parametrize(
    ("text", "problem", "days"),
    [
        ("3,1", None, (3, 1)),
        ("1, 3, 3", None, (3, 1)),
        ("two", "is not a list", None),
        ("30", "give one or more", None),
    ],
)
def test_the_days_setting_is_read_or_refused_in_words(text: str, problem: str | None, days: tuple[int, ...]) -> None:
    found = days_problem(text)
    if problem is None:
        assert found is None and parse_days(text) == days
    else:
        assert found is not None and problem in found


def test_a_ratings_reminder_says_how_many_for_which_meeting_and_where() -> None:
    message = ratings_message("Oak team", MEETING, dt.time(10), 7, LINKS)
    assert message.subject == "Oak team: 7 ratings to enter before Tue 8 Dec, 10:00"
    assert "You have 7 ratings to enter for Oak team's supervision meeting on Tuesday 8 December 2026, 10:00." in (
        message.text
    )
    assert LINKS.page in message.text and LINKS.account in message.text
    assert f'href="{LINKS.page}"' in message.html.replace("&amp;", "&")


def test_an_actions_reminder_says_teams_and_dates_only() -> None:
    lines = [
        ActionLine("Oak team", dt.date(2026, 12, 10), overdue=False),
        ActionLine("Oak team", dt.date(2026, 11, 30), overdue=True),
    ]
    message = actions_message(lines, dt.date(2026, 12, 8), LINKS)
    assert message.subject == "Supervision actions: 1 action due soon and 1 action overdue"
    assert "Oak team: an action that was due on Monday 30 November 2026 is not yet done." in message.text
    assert "Oak team: an action is due on Thursday 10 December 2026." in message.text


def test_the_chairs_list_names_staff_most_missing_first_and_escapes_them_in_html() -> None:
    people = [StillToRate("Ann <b>Lee</b>", 1), StillToRate("Bob Stone", 3)]
    message = chair_message("Oak team", MEETING, dt.time(10), people, LINKS)
    assert message.subject == "Oak team: meeting today at 10:00, 4 ratings still to enter"
    assert message.text.index("Bob Stone: 3") < message.text.index("Ann <b>Lee</b>: 1")
    assert "<b>Lee</b>" not in message.html and "Ann &lt;b&gt;Lee&lt;/b&gt;: 1" in message.html
    done = chair_message("Oak team", MEETING, None, [], LINKS)
    assert done.subject == "Oak team: meeting today, every rating entered"


def test_the_html_part_says_what_the_text_part_says() -> None:
    message = ratings_message("Oak & Ash team", MEETING, None, 1, LINKS)
    visible = re.sub(r"<[^>]+>", " ", message.html).replace("&amp;", "&").replace("&#x27;", "'")
    for paragraph in message.text.split("\n\n")[:2]:
        assert paragraph in visible
