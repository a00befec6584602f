"""A team's schedule: the dates its rule gives, one-off moves and cancellations, which meeting is next and which
one is due to open for ratings, and how dates are said."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from risk.schedule import (
    Change,
    Pattern,
    ScheduleRule,
    change_problem,
    cover_days,
    covered,
    due_to_open,
    long_day,
    next_meeting,
    occurrences,
    rule_problem,
    short_day,
    upcoming,
    when_words,
)

TEN = dt.time(10, 0)
SECOND_TUESDAY = ScheduleRule(
    Pattern.MONTHLY, weekday=1, nth=2, time=TEN, planned_minutes=150, starts_on=dt.date(2026, 1, 1)
)
LAST_FRIDAY = ScheduleRule(
    Pattern.MONTHLY, weekday=4, nth=-1, time=TEN, planned_minutes=120, starts_on=dt.date(2026, 1, 1)
)
FORTNIGHTLY_WEDNESDAY = ScheduleRule(
    Pattern.WEEKLY, weekday=2, every_weeks=2, time=dt.time(14, 30), planned_minutes=90, starts_on=dt.date(2026, 1, 5)
)


def _held(rule: ScheduleRule, start: dt.date, end: dt.date, changes: tuple[Change, ...] = ()) -> list[dt.date]:
    return [o.held_on for o in occurrences(rule, changes, start, end)]


@pytest.mark.parametrize(
    ("rule", "start", "end", "expected"),
    [
        (
            SECOND_TUESDAY,
            dt.date(2026, 9, 1),
            dt.date(2026, 12, 31),
            [(2026, 9, 8), (2026, 10, 13), (2026, 11, 10), (2026, 12, 8)],
        ),
        (LAST_FRIDAY, dt.date(2026, 1, 1), dt.date(2026, 3, 31), [(2026, 1, 30), (2026, 2, 27), (2026, 3, 27)]),
        (LAST_FRIDAY, dt.date(2024, 2, 1), dt.date(2024, 2, 29), []),  # before the rule starts
        (FORTNIGHTLY_WEDNESDAY, dt.date(2026, 1, 1), dt.date(2026, 2, 10), [(2026, 1, 7), (2026, 1, 21), (2026, 2, 4)]),
    ],
)
def test_the_rule_gives_the_dates_a_team_manager_would_name(
    rule: ScheduleRule, start: dt.date, end: dt.date, expected: list[tuple[int, int, int]]
) -> None:
    assert _held(rule, start, end) == [dt.date(*day) for day in expected]


def test_the_rule_says_itself_in_words() -> None:
    assert SECOND_TUESDAY.describe() == "the second Tuesday of each month at 10:00, 150 minutes"
    assert LAST_FRIDAY.describe() == "the last Friday of each month at 10:00, 120 minutes"
    assert FORTNIGHTLY_WEDNESDAY.describe() == "every 2 weeks on Wednesday at 14:30, 90 minutes"


def test_a_moved_meeting_is_held_on_its_new_day_at_its_new_time_and_a_cancelled_one_not_at_all() -> None:
    changes = (
        Change(dt.date(2026, 11, 10), moved_to=dt.date(2026, 11, 12), moved_time=dt.time(13, 0)),
        Change(dt.date(2026, 12, 8)),
    )
    found = occurrences(SECOND_TUESDAY, changes, dt.date(2026, 10, 1), dt.date(2027, 1, 31))
    assert [(o.held_on, o.time, o.moved) for o in found] == [
        (dt.date(2026, 10, 13), TEN, False),
        (dt.date(2026, 11, 12), dt.time(13, 0), True),
        (dt.date(2027, 1, 12), TEN, False),
    ]
    with_cancelled = occurrences(SECOND_TUESDAY, changes, dt.date(2026, 12, 1), dt.date(2026, 12, 31), cancelled=True)
    assert [(o.scheduled_on, o.cancelled) for o in with_cancelled] == [(dt.date(2026, 12, 8), True)]


def test_a_meeting_moved_into_the_window_from_outside_it_is_found() -> None:
    changes = (Change(dt.date(2026, 12, 8), moved_to=dt.date(2026, 11, 30)),)
    assert _held(SECOND_TUESDAY, dt.date(2026, 11, 20), dt.date(2026, 12, 5), changes) == [dt.date(2026, 11, 30)]


def test_it_opens_for_ratings_the_set_number_of_days_before() -> None:
    [december] = occurrences(SECOND_TUESDAY, (), dt.date(2026, 12, 1), dt.date(2026, 12, 31))
    assert december.opens_on == dt.date(2026, 12, 1)


@pytest.mark.parametrize(
    ("today", "meetings", "expected"),
    [
        (dt.date(2026, 11, 30), [], None),  # 8 days before: not yet
        (dt.date(2026, 12, 1), [], dt.date(2026, 12, 8)),  # 7 days before: due
        (dt.date(2026, 12, 8), [], dt.date(2026, 12, 8)),  # on the day, if nobody opened it: still due
        (dt.date(2026, 12, 9), [], None),  # the day has passed: never opened afterwards
        (dt.date(2026, 12, 3), [dt.date(2026, 12, 8)], None),  # already open
        (dt.date(2026, 12, 3), [dt.date(2026, 12, 7)], None),  # the chair opened one a day early by hand
        (dt.date(2026, 12, 3), [dt.date(2026, 11, 10)], dt.date(2026, 12, 8)),  # last month's does not count
    ],
)
def test_which_meeting_is_due_to_open(today: dt.date, meetings: list[dt.date], expected: dt.date | None) -> None:
    found = due_to_open(SECOND_TUESDAY, (), meetings, today)
    assert (found.held_on if found else None) == expected


def test_a_cancelled_meeting_never_opens_and_the_next_one_is_next() -> None:
    changes = (Change(dt.date(2026, 12, 8)),)
    assert due_to_open(SECOND_TUESDAY, changes, [], dt.date(2026, 12, 3)) is None
    nxt = next_meeting(SECOND_TUESDAY, changes, [], dt.date(2026, 12, 3))
    assert nxt is not None and nxt.held_on == dt.date(2027, 1, 12)


def test_a_moved_meeting_opens_a_week_before_its_new_day() -> None:
    changes = (Change(dt.date(2026, 12, 8), moved_to=dt.date(2026, 12, 15)),)
    assert due_to_open(SECOND_TUESDAY, changes, [], dt.date(2026, 12, 7)) is None
    found = due_to_open(SECOND_TUESDAY, changes, [], dt.date(2026, 12, 8))
    assert found is not None and found.held_on == dt.date(2026, 12, 15)


def test_one_meeting_never_stands_for_two_neighbouring_ones() -> None:
    weekly = ScheduleRule(Pattern.WEEKLY, 1, TEN, 60, dt.date(2026, 1, 1), every_weeks=1)
    assert cover_days(weekly) == 3
    [this, following] = upcoming(weekly, (), dt.date(2026, 3, 3), 2)
    assert covered(weekly, this, [this.held_on]) and not covered(weekly, following, [this.held_on])


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (Change(dt.date(2026, 12, 8)), None),
        (Change(dt.date(2026, 12, 8), moved_to=dt.date(2026, 12, 10)), None),
        (Change(dt.date(2026, 12, 9)), "The schedule has no meeting on Wednesday 9 December 2026."),
        (Change(dt.date(2026, 12, 8), moved_to=dt.date(2027, 1, 12)), "A meeting can be moved by up to 28 days"),
        (Change(dt.date(2026, 12, 8), moved_to=dt.date(2026, 11, 10)), "The team already meets on Tuesday 10 November"),
    ],
)
def test_a_change_that_makes_no_sense_is_refused_in_words(change: Change, problem: str | None) -> None:
    found = change_problem(SECOND_TUESDAY, (), change)
    assert (found is None) if problem is None else (found is not None and found.startswith(problem))


def test_moving_onto_a_day_freed_by_another_move_is_allowed() -> None:
    freed = (Change(dt.date(2026, 11, 10), moved_to=dt.date(2026, 11, 17)),)
    assert change_problem(SECOND_TUESDAY, freed, Change(dt.date(2026, 12, 8), moved_to=dt.date(2026, 11, 10))) is None


@pytest.mark.parametrize(
    ("rule", "problem"),
    [
        (SECOND_TUESDAY, None),
        (ScheduleRule(Pattern.MONTHLY, 1, TEN, 150, dt.date(2026, 1, 1), nth=5), "Choose which week"),
        (ScheduleRule(Pattern.WEEKLY, 1, TEN, 150, dt.date(2026, 1, 1), every_weeks=9), "A meeting every few weeks"),
        (ScheduleRule(Pattern.MONTHLY, 1, TEN, 0, dt.date(2026, 1, 1), nth=2), "A meeting lasts"),
        (ScheduleRule(Pattern.MONTHLY, 1, TEN, 60, dt.date(2026, 1, 1), nth=2, open_days_before=40), "A meeting opens"),
        (ScheduleRule(Pattern.MONTHLY, 7, TEN, 60, dt.date(2026, 1, 1), nth=2), "Choose the day"),
        (
            ScheduleRule(Pattern.WEEKLY, 1, TEN, 60, dt.date(2026, 1, 1), every_weeks=1, open_days_before=7),
            "Meetings 7",
        ),
    ],
)
def test_a_rule_that_makes_no_sense_is_refused_in_words(rule: ScheduleRule, problem: str | None) -> None:
    found = rule_problem(rule)
    assert (found is None) if problem is None else (found is not None and found.startswith(problem))


def test_dates_are_said_the_uk_way() -> None:
    assert short_day(dt.date(2026, 12, 8)) == "Tue 8 Dec"
    assert long_day(dt.date(2026, 12, 8)) == "Tuesday 8 December 2026"
    assert when_words(dt.date(2026, 12, 8), TEN) == "Tue 8 Dec, 10:00"
    assert when_words(dt.date(2026, 12, 8), None, long=True) == "Tuesday 8 December 2026"


rules = st.builds(
    ScheduleRule,
    pattern=st.sampled_from(list(Pattern)),
    weekday=st.integers(0, 6),
    time=st.times(),
    planned_minutes=st.integers(1, 600),
    starts_on=st.dates(dt.date(2020, 1, 1), dt.date(2030, 1, 1)),
    nth=st.sampled_from([1, 2, 3, 4, -1]),
    every_weeks=st.integers(1, 8),
    open_days_before=st.integers(0, 28),
).filter(lambda rule: rule_problem(rule) is None)


@given(rule=rules, today=st.dates(dt.date(2025, 1, 1), dt.date(2031, 1, 1)))
def test_every_occurrence_falls_on_the_rules_weekday_and_they_come_in_order(rule: ScheduleRule, today: dt.date) -> None:
    found = upcoming(rule, (), today, 6)
    assert len(found) == 6
    assert all(o.held_on.weekday() == rule.weekday and o.held_on >= max(today, rule.starts_on) for o in found)
    assert [o.held_on for o in found] == sorted({o.held_on for o in found})


@settings(deadline=None, max_examples=60)
@given(rule=rules, today=st.dates(dt.date(2025, 1, 1), dt.date(2031, 1, 1)))
def test_once_a_due_meeting_is_opened_it_is_never_due_again(rule: ScheduleRule, today: dt.date) -> None:
    """What `fsdash meetings open-due` relies on to open each meeting once, however often it runs."""
    meetings: list[dt.date] = []
    for day in (today + dt.timedelta(days=n) for n in range(70)):
        due = due_to_open(rule, (), meetings, day)
        if due is not None:
            assert due.held_on not in meetings and due.opens_on <= day <= due.held_on
            meetings.append(due.held_on)
            assert due_to_open(rule, (), meetings, day) is None
    assert len(meetings) == len(set(meetings))
