"""From the professionals' ratings at one meeting to each child's rating, the family's band and a 0–100 score.

The practice rule is "one red is a red": under the default `worst` policy one professional's concern is never
averaged away. The family's band comes from its children's ratings by the policy's family rule (the most severe
child's, under every rule so far); the score places the family inside its band by how severe all its ratings are,
so bands never overlap (every red family outscores every amber family) and a family with more concern inside its
band sits above one with less. A family nobody rated is `Band.UNRATED`, never green.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from risk.inputs import Rating
from risk.policies import DEFAULT_POLICY, get_policy
from risk.vocabulary import RAG, Band

_BAND_STEP = Fraction(100, len(RAG))
"""Each rated band's share of the 0–100 scale (a third, with red, amber and green)."""


def _hundredths(level: int) -> tuple[int, int]:
    """The band's range of scores in hundredths, one band's step each: (0, 3333), (3334, 6666), (6667, 10000)."""
    low = 0 if level == 1 else math.floor(_BAND_STEP * (level - 1) * 100) + 1
    high = 10000 if level == len(RAG) else math.floor(_BAND_STEP * level * 100)
    return low, high


# Scores are stored in hundredths. Each band keeps to its own range even after rounding, which only matters for
# families with thousands of ratings, where a score a hair above a boundary would otherwise round onto it.
_BAND_HUNDREDTHS = {rag: _hundredths(rag.level) for rag in RAG}


def band_level(band: Band) -> int:
    """A rated band's level, as its RAG's (green 1, amber 2, red 3); an unrated band has none."""
    return RAG(band.value).level


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
    """Exactly: each rating's severity is (level - 1) / (levels - 1), so the mean is one fraction of integers."""
    return Fraction(sum(r.rag.level for r in ratings) - len(ratings), (len(RAG) - 1) * len(ratings))


def _score(band: RAG, mean_severity: Fraction) -> float:
    """A band's step (100/3) per band below it plus a step × mean severity, rounded half up to 2 places inside the
    band's range."""
    exact = _BAND_STEP * (band.level - 1 + mean_severity)
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
    band = rule.family_rating([child.rating for child in children])
    return FamilyScore(Band.of(band), _score(band, _mean_severity(ordered)), rule.name, rule.version, children)
