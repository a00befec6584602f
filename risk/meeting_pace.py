"""How the meeting goes through its families against the time the team has: which family comes next, the running
total, what is left per family, and the words for where the meeting stands.

Pure arithmetic and words, so the Meeting page, the record and the tests say the same thing.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence


def counted(n: int, one: str, many: str) -> str:
    """'1 family', '3 families'."""
    return f"{n} {one if n == 1 else many}"


def next_family(order: Sequence[int], current: int | None, skip: Collection[int] = ()) -> int | None:
    """The next family below `current` in rank order that is not in `skip`, going round to the top; None if there
    is none. A family not in the order (or none) starts from the top."""
    start = order.index(current) + 1 if current in order else 0
    return next((f for f in [*order[start:], *order[:start]] if f != current and f not in skip), None)


def next_to_discuss(order: Sequence[int], current: int | None, discussed: Collection[int]) -> int | None:
    """Where the chair's "Next family" goes: the next family in rank order not yet discussed, whichever screen
    marked the others (the family being left is being marked discussed as the chair moves on)."""
    return next_family(order, current, {*discussed, *([] if current is None else [current])})


def _minutes(seconds: int) -> int:
    """Whole minutes, rounded to nearest: a family discussed for 50 seconds took about a minute, not none."""
    return (seconds + 30) // 60


def minutes_text(seconds: int) -> str:
    return "under a minute" if 0 < seconds < 30 else counted(_minutes(seconds), "minute", "minutes")


def pace_words(families: int, discussed: int, spent_seconds: int, planned_minutes: int | None) -> str:
    """'12 of 40 families discussed in 38 minutes · 28 families, 82 minutes left: about 3 minutes each'.

    Before anything is discussed, with a length set: '40 families, 120 minutes: 3 minutes each at this pace'."""
    if families <= 0:
        return "No families to discuss."
    remaining = families - discussed
    so_far = f"{discussed} of {counted(families, 'family', 'families')} discussed in {minutes_text(spent_seconds)}"
    if planned_minutes is None:
        return so_far
    left_seconds = planned_minutes * 60 - spent_seconds
    if remaining <= 0:
        return f"Every family discussed, in {minutes_text(spent_seconds)} of the {planned_minutes} planned."
    if left_seconds <= 0:
        return (
            f"{so_far} · the {planned_minutes} minutes planned are used up, "
            f"{counted(remaining, 'family', 'families')} still to discuss"
        )
    each = left_seconds / remaining / 60
    each_text = "under a minute" if each < 1 else counted(round(each), "minute", "minutes")
    if discussed == 0 and spent_seconds == 0:
        return f"{counted(families, 'family', 'families')}, {planned_minutes} minutes: {each_text} each at this pace"
    left = f"{counted(remaining, 'family', 'families')}, {_minutes(left_seconds)} minutes left"
    return f"{so_far} · {left}: about {each_text} each"


def discussion_words(
    *,
    discussed: bool,
    seconds: int,
    families: int,
    families_discussed: int,
    spent_seconds: int,
    planned_minutes: int | None,
    clock_running: bool | None,
) -> str:
    """'Discussed (4 minutes) · 12 of 40 families discussed in 38 minutes · … · meeting clock running': one family's
    discussion (`seconds` so far), then the whole meeting's pace; `clock_running` None once the meeting has closed,
    when there is no clock to speak of."""
    if discussed:
        this = f"Discussed ({minutes_text(seconds)})" if seconds else "Discussed"
    else:
        this = "Not yet discussed" + (f" ({minutes_text(seconds)} so far)" if seconds else "")
    pace = pace_words(families, families_discussed, spent_seconds, planned_minutes)
    clock = ""
    if clock_running is not None:
        clock = " · meeting clock running" if clock_running else " · meeting clock not running"
    return f"{this} · {pace}{clock}"
