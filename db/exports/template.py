"""Files in the caseload import format: the blank template (column names and one example row), and the caseload
as the database holds it now, so an administrator can download it, correct it in a spreadsheet and import it back.

Every text cell goes through `neutralise`: names and references come from people and other systems, and a cell
starting with = must never run as a formula in whoever opens the file.
"""

from __future__ import annotations

import datetime as dt
import io
from collections import defaultdict
from collections.abc import Sequence

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Font
from sqlalchemy import ColumnElement, Engine, and_, select
from sqlalchemy.orm import aliased

from db.access import require_admin_or_command_line, visible_families
from db.exports.cell_safety import neutralise
from db.imports.columns import COLUMN_NAMES, COLUMNS
from db.models import Child, Family, Involvement, LegalStatusPeriod, Team, User
from db.session import reading

Row = dict[str, str | dt.date | None]


def current_involvement(today: dt.date) -> ColumnElement[bool]:
    """Involvements still running today (not ended, or ending later): who works with the family now, as the
    import's file lists them."""
    return (Involvement.ended_on.is_(None)) | (Involvement.ended_on > today)


def example_rows() -> list[Row]:
    return [{c.name: c.example for c in COLUMNS}]


def caseload_rows(
    engine: Engine, actor: User | None, team_id: int | None = None, today: dt.date | None = None
) -> list[Row]:
    """Every family (open and closed) of one team, or of all teams, one row per child, in the import format.

    The legal status is each child's latest plan; the practitioners are those working with the family today.
    Administrators only (actor None is the command line).
    """
    require_admin_or_command_line(actor)
    today = today or dt.date.today()
    worker = aliased(User)
    with reading(engine) as session:
        scope = and_(Family.team_id == team_id if team_id is not None else Family.id.is_not(None), visible_families())
        families = session.execute(
            select(Family, Team.name, worker.email)
            .join(Team, Team.id == Family.team_id)
            .outerjoin(worker, worker.id == Family.social_worker_id)
            .where(scope)
            .order_by(Team.name, Family.case_reference)
        ).all()
        involved: dict[int, list[str]] = defaultdict(list)
        for family_id, email in session.execute(
            select(Involvement.family_id, User.email)
            .join(User, User.id == Involvement.practitioner_id)
            .join(Family, Family.id == Involvement.family_id)
            .where(scope, current_involvement(today))
            .order_by(User.email)
        ):
            involved[family_id].append(email)
        children: dict[int, list[Child]] = defaultdict(list)
        for child in session.scalars(
            select(Child).join(Family).where(scope).order_by(Child.date_of_birth, Child.case_reference)
        ):
            children[child.family_id].append(child)
        latest: dict[int, LegalStatusPeriod] = {}
        for period in session.scalars(
            select(LegalStatusPeriod).join(Child).join(Family).where(scope).order_by(LegalStatusPeriod.started_on)
        ):
            latest[period.child_id] = period
    rows: list[Row] = []
    for family, team, email in families:
        for child in children[family.id]:
            plan = latest.get(child.id)
            rows.append(
                {
                    "family_reference": family.case_reference,
                    "team": team,
                    "opened_on": family.opened_on,
                    "allocated_social_worker_email": email or "",
                    "child_reference": child.case_reference,
                    "child_first_name": child.first_name,
                    "date_of_birth": child.date_of_birth,
                    "legal_status": plan.status.value if plan else "",
                    "legal_status_from": plan.started_on if plan else None,
                    "involved_practitioner_emails": "; ".join(involved[family.id]),
                    "family_closed_on": family.closed_on,
                    "display_name": family.display_name or "",
                }
            )
    return rows


def _cell_text(value: object) -> object:
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    return neutralise("" if value is None else value)


def rows_csv(rows: Sequence[Row]) -> bytes:
    """UTF-8 with a byte-order mark, so Excel opens names with accents correctly; UK dates."""
    frame = pd.DataFrame([[_cell_text(r.get(c)) for c in COLUMN_NAMES] for r in rows], columns=list(COLUMN_NAMES))
    return frame.to_csv(index=False).encode("utf-8-sig")


def rows_xlsx(rows: Sequence[Row]) -> bytes:
    """A workbook whose first sheet is the import table (dates as real dates shown dd/mm/yyyy) and whose second
    sheet says what goes in each column."""
    book = Workbook()
    sheet = book.worksheets[0]  # a new workbook has one sheet (`active` is typed as maybe none)
    sheet.title = "Caseload"
    sheet.append(list(COLUMN_NAMES))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([_xlsx_value(row.get(c)) for c in COLUMN_NAMES])
    for sheet_column in sheet.iter_cols(min_row=2):
        for cell in sheet_column:
            if isinstance(cell.value, dt.date):
                cell.number_format = "DD/MM/YYYY"
    for letter, name in zip("ABCDEFGHIJKL", COLUMN_NAMES, strict=True):
        sheet.column_dimensions[letter].width = max(14, len(name) + 2)
    guide = book.create_sheet("Columns")
    guide.append(["column", "required", "what goes in it"])
    for cell in guide[1]:
        cell.font = Font(bold=True)
    for column in COLUMNS:
        guide.append([column.name, "yes" if column.required else "no (may be left out)", column.what])
    guide.column_dimensions["A"].width = 32
    guide.column_dimensions["C"].width = 120
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _xlsx_value(value: object) -> object:
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day)
    return neutralise("" if value is None else value) or None


def template_csv() -> bytes:
    return rows_csv(example_rows())


def template_xlsx() -> bytes:
    return rows_xlsx(example_rows())
