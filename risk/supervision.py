"""The words of what supervision records beside the ratings: each professional's update on the work done since the
last meeting, and the chair's decision for the family.

The two short lists the administrator keeps (the kinds of work, the outcomes) start from the defaults here: the
migration that made the lists and the test fixtures both seed them from these tuples, so they are written once.
They are what a new database starts from: a database made before a change to them keeps its lists (the
administrator's to edit), so changing a default for existing installations takes a migration of its own.
"""

from __future__ import annotations

import enum

UPDATE_TEXT_MAX = 2000
"""The longest update a professional can write for one family at one meeting: about a page, enough to say what was
done and what changed, short enough for the chair to read aloud."""
DECISION_TEXT_MAX = 2000
"""The longest decision and next steps the chair can record for one family at one meeting."""
CHOICE_LABEL_MAX = 80
"""The longest entry in one of the administrator's lists."""


class ChoiceKind(enum.StrEnum):
    """Which of the administrator's lists an entry belongs to."""

    WORK_KIND = "work_kind"
    OUTCOME = "outcome"

    @property
    def label(self) -> str:
        return _KIND_LABELS[self]


_KIND_LABELS = {ChoiceKind.WORK_KIND: "Kinds of work", ChoiceKind.OUTCOME: "Outcomes of supervision"}

DEFAULT_CHOICES: dict[ChoiceKind, tuple[str, ...]] = {
    ChoiceKind.WORK_KIND: (
        "Home visit",
        "Direct work with the child",
        "Parenting work",
        "Domestic abuse work",
        "Substance misuse work",
        "Mental health work",
        "Multi-agency meeting",
        "Other",
    ),
    ChoiceKind.OUTCOME: (
        "Continue the plan",
        "Step up: consider a strategy discussion",
        "Step up: legal planning meeting",
        "Step down",
        "Recommend closure",
    ),
}
"""The lists as shipped, in the order they are offered. An administrator adds entries and retires them; a retired
entry is no longer offered but still names what old records chose."""


def default_choice_rows() -> list[dict[str, object]]:
    """The shipped entries as rows of `choice_item` (kind, label, position), for the migration and the fixtures."""
    return [
        {"kind": kind.value, "label": label, "position": position}
        for kind, labels in DEFAULT_CHOICES.items()
        for position, label in enumerate(labels, start=1)
    ]
