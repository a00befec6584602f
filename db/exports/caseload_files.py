"""A meeting's ranked caseload as CSV and as an Excel workbook, for the team's own records and follow-up.

Bands and trends are written as words (the workbook also colours the band cell), so the file reads the same
printed in black and white. Every text cell is neutralised: names and explanations must never run as formulas.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill

from dashboard.risk.signals import Trend
from dashboard.risk.vocabulary import Band
from db.exports.cell_safety import neutralise_frame
from db.queries.caseload import CaseloadEntry, MeetingSummary

COLUMNS = [
    "Rank",
    "Case reference",
    "Band",
    "Score",
    "Trend",
    "Flags",
    "Legal status",
    "Social worker",
    "Explanation",
]
TREND_WORDS = {
    Trend.DETERIORATED: "Worse",
    Trend.IMPROVED: "Better",
    Trend.UNCHANGED: "Same",
    Trend.NEW: "New",
    Trend.NOT_RATED: "Not rated",
}
BAND_FILL = {Band.RED: "C62828", Band.AMBER: "EF8F00", Band.GREEN: "2E7D32", Band.UNRATED: "9E9E9E"}
"""The dashboard's band colours (hex RGB), with the text colour that keeps the word readable on each."""
BAND_INK = {Band.RED: "FFFFFF", Band.AMBER: "000000", Band.GREEN: "FFFFFF", Band.UNRATED: "000000"}


def trend_word(trend: str) -> str:
    return TREND_WORDS[Trend(trend)]


def _plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def flags(entry: CaseloadEntry) -> str:
    """The signals that put a family higher on the list, as words: 'Professionals disagree; 2 ratings missing'."""
    words = []
    if entry.disagreement:
        words.append("Professionals disagree")
    if entry.missing_ratings:
        words.append(_plural(entry.missing_ratings, "rating missing", "ratings missing"))
    if entry.drifting:
        words.append("Drifting (not rated for over 35 days)")
    if entry.overdue_actions:
        words.append(_plural(entry.overdue_actions, "overdue action", "overdue actions"))
    return "; ".join(words)


def caseload_frame(entries: Sequence[CaseloadEntry]) -> pd.DataFrame:
    """One row per family in rank order; the score as a number (empty when nobody has rated)."""
    return pd.DataFrame(
        [
            [
                e.rank,
                e.case_reference,
                e.band.label,
                round(e.score, 2) if e.score is not None else None,
                trend_word(e.trend),
                flags(e),
                e.legal_status.label if e.legal_status else "",
                e.social_worker or "",
                e.explanation,
            ]
            for e in entries
        ],
        columns=COLUMNS,
    )


def caseload_csv(entries: Sequence[CaseloadEntry]) -> bytes:
    return neutralise_frame(caseload_frame(entries)).to_csv(index=False).encode("utf-8-sig")


def caseload_xlsx(meeting: MeetingSummary, entries: Sequence[CaseloadEntry]) -> bytes:
    frame = neutralise_frame(caseload_frame(entries))
    book = Workbook()
    sheet = book.active
    sheet.title = f"Caseload {meeting.held_on:%d-%m-%Y}"
    sheet.append(COLUMNS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    band_column = COLUMNS.index("Band") + 1
    for entry, values in zip(entries, frame.itertuples(index=False), strict=True):
        sheet.append([None if pd.isna(v) else v for v in values])
        band = sheet.cell(row=sheet.max_row, column=band_column)
        band.fill = PatternFill("solid", fgColor=BAND_FILL[entry.band])
        band.font = Font(bold=True, color=BAND_INK[entry.band])
    for letter, width in zip("ABCDEFGHI", (6, 16, 14, 8, 10, 40, 22, 22, 80), strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
