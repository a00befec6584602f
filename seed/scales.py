"""How big each synthetic service is. `county` is modelled on Hertfordshire's Family Safeguarding service."""

from __future__ import annotations

from dataclasses import dataclass

TREES = (
    "Oak", "Ash", "Birch", "Beech", "Cedar", "Elm", "Hazel",
    "Holly", "Larch", "Maple", "Pine", "Rowan", "Willow", "Yew",
    "Alder", "Aspen", "Cherry", "Hawthorn", "Juniper", "Linden", "Poplar",
)  # fmt: skip


@dataclass(frozen=True)
class Scale:
    name: str
    offices: tuple[tuple[str, tuple[str, ...]], ...]
    """(office name, its team names)"""
    open_families_per_team: int
    """families open in each team at any one time, roughly"""
    meetings_per_team: int
    social_workers: tuple[int, int]
    """fewest and most social workers in a team (one of them a senior practitioner)"""
    family_support_workers: int = 2

    @property
    def team_count(self) -> int:
        return sum(len(teams) for _, teams in self.offices)


def _teams(names: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(f"{name} team" for name in names)


SCALES = {
    "demo": Scale(
        name="demo",
        offices=(("Riverside office", _teams(TREES[:3])),),
        open_families_per_team=20,
        meetings_per_team=12,
        social_workers=(4, 5),
    ),
    "county": Scale(
        name="county",
        offices=(
            ("North office", _teams(TREES[0:7])),
            ("East office", _teams(TREES[7:14])),
            ("West office", _teams(TREES[14:21])),
        ),
        open_families_per_team=43,
        meetings_per_team=24,
        social_workers=(5, 6),
    ),
}
