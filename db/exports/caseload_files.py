"""A meeting's ranked caseload as CSV and as an Excel workbook, for the team's own records and follow-up.

Bands and trends are written as words (the workbook also colours the band cell), so the file reads the same
printed in black and white. Persistent disagreement has a column of its own, so a team can sort or filter on it.
Every text cell is neutralised: names and explanations must never run as formulas.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill

from db.exports.cell_safety import neutralise_frame
from db.queries.caseload import CaseloadEntry, MeetingSummary
from risk.presentation import BAND_COLOUR, BAND_INK, trend_word

COLUMNS = [
    "Rank",
    "Case reference",
    "Family name",
    "Band",
    "Score",
    "Trend",
    "Flags",
    "Persistent disagreement",
    "Legal status",
    "Social worker",
    "Explanation",
]


def _argb(colour: str) -> str:
    """'#c62828' → 'FFC62828', the form openpyxl stores."""
    return "FF" + colour.lstrip("#").upper()


def _plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def flags(entry: CaseloadEntry) -> str:
    """The signals that put a family higher on the list, as words: 'Professionals disagree; 2 ratings missing'.

    Also used by the meeting record, which has no columns of its own for the flags."""
    words = []
    if entry.disagreement:
        words.append("Professionals disagree")
    if entry.persistent_disagreement:
        words.append("Persistent disagreement over recent meetings")
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
                e.display_name or "",
                e.band.label,
                round(e.score, 2) if e.score is not None else None,
                trend_word(e.trend),
                flags(e),
                "Yes" if e.persistent_disagreement else "",
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
    sheet = book.worksheets[0]  # a new workbook has one sheet (`active` is typed as maybe none)
    sheet.title = f"Caseload {meeting.held_on:%d-%m-%Y}"
    sheet.append(COLUMNS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    band_column = COLUMNS.index("Band") + 1
    for entry, values in zip(entries, frame.itertuples(index=False), strict=True):
        sheet.append([None if pd.isna(v) else v for v in values])
        band = sheet.cell(row=sheet.max_row, column=band_column)
        band.fill = PatternFill("solid", fgColor=_argb(BAND_COLOUR[entry.band]))
        band.font = Font(bold=True, color=_argb(BAND_INK[entry.band]))
    for letter, width in zip("ABCDEFGHIJK", (6, 16, 24, 14, 8, 10, 40, 14, 22, 22, 80), strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
