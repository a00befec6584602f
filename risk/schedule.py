"""When a team's supervision meetings are held: its schedule rule, with one-off moves and cancellations.

A team keeps one rule ("the second Tuesday of each month at 10:00, 150 minutes"); a bank holiday or the manager's
leave moves or cancels one meeting without touching the rule. The recurrence itself is python-dateutil's rrule (the
iCalendar rules), never hand-written date arithmetic. Times are the council's wall-clock times: a 10:00 meeting is
at 10:00 before and after the clocks change, so the rule holds dates and a local time, never UTC instants.

Everything here is pure: the services read the rule and the team's meeting dates from the database and ask these
functions which meeting is next, which one is due to open for ratings, and whether a change makes sense.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from dateutil.rrule import MONTHLY, WEEKLY, rrule, weekday

LONGEST_MEETING_MINUTES = 600
"""The longest a meeting can be planned to last (ten hours): the bound for the schedule and the chair alike."""
DEFAULT_OPEN_DAYS_BEFORE = 7
LONGEST_OPEN_DAYS_BEFORE = 28
LONGEST_MOVE_DAYS = 28
"""A one-off move keeps a meeting within four weeks of its usual date; further than that is a new rule."""
LONGEST_EVERY_WEEKS = 8

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
NTH_WORDS = {1: "first", 2: "second", 3: "third", 4: "fourth", -1: "last"}


class Pattern(enum.StrEnum):
    """The two shapes a team's meetings take: a weekday of the month, or every few weeks on a weekday."""

    MONTHLY = "monthly"
    WEEKLY = "weekly"


@dataclass(frozen=True, slots=True)
class ScheduleRule:
    """A team's rule. `nth` (1 to 4, or -1 for the last) is for MONTHLY, `every_weeks` for WEEKLY; `starts_on` is
    the first day a meeting can fall on (and where every-few-weeks counts from). `time` is local wall-clock time."""

    pattern: Pattern
    weekday: int
    time: dt.time
    planned_minutes: int
    starts_on: dt.date
    nth: int | None = None
    every_weeks: int | None = None
    open_days_before: int = DEFAULT_OPEN_DAYS_BEFORE

    def describe(self) -> str:
        """The rule in the words a team manager would use: 'the second Tuesday of each month at 10:00'."""
        day = WEEKDAYS[self.weekday]
        if self.pattern is Pattern.MONTHLY:
            when = f"the {NTH_WORDS.get(self.nth or 0, '?')} {day} of each month"
        elif self.every_weeks == 1:
            when = f"every {day}"
        else:
            when = f"every {self.every_weeks} weeks on {day}"
        return f"{when} at {clock(self.time)}, {self.planned_minutes} minutes"


@dataclass(frozen=True, slots=True)
class Change:
    """A one-off change to the meeting the rule puts on `scheduled_on`: moved to another day (and perhaps another
    time), or cancelled (`moved_to` None)."""

    scheduled_on: dt.date
    moved_to: dt.date | None = None
    moved_time: dt.time | None = None

    @property
    def cancelled(self) -> bool:
        return self.moved_to is None


@dataclass(frozen=True, slots=True)
class Occurrence:
    """One meeting the schedule gives: the date the rule says, and where and when it is held after any change."""

    scheduled_on: dt.date
    held_on: dt.date
    time: dt.time
    planned_minutes: int
    opens_on: dt.date
    moved: bool = False
    cancelled: bool = False


def rule_problem(rule: ScheduleRule) -> str | None:
    """What is wrong with a rule, as a sentence for the person setting it; None when it is sound."""
    if not 0 <= rule.weekday <= 6:
        return "Choose the day of the week the meeting is held on."
    if rule.pattern is Pattern.MONTHLY and rule.nth not in NTH_WORDS:
        return "Choose which week of the month: the first, second, third, fourth or last."
    if rule.pattern is Pattern.WEEKLY and not (
        rule.every_weeks is not None and 1 <= rule.every_weeks <= LONGEST_EVERY_WEEKS
    ):
        return f"A meeting every few weeks is held every 1 to {LONGEST_EVERY_WEEKS} weeks."
    if not 1 <= rule.planned_minutes <= LONGEST_MEETING_MINUTES:
        return f"A meeting lasts between 1 and {LONGEST_MEETING_MINUTES} minutes."
    if not 0 <= rule.open_days_before <= LONGEST_OPEN_DAYS_BEFORE:
        return f"A meeting opens for ratings between 0 and {LONGEST_OPEN_DAYS_BEFORE} days before it is held."
    if rule.open_days_before >= spacing_days(rule):
        return (
            f"Meetings {spacing_days(rule)} days apart open for ratings at most {spacing_days(rule) - 1} days before: "
            "a team has one meeting open at a time."
        )
    return None


def spacing_days(rule: ScheduleRule) -> int:
    """The fewest days between two of the rule's meetings (a month: four weeks at the least)."""
    return 28 if rule.pattern is Pattern.MONTHLY else 7 * (rule.every_weeks or 1)


def _recurrence(rule: ScheduleRule) -> rrule:
    start = dt.datetime.combine(rule.starts_on, dt.time())
    if rule.pattern is Pattern.MONTHLY:
        return rrule(MONTHLY, dtstart=start, byweekday=weekday(rule.weekday, rule.nth))
    return rrule(WEEKLY, dtstart=start, interval=rule.every_weeks or 1, byweekday=weekday(rule.weekday))


def rule_dates(rule: ScheduleRule, start: dt.date) -> Iterator[dt.date]:
    """The dates the rule gives, on or after `start`, for ever (the caller stops)."""
    for moment in _recurrence(rule).xafter(dt.datetime.combine(start, dt.time()), inc=True):
        yield moment.date()


def _occurrence(rule: ScheduleRule, day: dt.date, change: Change | None) -> Occurrence:
    held_on = day if change is None or change.moved_to is None else change.moved_to
    time = rule.time if change is None or change.moved_time is None else change.moved_time
    return Occurrence(
        scheduled_on=day,
        held_on=held_on,
        time=time,
        planned_minutes=rule.planned_minutes,
        opens_on=held_on - dt.timedelta(days=rule.open_days_before),
        moved=change is not None and not change.cancelled and (held_on, time) != (day, rule.time),
        cancelled=change is not None and change.cancelled,
    )


def occurrences(
    rule: ScheduleRule, changes: Iterable[Change], start: dt.date, end: dt.date, *, cancelled: bool = False
) -> list[Occurrence]:
    """The meetings held from `start` to `end` (both included, by the day they are held, after moves), in order;
    with `cancelled`, the cancelled ones too (by their usual date), for the editor's list."""
    by_day = {change.scheduled_on: change for change in changes}
    found = []
    # a meeting moved by up to LONGEST_MOVE_DAYS can come into the window from a rule date outside it
    for day in rule_dates(rule, start - dt.timedelta(days=LONGEST_MOVE_DAYS)):
        if day > end + dt.timedelta(days=LONGEST_MOVE_DAYS):
            break
        occurrence = _occurrence(rule, day, by_day.get(day))
        shown_on = occurrence.scheduled_on if occurrence.cancelled else occurrence.held_on
        if start <= shown_on <= end and (cancelled or not occurrence.cancelled):
            found.append(occurrence)
    return sorted(found, key=lambda o: (o.held_on, o.time, o.scheduled_on))


def upcoming(
    rule: ScheduleRule, changes: Iterable[Change], today: dt.date, count: int, *, cancelled: bool = False
) -> list[Occurrence]:
    """The next `count` meetings from `today` (included)."""
    changes = tuple(changes)
    found: list[Occurrence] = []
    span = 120
    start = today
    while len(found) < count and span < 366 * 20:  # a schedule gives a meeting at least every 8 weeks
        found = occurrences(rule, changes, start, today + dt.timedelta(days=span), cancelled=cancelled)
        span *= 2
    return found[:count]


def cover_days(rule: ScheduleRule) -> int:
    """How far from a scheduled day a meeting the chair opened by hand can be and still stand for it: the opening
    window, but never so wide that one meeting could stand for two neighbouring ones."""
    return min(max(rule.open_days_before, 1), (spacing_days(rule) - 1) // 2)


def covered(rule: ScheduleRule, occurrence: Occurrence, meeting_dates: Iterable[dt.date]) -> bool:
    """True when the team already has a meeting that stands for this one: on its day, or one the chair opened by
    hand near it (a day early, say). Such a scheduled meeting is never opened a second time."""
    window = dt.timedelta(days=cover_days(rule))
    return any(abs(day - occurrence.held_on) <= window for day in meeting_dates)


def next_meeting(
    rule: ScheduleRule, changes: Iterable[Change], meeting_dates: Sequence[dt.date], today: dt.date
) -> Occurrence | None:
    """The next scheduled meeting that has no meeting standing for it yet, from `today` on."""
    for occurrence in upcoming(rule, changes, today, 6):
        if not covered(rule, occurrence, meeting_dates):
            return occurrence
    return None


def due_to_open(
    rule: ScheduleRule, changes: Iterable[Change], meeting_dates: Sequence[dt.date], today: dt.date
) -> Occurrence | None:
    """The scheduled meeting to open for ratings today, if any: its opening day has come, its day has not passed,
    and no meeting stands for it yet. Opening it then makes it covered, so asking again gives None."""
    found = next_meeting(rule, changes, meeting_dates, today)
    if found is not None and found.opens_on <= today <= found.held_on:
        return found
    return None


def change_problem(rule: ScheduleRule, changes: Iterable[Change], change: Change) -> str | None:
    """What is wrong with moving or cancelling one meeting; None when it can be done."""
    if change.scheduled_on < rule.starts_on or change.scheduled_on not in set(
        rule_dates_between(rule, change.scheduled_on, change.scheduled_on)
    ):
        return f"The schedule has no meeting on {long_day(change.scheduled_on)}."
    if change.moved_to is None:
        return None
    if abs((change.moved_to - change.scheduled_on).days) > LONGEST_MOVE_DAYS:
        return (
            f"A meeting can be moved by up to {LONGEST_MOVE_DAYS} days. For a bigger change, change the schedule "
            "itself."
        )
    others = [c for c in changes if c.scheduled_on != change.scheduled_on]
    span_start = min(change.moved_to, change.scheduled_on) - dt.timedelta(days=LONGEST_MOVE_DAYS)
    span_end = max(change.moved_to, change.scheduled_on) + dt.timedelta(days=LONGEST_MOVE_DAYS)
    for other in occurrences(rule, others, span_start, span_end):
        if other.scheduled_on != change.scheduled_on and other.held_on == change.moved_to:
            return f"The team already meets on {long_day(change.moved_to)}."
    return None


def rule_dates_between(rule: ScheduleRule, start: dt.date, end: dt.date) -> list[dt.date]:
    """The rule's dates from `start` to `end` (both included)."""
    found = []
    for day in rule_dates(rule, start):
        if day > end:
            break
        found.append(day)
    return found


# --- how dates and times are said ---------------------------------------------------------------------------------


def clock(time: dt.time | None) -> str:
    """'10:00': the 24-hour clock, as UK councils write meeting times."""
    return "" if time is None else f"{time.hour:02d}:{time.minute:02d}"


def short_day(day: dt.date) -> str:
    """'Tue 8 Dec': the sidebar's and the lists' form (UK order, English names whatever the server's locale)."""
    return f"{WEEKDAYS[day.weekday()][:3]} {day.day} {MONTHS[day.month - 1][:3]}"


def long_day(day: dt.date) -> str:
    """'Tuesday 8 December 2026': the form for an email, read away from the dashboard."""
    return f"{WEEKDAYS[day.weekday()]} {day.day} {MONTHS[day.month - 1]} {day.year}"


def when_words(day: dt.date, time: dt.time | None, *, long: bool = False) -> str:
    """'Tue 8 Dec, 10:00' (or the long form); the day alone when no time is known."""
    said = long_day(day) if long else short_day(day)
    return f"{said}, {clock(time)}" if time is not None else said
