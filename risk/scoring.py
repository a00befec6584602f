"""From the professionals' ratings at one meeting to each child's rating, the family's band and a 0–100 score.

The practice rule is "one red is a red": under the default `worst` policy one professional's concern is never
averaged away. The band is the most severe child's rating; the score places the family inside its band by how
severe all its ratings are, so bands never overlap (every red family outscores every amber family) and a family
with more concern inside its band sits above one with less. A family nobody rated is `Band.UNRATED`, never green.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from risk.inputs import Rating
from risk.vocabulary import RAG, Band

# Scores are stored in hundredths. Each band keeps to its own range even after rounding, which only matters for
# families with thousands of ratings, where a score a hair above a boundary would otherwise round onto it.
_BAND_HUNDREDTHS = {RAG.GREEN: (0, 3333), RAG.AMBER: (3334, 6666), RAG.RED: (6667, 10000)}


def band_level(band: Band) -> int:
    """A rated band's level, as its RAG's (green 1, amber 2, red 3); an unrated band has none."""
    return RAG(band.value).level


def _most_severe(rags: Sequence[RAG]) -> RAG:
    return max(rags, key=lambda rag: rag.level)


def _median_towards_severe(rags: Sequence[RAG]) -> RAG:
    """The middle rating; with an even count the two middle ones meet halfway, and a half rounds to the worse."""
    levels = sorted(rag.level for rag in rags)
    lower, upper = levels[(len(levels) - 1) // 2], levels[len(levels) // 2]
    return RAG.from_level((lower + upper + 1) // 2)


@dataclass(frozen=True, slots=True)
class Policy:
    """A named, versioned rule for a child's rating; stored with every score so old scores stay explicable."""

    name: str
    version: int
    child_rating: Callable[[Sequence[RAG]], RAG]


POLICIES: dict[str, Policy] = {
    "worst": Policy("worst", 1, _most_severe),
    "median": Policy("median", 1, _median_towards_severe),
}
DEFAULT_POLICY = "worst"


def get_policy(name: str) -> Policy:
    try:
        return POLICIES[name]
    except KeyError:
        raise ValueError(f"Unknown risk policy {name!r}; known policies: {', '.join(POLICIES)}") from None


@dataclass(frozen=True, slots=True)
class ChildRating:
    """A child's rating at a meeting under a policy, with the ratings it came from (by practitioner id)."""

    child_id: int
    rating: RAG
    ratings: tuple[Rating, ...]

    @property
    def spread(self) -> int:
        """How far apart the professionals are (0 agreed, 2 red against green): a prompt to discuss."""
        levels = [r.rag.level for r in self.ratings]
        return max(levels) - min(levels)


@dataclass(frozen=True, slots=True)
class FamilyScore:
    """A family's band and score at a meeting, with the policy that made them and the children behind them."""

    band: Band
    score: float | None
    policy: str
    policy_version: int
    children: tuple[ChildRating, ...]

    @property
    def ratings(self) -> tuple[Rating, ...]:
        return tuple(r for child in self.children for r in child.ratings)

    @property
    def components(self) -> dict[str, Any]:
        """The derivation as JSON-ready data, stored beside the score so anyone can check how it was reached."""
        ratings = self.ratings
        return {
            "policy": self.policy,
            "version": self.policy_version,
            "band_level": band_level(self.band) if ratings else None,
            "rating_count": len(ratings),
            "mean_severity": float(_mean_severity(ratings)) if ratings else None,
            "children": [
                {
                    "child_id": child.child_id,
                    "rating": child.rating.value,
                    "spread": child.spread,
                    "rating_count": len(child.ratings),
                    "ratings": {str(r.practitioner_id): r.rag.value for r in child.ratings},
                }
                for child in self.children
            ],
        }


def _mean_severity(ratings: Sequence[Rating]) -> Fraction:
    return sum((Fraction(r.rag.severity) for r in ratings), Fraction(0)) / len(ratings)


def _score(band: RAG, mean_severity: Fraction) -> float:
    """100/3 per band step plus 100/3 × mean severity, rounded half up to 2 places inside the band's range."""
    exact = Fraction(100, 3) * (band.level - 1 + mean_severity)
    low, high = _BAND_HUNDREDTHS[band]
    return min(max(math.floor(exact * 100 + Fraction(1, 2)), low), high) / 100


def score_family(ratings: Iterable[Rating], policy: str = DEFAULT_POLICY) -> FamilyScore:
    """Score a family from all its ratings at one meeting; the result does not depend on their order."""
    rule = get_policy(policy)
    ordered = sorted(ratings, key=lambda r: (r.child_id, r.practitioner_id))
    by_child: dict[int, list[Rating]] = {}
    for rating in ordered:
        given = by_child.setdefault(rating.child_id, [])
        if given and given[-1].practitioner_id == rating.practitioner_id:
            raise ValueError(
                f"Practitioner {rating.practitioner_id} rated child {rating.child_id} more than once at one meeting"
            )
        given.append(rating)
    children = tuple(
        ChildRating(child_id, rule.child_rating([r.rag for r in given]), tuple(given))
        for child_id, given in by_child.items()
    )
    if not children:
        return FamilyScore(Band.UNRATED, None, rule.name, rule.version, ())
    band = _most_severe([child.rating for child in children])
    return FamilyScore(Band.of(band), _score(band, _mean_severity(ordered)), rule.name, rule.version, children)
