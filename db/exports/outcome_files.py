"""The outcomes a service lead sends to the council's performance team: the change against the baseline for every
area in scope, and the month-by-month figures behind it, as CSV and as an Excel workbook.

Only aggregates go in (the frames come from db.queries.outcomes, which returns no names or case references), and
every text cell is neutralised like any other export: team and office names were typed by an administrator.
"""

from __future__ import annotations

import io

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Font

from db.exports.cell_safety import csv_bytes, neutralise_frame

REPORT_HEADINGS = {
    "level": "Level",
    "area": "Area",
    "plan": "Plan",
    "baseline_month": "Baseline month",
    "latest_month": "Latest month",
    "children_at_baseline": "Children at baseline month end",
    "children_now": "Children at latest month end",
    "change": "Change",
    "change_percent": "Change (%)",
    "in_words": "In words",
    "child_days_in_latest_month": "Child-days on the plan in the latest month",
    "started_in_latest_month": "Started in the latest month",
}
MONTHLY_HEADINGS = {
    "level": "Level",
    "area": "Area",
    "month": "Month",
    "as_of": "Counted at",
    "status": "Plan",
    "children": "Children at the month end",
    "days": "Child-days in the month",
    "started": "Started in the month",
}


def _report(report: pd.DataFrame) -> pd.DataFrame:
    return report[list(REPORT_HEADINGS)].rename(columns=REPORT_HEADINGS)


def _monthly(totals: pd.DataFrame) -> pd.DataFrame:
    frame = totals[list(MONTHLY_HEADINGS)].copy()
    frame["month"] = pd.to_datetime(frame["month"]).dt.strftime("%m/%Y")
    frame["as_of"] = pd.to_datetime(frame["as_of"]).dt.strftime("%d/%m/%Y")
    return frame.rename(columns=MONTHLY_HEADINGS)


def outcomes_csv(report: pd.DataFrame) -> bytes:
    """The change against the baseline, one row per area and plan, as CSV for Excel."""
    return csv_bytes(_report(report))


def outcomes_xlsx(report: pd.DataFrame, totals: pd.DataFrame) -> bytes:
    """A workbook with two sheets: 'Against baseline' (as the CSV) and 'By month' (every area, month and plan:
    children at the month end, child-days and plans started), headings in bold and the first row frozen."""
    book = Workbook()
    first = book.active
    assert first is not None  # a new workbook always has one sheet
    for sheet, frame, title in (
        (first, _report(report), "Against baseline"),
        (book.create_sheet(), _monthly(totals), "By month"),
    ):
        sheet.title = title
        safe = neutralise_frame(frame)
        sheet.append(list(safe.columns))
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in safe.itertuples(index=False):
            sheet.append([None if pd.isna(v) else v for v in row])
        sheet.freeze_panes = "A2"
        for column, heading in zip(sheet.columns, safe.columns, strict=True):
            width = max([len(str(heading)), *(len(str(c.value or "")) for c in column)])
            sheet.column_dimensions[column[0].column_letter].width = min(60, width + 2)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
