"""The ranked caseload as a table, shared by the Meeting and Caseload pages, and the caseload filters.

Plain functions of the entries (no Streamlit), so what the page shows and what the CSV holds come from one frame.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import pandas as pd

from dashboard.components.family_card import band_style
from db.queries.caseload import CaseloadEntry
from risk.presentation import band_text, trend_text
from risk.vocabulary import Band, LegalStatus

UNRATED_ROW = "background-color: #e8e8e8; color: #000000; font-style: italic"
RANKING_COLUMNS = [
    "Rank",
    "Case",
    "Band",
    "Score",
    "Trend",
    "Disagree",
    "Over months",
    "Missing",
    "Drift",
    "Overdue",
    "Legal",
    "Social worker",
    "Why",
]


def ranking_table(
    entries: Sequence[CaseloadEntry], *, initials_only: bool = False
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(cells, styles) of the ranked caseload. Families nobody has rated keep their place (after amber) but
    their whole row is greyed and italic, so an unknown never passes for a quiet green. Each family is shown by
    its reference and name (its initials on a shared screen whose team asks for them)."""
    rows = [
        [
            e.rank,
            e.label(initials_only),
            band_text(e.band),
            f"{e.score:.2f}" if e.score is not None else "–",
            trend_text(e.trend),
            "⚠ Disagree" if e.disagreement else "",
            "🔁 Disagree" if e.persistent_disagreement else "",
            e.missing_ratings,
            "⏳ Drifting" if e.drifting else "",
            e.overdue_actions,
            e.legal_status.short if e.legal_status else "",
            e.social_worker or "",
            e.explanation,
        ]
        for e in entries
    ]
    cells = pd.DataFrame(rows, columns=RANKING_COLUMNS)
    styles = pd.DataFrame(
        [[UNRATED_ROW if e.band is Band.UNRATED else ""] * len(RANKING_COLUMNS) for e in entries],
        columns=RANKING_COLUMNS,
    )
    styles["Band"] = [band_style(e.band) for e in entries]
    return cells, styles


@dataclass(frozen=True)
class CaseloadFilter:
    """What the Caseload page narrows the list to. Empty choices mean 'all'."""

    bands: frozenset[Band] = field(default_factory=frozenset)
    legal_statuses: frozenset[LegalStatus] = field(default_factory=frozenset)
    social_worker: str | None = None
    disagreement_only: bool = False
    persistent_only: bool = False
    drifting_only: bool = False
    overdue_only: bool = False

    def keeps(self, e: CaseloadEntry) -> bool:
        return (
            (not self.bands or e.band in self.bands)
            and (not self.legal_statuses or e.legal_status in self.legal_statuses)
            and (self.social_worker is None or e.social_worker == self.social_worker)
            and (not self.disagreement_only or e.disagreement)
            and (not self.persistent_only or e.persistent_disagreement)
            and (not self.drifting_only or e.drifting)
            and (not self.overdue_only or e.overdue_actions > 0)
        )

    def describe(self) -> dict[str, object]:
        """The filter as plain values, for the audit record of a download."""
        return {
            "bands": sorted(b.value for b in self.bands),
            "legal_statuses": sorted(s.value for s in self.legal_statuses),
            "social_worker": self.social_worker is not None,
            "disagreement_only": self.disagreement_only,
            "persistent_only": self.persistent_only,
            "drifting_only": self.drifting_only,
            "overdue_only": self.overdue_only,
        }


def filtered(entries: Sequence[CaseloadEntry], chosen: CaseloadFilter) -> list[CaseloadEntry]:
    return [e for e in entries if chosen.keeps(e)]
