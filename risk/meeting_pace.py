"""How the meeting is going against the time the team has: the running total and what is left per family.

Pure arithmetic and words, so the Meeting page, the record and the tests say the same thing.
"""

from __future__ import annotations


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _minutes(seconds: int) -> int:
    """Whole minutes, rounded to nearest: a family discussed for 50 seconds took about a minute, not none."""
    return (seconds + 30) // 60


def minutes_text(seconds: int) -> str:
    return "under a minute" if 0 < seconds < 30 else _count(_minutes(seconds), "minute", "minutes")


def pace_words(families: int, discussed: int, spent_seconds: int, planned_minutes: int | None) -> str:
    """'12 of 40 families discussed in 38 minutes · 28 families, 82 minutes left: about 3 minutes each'.

    Before anything is discussed, with a length set: '40 families, 120 minutes: 3 minutes each at this pace'."""
    if families <= 0:
        return "No families to discuss."
    remaining = families - discussed
    so_far = f"{discussed} of {_count(families, 'family', 'families')} discussed in {minutes_text(spent_seconds)}"
    if planned_minutes is None:
        return so_far
    left_seconds = planned_minutes * 60 - spent_seconds
    if remaining <= 0:
        return f"Every family discussed, in {minutes_text(spent_seconds)} of the {planned_minutes} planned."
    if left_seconds <= 0:
        return (
            f"{so_far} · the {planned_minutes} minutes planned are used up, "
            f"{_count(remaining, 'family', 'families')} still to discuss"
        )
    each = left_seconds / remaining / 60
    each_text = "under a minute" if each < 1 else _count(round(each), "minute", "minutes")
    if discussed == 0 and spent_seconds == 0:
        return f"{_count(families, 'family', 'families')}, {planned_minutes} minutes: {each_text} each at this pace"
    left = f"{_count(remaining, 'family', 'families')}, {_minutes(left_seconds)} minutes left"
    return f"{so_far} · {left}: about {each_text} each"
