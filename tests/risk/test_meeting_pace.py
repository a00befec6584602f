"""The words for how the meeting is going against its time, checked exactly."""

import pytest

from risk.meeting_pace import minutes_text, pace_words


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
