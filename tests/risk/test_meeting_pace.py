"""Which family comes next, and the words for how the meeting is going against its time, checked exactly."""

import pytest

from risk.meeting_pace import counted, discussion_words, minutes_text, next_family, next_to_discuss, pace_words

ORDER = [11, 12, 13, 14]  # family ids in rank order


@pytest.mark.parametrize(
    ("current", "skip", "following"),
    [
        (11, (), 12),
        (14, (), 11),  # round to the top
        (None, (), 11),  # nothing chosen yet: the top of the list
        (99, (), 11),  # a family no longer on the list: the top
        (11, (12, 13), 14),
        (13, (14, 11), 12),  # skipping round the end
        (11, (12, 13, 14), None),  # every other family skipped
    ],
)
def test_next_family_steps_down_the_ranking(current: int | None, skip: tuple[int, ...], following: int | None) -> None:
    assert next_family(ORDER, current, skip) == following


@pytest.mark.parametrize(
    ("current", "discussed", "following"),
    [
        (11, set(), 12),
        (11, {12}, 13),  # another screen marked 12 discussed
        (12, {11, 13}, 14),
        (14, {11}, 12),
        (12, {11, 13, 14}, None),  # the family being left was the last one not discussed
        (None, {11}, 12),
    ],
)
def test_the_chairs_next_family_is_the_next_not_yet_discussed(
    current: int | None, discussed: set[int], following: int | None
) -> None:
    assert next_to_discuss(ORDER, current, discussed) == following


@pytest.mark.parametrize(("n", "words"), [(0, "0 families"), (1, "1 family"), (2, "2 families")])
def test_counted(n: int, words: str) -> None:
    assert counted(n, "family", "families") == words


@pytest.mark.parametrize(
    ("discussed", "seconds", "clock", "words"),
    [
        (True, 240, True, "Discussed (4 minutes) · 12 of 40 families discussed in 38 minutes · "),
        (True, 0, True, "Discussed · 12 of 40 families discussed in 38 minutes · "),
        (False, 0, False, "Not yet discussed · 12 of 40 families discussed in 38 minutes · "),
        (False, 20, True, "Not yet discussed (under a minute so far) · 12 of 40 families discussed in 38 minutes · "),
        (True, 240, None, "Discussed (4 minutes) · 12 of 40 families discussed in 38 minutes · "),
    ],
)
def test_discussion_words(discussed: bool, seconds: int, clock: bool | None, words: str) -> None:
    said = discussion_words(
        discussed=discussed,
        seconds=seconds,
        families=40,
        families_discussed=12,
        spent_seconds=38 * 60,
        planned_minutes=120,
        clock_running=clock,
    )
    tail = {True: " · meeting clock running", False: " · meeting clock not running", None: ""}[clock]
    assert said == words + "28 families, 82 minutes left: about 3 minutes each" + tail


@pytest.mark.parametrize(
    ("families", "discussed", "seconds", "planned", "words"),
    [
        (40, 0, 0, 120, "40 families, 120 minutes: 3 minutes each at this pace"),
        (
            40,
            12,
            38 * 60,
            120,
            "12 of 40 families discussed in 38 minutes · 28 families, 82 minutes left: about 3 minutes each",
        ),
        (40, 12, 38 * 60, None, "12 of 40 families discussed in 38 minutes"),
        (3, 1, 10, None, "1 of 3 families discussed in under a minute"),
        (2, 2, 61 * 60, 60, "Every family discussed, in 61 minutes of the 60 planned."),
        (
            10,
            4,
            60 * 60,
            60,
            "4 of 10 families discussed in 60 minutes · "
            "the 60 minutes planned are used up, 6 families still to discuss",
        ),
        (
            30,
            1,
            29 * 60 + 40,
            30,
            "1 of 30 families discussed in 30 minutes · 29 families, 0 minutes left: about under a minute each",
        ),
        (1, 0, 0, 5, "1 family, 5 minutes: 5 minutes each at this pace"),
        (0, 0, 0, 60, "No families to discuss."),
    ],
)
def test_pace_words(families: int, discussed: int, seconds: int, planned: int | None, words: str) -> None:
    assert pace_words(families, discussed, seconds, planned) == words


@pytest.mark.parametrize(
    ("seconds", "words"), [(0, "0 minutes"), (20, "under a minute"), (30, "1 minute"), (150, "3 minutes")]
)
def test_minutes_text(seconds: int, words: str) -> None:
    assert minutes_text(seconds) == words
