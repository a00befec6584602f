"""How big each synthetic service is. `county` is modelled on Hertfordshire's Family Safeguarding service; `large`
is a service the size of the largest English county, kept for five years, to show the dashboard still answers
quickly when a service lead looks back over years of meetings."""

from __future__ import annotations

from dataclasses import dataclass

TREES = (
    "Oak", "Ash", "Birch", "Beech", "Cedar", "Elm", "Hazel",
    "Holly", "Larch", "Maple", "Pine", "Rowan", "Willow", "Yew",
    "Alder", "Aspen", "Cherry", "Hawthorn", "Juniper", "Linden", "Poplar",
)  # fmt: skip
MORE_TREES = (
    "Apple", "Blackthorn", "Box", "Buckthorn", "Cypress", "Damson", "Dogwood",
    "Elder", "Fir", "Gean", "Guelder", "Hornbeam", "Laburnum", "Laurel",
    "Lime", "Magnolia", "Medlar", "Mulberry", "Myrtle", "Olive", "Osier",
    "Pear", "Plane", "Plum", "Quince", "Redwood", "Sallow", "Service",
    "Spindle", "Spruce", "Sycamore", "Tamarisk", "Walnut", "Wayfaring", "Whitebeam",
    "Wingnut", "Wisteria", "Witch Hazel", "Yellowwood",
)  # fmt: skip
LARGE_OFFICES = ("North", "East", "South", "West", "Central", "Coast")
LARGE_TEAMS = TREES + MORE_TREES  # 60 names, ten to an office


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
    "large": Scale(
        name="large",
        offices=tuple(
            (f"{office} office", _teams(LARGE_TEAMS[10 * i : 10 * i + 10])) for i, office in enumerate(LARGE_OFFICES)
        ),
        open_families_per_team=41,  # about two children a family: some 5,000 children open at any one time
        meetings_per_team=60,  # five years
        social_workers=(5, 6),
    ),
}
