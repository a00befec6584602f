"""Persistent disagreement, worked example by worked example: the flag and the exact words on the family's card.

Each family is written as this month's ratings and the earlier meetings' ratings, last month first (see
`make_family`). "sm" is the substance misuse worker, "dap" the domestic abuse practitioner (victims).
"""

from dataclasses import replace
from typing import Any, NamedTuple

import pytest

from risk.persistence import PersistenceKind, persistent_disagreement
from risk.ranking import assess_family
from tests.risk.factories import make_family

SPLIT = {"Amy": {"sw": "amber", "dap": "red", "sm": "green"}}  # sm green against dap red
AGREED = {"Amy": {"sw": "amber", "dap": "amber", "sm": "amber"}}
SM_LOWER = {"Amy": {"sw": "amber", "dap": "amber", "sm": "green"}}  # sm below everyone, nobody red
ISSUE_WORDS = (
    "the substance misuse worker rated Amy green while the domestic abuse practitioner (victims) rated Amy red: "
    "persistent disagreement."
)


class Persistence(NamedTuple):
    kind: PersistenceKind | None
    explanation: str


EXAMPLES = [
    pytest.param(
        {"ratings": SPLIT, "history": [SPLIT, AGREED, SPLIT]},
        Persistence(PersistenceKind.RED_AND_GREEN,
                    "Red: 1 of 3 professionals rated Amy red (domestic abuse practitioner (victims)). New this month. "
                    "Substance misuse worker rated Amy green: professionals disagree. "
                    f"At 3 of the family's last 4 rated meetings {ISSUE_WORDS}"),
        id="the-issue-example",
    ),
    pytest.param(
        {"ratings": AGREED, "history": [SPLIT, AGREED, SPLIT]},
        Persistence(None, "Amber: 3 of 3 professionals rated Amy amber "
                          "(social worker, domestic abuse practitioner (victims), substance misuse worker). "
                          "New this month."),
        id="two-of-four-is-a-bad-month-not-a-pattern",
    ),
    pytest.param(
        {"ratings": AGREED, "history": [SPLIT, {}, SPLIT, SPLIT]},
        Persistence(PersistenceKind.RED_AND_GREEN,
                    "Amber: 3 of 3 professionals rated Amy amber "
                    "(social worker, domestic abuse practitioner (victims), substance misuse worker). "
                    f"New this month. At 3 of the family's last 4 rated meetings {ISSUE_WORDS}"),
        id="a-meeting-nobody-rated-the-family-at-is-skipped",
    ),
    pytest.param(
        {"ratings": AGREED, "history": [AGREED, SPLIT, SPLIT, SPLIT]},
        Persistence(None, "Amber: 3 of 3 professionals rated Amy amber "
                          "(social worker, domestic abuse practitioner (victims), substance misuse worker). "
                          "New this month."),
        id="a-fifth-meeting-back-is-outside-the-window",
    ),
    pytest.param(
        {"ratings": {}, "involved": ["sw", "dap", "sm"], "history": [SPLIT, SPLIT, SPLIT]},
        Persistence(PersistenceKind.RED_AND_GREEN,
                    "Not yet rated: none of the 3 professionals involved has rated yet. "
                    f"At each of the family's last 3 rated meetings {ISSUE_WORDS}"),
        id="not-rated-yet-this-month-the-pattern-still-shows",
    ),
    pytest.param(
        {"ratings": SM_LOWER, "history": [SM_LOWER, AGREED, SM_LOWER]},
        Persistence(PersistenceKind.ONE_ROLE_LOWER,
                    "Amber: 2 of 3 professionals rated Amy amber (social worker, domestic abuse practitioner "
                    "(victims)). New this month. At 3 of the family's last 4 rated meetings the substance misuse "
                    "worker rated Amy less severely than every other professional: persistent disagreement."),
        id="one-role-always-lowest",
    ),
    pytest.param(
        {
            "ratings": {"Amy": {"sw": "amber", "sm": "green"}, "Ben": {"sw": "amber", "sm": "amber"}},
            "history": [
                {"Amy": {"sw": "amber", "sm": "amber"}, "Ben": {"sw": "red", "mh": "amber", "sm": "green"}},
                {"Amy": {"sw": "amber", "sm": "green"}, "Ben": {"sw": "amber", "sm": "amber"}},
            ],
        },
        Persistence(PersistenceKind.ONE_ROLE_LOWER,
                    "Amber: 1 of 2 professionals rated Amy amber (social worker); 2 of 2 professionals rated Ben "
                    "amber (social worker, substance misuse worker). New this month. At each of the family's last 3 "
                    "rated meetings the substance misuse worker rated one of the children less severely than every "
                    "other professional (Amy at 2 of them): persistent disagreement."),
        id="one-role-lowest-for-different-children",
    ),
    pytest.param(
        {
            "ratings": {"Amy": {"sw": "green", "sw2": "amber", "mh": "amber"}},
            "history": [{"Amy": {"sw": "green", "sw2": "amber", "mh": "amber"}}] * 3,
        },
        Persistence(None, "Amber: 2 of 3 professionals rated Amy amber (social worker, mental health practitioner). "
                          "New this month."),
        id="a-role-split-within-itself-is-not-lower",
    ),
    pytest.param(
        {
            "ratings": {"Amy": {"sm": "green", "fsw": "green", "mh": "amber"}},
            "history": [{"Amy": {"sm": "green", "fsw": "green", "mh": "amber"}}] * 3,
        },
        Persistence(None, "Amber: 1 of 3 professionals rated Amy amber (mental health practitioner). New this month."),
        id="two-roles-sharing-the-lowest-rating-is-not-one-role-lower",
    ),
    pytest.param(
        {
            "ratings": {"Amy": {"dap": "red", "sm": "green"}, "Ben": {"sw": "amber"}},
            "history": [
                {"Amy": {"dap": "red", "sm": "green"}, "Ben": {"sw": "amber"}},
                {"Amy": {"dap": "amber", "sm": "amber"}, "Ben": {"sw": "red", "mh": "green"}},
            ],
        },
        Persistence(PersistenceKind.RED_AND_GREEN,
                    "Red: 1 of 2 professionals rated Amy red (domestic abuse practitioner (victims)). New this month. "
                    "Substance misuse worker rated Amy green: professionals disagree. At each of the family's last 3 "
                    "rated meetings professionals rated a child both red and green; at 2 of them the substance misuse "
                    "worker rated Amy green while the domestic abuse practitioner (victims) rated Amy red: persistent "
                    "disagreement. Social worker has not rated Amy yet. Domestic abuse practitioner (victims) and "
                    "substance misuse worker have not rated Ben yet."),
        id="red-against-green-moving-between-children",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("family", "expected"), EXAMPLES)
def test_worked_example(family: dict[str, Any], expected: Persistence) -> None:
    a = assess_family(make_family(**family))

    found = a.signals.persistent
    assert Persistence(None if found is None else found.kind, a.explanation) == expected
    assert a.signals.has_persistent_disagreement is (expected.kind is not None)


def test_red_against_green_is_named_before_one_role_lower_when_both_hold() -> None:
    found = persistent_disagreement(make_family(SPLIT, history=[SPLIT, SPLIT]))

    assert found is not None
    assert (found.kind, found.meetings, found.considered, found.named_meetings) == (
        PersistenceKind.RED_AND_GREEN,
        3,
        3,
        3,
    )


def test_the_window_and_threshold_are_parameters_of_the_rule() -> None:
    family = make_family(AGREED, history=[SPLIT, SPLIT, AGREED])

    assert persistent_disagreement(family) is None
    assert persistent_disagreement(family, window=3, threshold=2) is not None
    assert persistent_disagreement(family, window=2, threshold=2) is None


def test_a_threshold_larger_than_the_window_is_refused() -> None:
    with pytest.raises(ValueError, match="between 1 and the window"):
        persistent_disagreement(make_family(SPLIT), window=2, threshold=3)


def test_earlier_ratings_dated_on_the_meeting_day_are_refused() -> None:
    family = make_family(SPLIT, history=[SPLIT])
    same_day = replace(family.history[0], held_on=family.as_of)

    with pytest.raises(ValueError, match="not before its meeting"):
        persistent_disagreement(replace(family, history=(same_day,)))


def test_earlier_ratings_of_a_child_not_in_the_family_are_refused() -> None:
    family = make_family(SPLIT, history=[SPLIT], children=["Amy"])
    stray = replace(family.history[0], ratings=(replace(family.history[0].ratings[0], child_id=99),))

    with pytest.raises(ValueError, match="not in it: \\[99\\]"):
        assess_family(replace(family, history=(stray,)))
