"""The ranked caseload as CSV and .xlsx, and the import template: words for bands and trends, and no cell that a
spreadsheet would run as a formula."""

from __future__ import annotations

import csv
import io
from dataclasses import replace

import pytest
from openpyxl import load_workbook
from sqlalchemy import Engine

from db.exports.caseload_files import COLUMNS, caseload_csv, caseload_xlsx
from db.exports.template import caseload_rows, rows_csv, rows_xlsx, template_csv, template_xlsx
from db.imports.columns import COLUMN_NAMES
from db.queries.caseload import ranked_caseload
from db.services.ratings import RatingEntry, save_ratings
from db.session import transaction
from risk.vocabulary import RAG
from tests.db.factories import Team1, make_team

HOSTILE = ["=cmd|' /C calc'!A0", "+1+1", "-2+3", "@SUM(A1)"]


@pytest.fixture
def team(engine: Engine) -> Team1:
    with transaction(engine) as s:
        team = make_team(s)
        team.social_worker.display_name = HOSTILE[0]
        team.child.first_name = HOSTILE[1]
        team.family.case_reference = HOSTILE[2]
        team.child.case_reference = HOSTILE[3]
    save_ratings(engine, team.mental_health, team.meeting.id, [RatingEntry(team.child.id, RAG.RED)])
    return team


def _csv(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def _starts_safely(value: object) -> bool:
    return not (isinstance(value, str) and value.startswith(("=", "+", "-", "@")))


def test_the_caseload_csv_has_words_for_band_and_trend_and_neutralised_cells(engine: Engine, team: Team1) -> None:
    _, entries = ranked_caseload(engine, team.manager, team.meeting.id)
    rows = _csv(caseload_csv(entries))
    assert rows[0] == COLUMNS
    record = dict(zip(COLUMNS, rows[1], strict=True))
    assert record["Band"] == "Red"
    assert record["Trend"] == "New"
    assert record["Flags"] == "1 rating missing"
    assert record["Case reference"] == "'" + HOSTILE[2]
    assert record["Social worker"] == "'" + HOSTILE[0]
    assert all(_starts_safely(v) for row in rows for v in row)


def test_the_caseload_workbook_colours_the_band_cell_and_keeps_its_word(engine: Engine, team: Team1) -> None:
    meeting, entries = ranked_caseload(engine, team.manager, team.meeting.id)
    sheet = load_workbook(io.BytesIO(caseload_xlsx(meeting, entries))).active
    header = [c.value for c in sheet[1]]
    assert header == COLUMNS
    band = sheet.cell(row=2, column=COLUMNS.index("Band") + 1)
    assert band.value == "Red"
    assert band.fill.fgColor.rgb.endswith("C62828")
    for row in sheet.iter_rows():
        for cell in row:
            assert cell.data_type != "f"
            assert _starts_safely(cell.value)


def test_the_template_has_every_column_and_one_example_row() -> None:
    rows = _csv(template_csv())
    assert rows[0] == list(COLUMN_NAMES)
    assert len(rows) == 2
    book = load_workbook(io.BytesIO(template_xlsx()))
    assert [c.value for c in book.worksheets[0][1]] == list(COLUMN_NAMES)
    assert [r[0].value for r in book["Columns"].iter_rows(min_row=2)] == list(COLUMN_NAMES)


def test_the_caseload_in_import_format_is_neutralised_too(engine: Engine, team: Team1) -> None:
    rows = caseload_rows(engine, None)
    assert all(_starts_safely(v) for row in _csv(rows_csv(rows)) for v in row)
    sheet = load_workbook(io.BytesIO(rows_xlsx(rows))).active
    assert all(_starts_safely(c.value) and c.data_type != "f" for row in sheet.iter_rows() for c in row)
    assert sheet.cell(row=2, column=1).value == "'" + HOSTILE[2]


def test_only_administrators_download_the_caseload_in_import_format(engine: Engine, team: Team1) -> None:
    from db.access import AccessDenied

    with pytest.raises(AccessDenied):
        caseload_rows(engine, team.manager)


def test_persistent_disagreement_has_its_own_column_in_both_files(engine: Engine, team: Team1) -> None:
    meeting, [entry] = ranked_caseload(engine, team.manager, team.meeting.id)
    entries = [replace(entry, persistent_disagreement=True), replace(entry, rank=2, persistent_disagreement=False)]
    column = COLUMNS.index("Persistent disagreement")

    assert [row[column] for row in _csv(caseload_csv(entries))] == ["Persistent disagreement", "Yes", ""]
    sheet = load_workbook(io.BytesIO(caseload_xlsx(meeting, entries))).active
    assert [sheet.cell(row=n, column=column + 1).value for n in (1, 2, 3)] == ["Persistent disagreement", "Yes", None]
