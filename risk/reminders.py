"""Which reminders are due, and what they say.

Three people hear from the dashboard between meetings: a professional with ratings still to enter (a few days
before the meeting), an action's owner (as it falls due, and once when it is overdue), and the chair (the morning
of the meeting: who still has ratings to enter). An email leaves the council's secure network, so a reminder holds
counts, dates, team names, staff names (the chair's list) and a link, and never a child's or family's name, a case
reference, a rating or anyone's words: the messages are built here from those values alone, so nothing else can
reach them.

Days are the council's days (Europe/London by default): a run at 23:30 UTC in summer is already the next day
there. Nothing is sent before the morning's sending hour, so a cron line that runs every few minutes does not wake
anyone at midnight.
"""

from __future__ import annotations

import datetime as dt
import enum
import html
from collections.abc import Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from risk.schedule import clock, long_day, when_words

DEFAULT_RATING_DAYS = (3, 1)
DEFAULT_ACTION_DAYS = 2
DEFAULT_SENDING_HOUR = 7
DEFAULT_TIME_ZONE = "Europe/London"
OVERDUE_WINDOW_DAYS = 7
"""An overdue action is reminded once, within a week of its due date: a reminder switched on for the first time
does not send a year's backlog of overdue actions."""


class ReminderKind(enum.StrEnum):
    RATINGS_DUE = "ratings_due"
    ACTION_DUE = "action_due"
    ACTION_OVERDUE = "action_overdue"
    CHAIR_LIST = "chair_list"

    @property
    def label(self) -> str:
        return _LABELS[self]


_LABELS = {
    ReminderKind.RATINGS_DUE: "ratings to enter",
    ReminderKind.ACTION_DUE: "action falling due",
    ReminderKind.ACTION_OVERDUE: "action overdue",
    ReminderKind.CHAIR_LIST: "chair's list on the day",
}


@dataclass(frozen=True, slots=True)
class ReminderSettings:
    rating_days: tuple[int, ...] = DEFAULT_RATING_DAYS
    action_days: int = DEFAULT_ACTION_DAYS
    sending_hour: int = DEFAULT_SENDING_HOUR
    time_zone: str = DEFAULT_TIME_ZONE

    def local(self, now: dt.datetime) -> dt.datetime:
        """`now` (an aware moment) as the council's wall-clock time."""
        return now.astimezone(ZoneInfo(self.time_zone))


def days_problem(text: str) -> str | None:
    """What is wrong with a list of days such as '3,1'; None when it is sound."""
    try:
        days = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        return f"{text!r} is not a list of whole numbers of days such as 3,1."
    if not days or any(not 0 <= day <= 28 for day in days):
        return f"{text!r}: give one or more numbers of days from 0 to 28, such as 3,1."
    return None


def parse_days(text: str) -> tuple[int, ...]:
    """'3,1' as (3, 1): most days first, each once."""
    return tuple(sorted({int(part) for part in text.split(",") if part.strip()}, reverse=True))


def sending_hours(local_now: dt.datetime, settings: ReminderSettings) -> bool:
    """Reminders go out from the morning's sending hour until midnight, never in the small hours."""
    return local_now.hour >= settings.sending_hour


def ratings_reminder_due(meeting_day: dt.date, today: dt.date, days_before: Sequence[int]) -> int | None:
    """Which of the 'days before' reminders is due today, if any (3 or 1 with the default 3,1).

    Each reminder is due from its day until the next one's, and the last until the day before the meeting. A
    reminder whose day was missed (the server was down) is sent late, but never once the next one is due, so nobody
    gets two on one day. On the meeting's own day the chair's list takes over."""
    left = (meeting_day - today).days
    if left <= 0:
        return None
    for days in sorted(set(days_before)):
        if days >= left:
            return days if days > 0 else None
    return None


def action_reminder_due(due_on: dt.date, today: dt.date, days_before: int) -> ReminderKind | None:
    """ACTION_DUE from `days_before` days before the action's due date to the day itself; ACTION_OVERDUE in the week
    after it (sent once: the record of what was sent says whether it has been)."""
    if due_on - dt.timedelta(days=days_before) <= today <= due_on:
        return ReminderKind.ACTION_DUE
    if due_on < today <= due_on + dt.timedelta(days=OVERDUE_WINDOW_DAYS):
        return ReminderKind.ACTION_OVERDUE
    return None


def chair_list_due(meeting_day: dt.date, starts_at: dt.time | None, local_now: dt.datetime) -> bool:
    """The chair's list goes out on the morning of the meeting, until the meeting starts (noon when no time is
    known): after that it would tell the chair what the Meeting page already shows."""
    until = starts_at or dt.time(12, 0)
    return local_now.date() == meeting_day and local_now.time().replace(tzinfo=None) < until


# --- what they say ------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Message:
    """One email: a subject, the plain text, and the same words as HTML (every value escaped)."""

    subject: str
    text: str
    html: str


@dataclass(frozen=True, slots=True)
class Links:
    """Where a message points: the page to act on, and My account (to turn reminders off)."""

    page: str
    account: str


@dataclass(frozen=True, slots=True)
class ActionLine:
    """One action as a reminder may say it: its team and due date, never what it is or which family it is for."""

    team: str
    due_on: dt.date
    overdue: bool


@dataclass(frozen=True, slots=True)
class StillToRate:
    """One professional on the chair's list: their name (staff, not families) and how many ratings are missing."""

    name: str
    count: int


def _plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


FOOTER = (
    "You get this email because you are a member of staff on the supervision dashboard. To stop these reminders, "
    "turn them off in My account:"
)


def _message(subject: str, paragraphs: Sequence[str], action: tuple[str, str], links: Links) -> Message:
    """Plain text and HTML from the same paragraphs, so the two parts never say different things."""
    label, url = action
    text = "\n\n".join([*paragraphs, f"{label}: {url}", f"{FOOTER} {links.account}"]) + "\n"
    body = "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    button = f'<p><a href="{html.escape(url, quote=True)}">{html.escape(label)}</a></p>'
    footer = (
        f'<p style="color:#555;font-size:90%">{html.escape(FOOTER)} '
        f'<a href="{html.escape(links.account, quote=True)}">My account</a></p>'
    )
    page = f'<!DOCTYPE html><html lang="en-GB"><body>{body}{button}{footer}</body></html>'
    return Message(subject=subject, text=text, html=page)


def ratings_message(team: str, meeting_day: dt.date, starts_at: dt.time | None, count: int, links: Links) -> Message:
    """'3 ratings for you to enter for Oak team's meeting on Tuesday 8 December 2026, 10:00.'"""
    when = when_words(meeting_day, starts_at, long=True)
    ratings = _plural(count, "rating", "ratings")
    return _message(
        f"{team}: {ratings} to enter before {when_words(meeting_day, starts_at)}",
        [
            f"You have {ratings} to enter for {team}'s supervision meeting on {when}.",
            "Ratings can be entered until the meeting closes.",
        ],
        ("Enter your ratings", links.page),
        links,
    )


def actions_message(lines: Sequence[ActionLine], today: dt.date, links: Links) -> Message:
    """Every action of one owner that is due or overdue today, by team and date only."""
    overdue = [line for line in lines if line.overdue]
    due = [line for line in lines if not line.overdue]
    parts = []
    if due:
        parts.append(_plural(len(due), "action due soon", "actions due soon"))
    if overdue:
        parts.append(_plural(len(overdue), "action overdue", "actions overdue"))
    paragraphs = [f"You have {' and '.join(parts)} from supervision:"]
    for line in sorted(lines, key=lambda line: (line.due_on, line.team)):
        if line.overdue:
            paragraphs.append(f"{line.team}: an action that was due on {long_day(line.due_on)} is not yet done.")
        elif line.due_on == today:
            paragraphs.append(f"{line.team}: an action is due today, {long_day(line.due_on)}.")
        else:
            paragraphs.append(f"{line.team}: an action is due on {long_day(line.due_on)}.")
    paragraphs.append("The actions themselves are on the Caseload page; mark them done there when they are.")
    return _message(f"Supervision actions: {' and '.join(parts)}", paragraphs, ("See your actions", links.page), links)


def chair_message(
    team: str, meeting_day: dt.date, starts_at: dt.time | None, still_to_rate: Sequence[StillToRate], links: Links
) -> Message:
    """The chair's list on the morning of the meeting: who still has ratings to enter, and how many."""
    at = f" at {clock(starts_at)}" if starts_at is not None else ""
    missing = sum(person.count for person in still_to_rate)
    if not still_to_rate:
        paragraphs = [f"{team}'s supervision meeting is today{at}. Every rating expected for it has been entered."]
    else:
        paragraphs = [
            f"{team}'s supervision meeting is today{at}, {long_day(meeting_day)}. "
            f"{_plural(missing, 'rating is', 'ratings are')} still to be entered, by "
            f"{_plural(len(still_to_rate), 'person', 'people')}:",
            *(f"{person.name}: {person.count}" for person in sorted(still_to_rate, key=lambda p: (-p.count, p.name))),
        ]
    subject = f"{team}: meeting today{at}, " + (
        f"{_plural(missing, 'rating', 'ratings')} still to enter" if missing else "every rating entered"
    )
    return _message(subject, paragraphs, ("Open the meeting", links.page), links)
