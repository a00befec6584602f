"""The rules a team may combine its professionals' ratings by, each with its name, version and words, in one
registry: the command line's choices, the Admin page's picker and the chair's comparison all read this list.

A team's rule is a setting of the team (kept on it, changed by an administrator); every stored score keeps the
name and version of the rule that made it, so an old score stays explicable after a rule changes. A new rule is
one more `Policy` here; changing what a rule does means a new version, so scores made under the old one still say
which they were.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from risk.vocabulary import RAG


def most_severe(rags: Sequence[RAG]) -> RAG:
    """The most severe rating: one professional's concern is never averaged away ("one red is a red")."""
    return max(rags, key=lambda rag: rag.level)


def median_towards_severe(rags: Sequence[RAG]) -> RAG:
    """The middle rating; with an even count the two middle ones meet halfway, and a half rounds to the worse."""
    levels = sorted(rag.level for rag in rags)
    lower, upper = levels[(len(levels) - 1) // 2], levels[len(levels) // 2]
    return RAG.from_level((lower + upper + 1) // 2)


@dataclass(frozen=True, slots=True)
class Policy:
    """A named, versioned rule: from the professionals' ratings of a child to the child's rating, and from the
    children's ratings to the family's band."""

    name: str
    version: int
    description: str
    """What the rule does, in the words the chair and the administrator read: 'a child's rating is …'."""
    child_rating: Callable[[Sequence[RAG]], RAG]
    family_rating: Callable[[Sequence[RAG]], RAG] = most_severe
    """The family's band from its children's ratings: the most severe child, under every rule so far."""


WORST = Policy(
    "worst",
    1,
    "a child's rating is the most severe any professional gave (one red is a red)",
    most_severe,
)
MEDIAN = Policy(
    "median",
    1,
    "a child's rating is the middle of the professionals' ratings (a tie between two rounds to the worse)",
    median_towards_severe,
)

POLICIES: dict[str, Policy] = {p.name: p for p in (WORST, MEDIAN)}
"""Every rule a team may use, by name, the default first."""
DEFAULT_POLICY = WORST.name
"""A new team's rule, and the practice's own: one professional's red is never averaged away."""


def get_policy(name: str) -> Policy:
    try:
        return POLICIES[name]
    except KeyError:
        raise ValueError(f"Unknown risk policy {name!r}; known policies: {', '.join(POLICIES)}") from None


def known_or_default(name: str | None) -> Policy:
    """The rule of this name, or the default where the name is unknown: a team whose setting names a rule this
    version does not have (set by a later version, then rolled back) still meets, ranked by the default rule."""
    return POLICIES.get(name or DEFAULT_POLICY, POLICIES[DEFAULT_POLICY])


def other_policies(name: str) -> list[Policy]:
    """The rules a team on `name` could compare its own with, in the registry's order."""
    return [p for p in POLICIES.values() if p.name != name]
