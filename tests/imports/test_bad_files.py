"""Every kind of bad file is refused with a message that says what to fix, and the database is left as it was."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from openpyxl import Workbook
from sqlalchemy import Engine

from db.imports import FileRefused, ImportRefused, import_caseload
from db.imports.columns import COLUMN_NAMES
from tests.imports.conftest import TODAY, Service, csv_bytes, database_picture, row


def xlsx_bytes(rows: list[list[object]]) -> bytes:
    book = Workbook()
    for r in rows:
        book.active.append(r)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def good_xlsx_row(**overrides: object) -> list[object]:
    values = row(**overrides)
    return [values[c] for c in COLUMN_NAMES]


@dataclass(frozen=True)
class Bad:
    name: str
    file_name: str
    data: Callable[[], bytes]
    message: str
    """The whole-file message (FileRefused), or one of the problems as shown (ImportRefused)."""
    whole_file: bool = False
    team: str | None = None


PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
CASES = [
    Bad("empty file", "caseload.csv", lambda: b"", "caseload.csv is empty: there is nothing to import.", True),
    Bad(
        "over 50 MB",
        "caseload.csv",
        lambda: csv_bytes([row()]) + b"x" * (50 * 1024 * 1024),
        "the largest file accepted is 50 MB",
        True,
    ),
    Bad(
        "a PDF renamed .xlsx",
        "caseload.xlsx",
        lambda: PDF,
        "is not an Excel workbook (it looks like a PDF document)",
        True,
    ),
    Bad(
        "a PDF renamed .csv", "caseload.csv", lambda: PDF, "is not a CSV text file (it looks like a PDF document)", True
    ),
    Bad(
        "a zip renamed .xlsx",
        "caseload.xlsx",
        lambda: b"PK\x03\x04" + b"\x00" * 100,
        "is not an Excel workbook that can be read",
        True,
    ),
    Bad("an .xls file", "caseload.xls", lambda: b"\xd0\xcf\x11\xe0rest", "is not a .csv or .xlsx file", True),
    Bad(
        "a missing column",
        "caseload.csv",
        lambda: csv_bytes([row()], [c for c in COLUMN_NAMES if c != "date_of_birth"]),
        "it has no column date_of_birth",
        True,
    ),
    Bad(
        "an unknown column",
        "caseload.csv",
        lambda: csv_bytes([row(dob="1/1/2019")], [*COLUMN_NAMES, "dob"]),
        "it has columns an import does not know: dob",
        True,
    ),
    Bad("column names only", "caseload.csv", lambda: csv_bytes([]), "has the column names but no rows", True),
    Bad(
        "a formula in a workbook cell",
        "caseload.xlsx",
        lambda: xlsx_bytes([list(COLUMN_NAMES), good_xlsx_row(child_first_name="=A1&B1")]),
        "row 2, child_first_name: the cell holds a formula (=A1&B1); imports take values only "
        "(copy the column, then paste it as values)",
    ),
    *[
        Bad(
            f"text starting with {start}",
            "caseload.csv",
            lambda start=start: csv_bytes([row(child_first_name=f"{start}cmd|' /C calc'!A0")]),
            f"row 2, child_first_name: \"{start}cmd|' /C calc'!A0\" starts with '{start}', which a spreadsheet "
            "would run as a formula; remove that character",
        )
        for start in "=+-@"
    ],
    Bad(
        "a date that does not exist",
        "caseload.csv",
        lambda: csv_bytes([row(date_of_birth="31/02/2019")]),
        "row 2, date_of_birth: 31/02/2019 is not a date",
    ),
    Bad(
        "a date in no format",
        "caseload.csv",
        lambda: csv_bytes([row(opened_on="5th Jan")]),
        "row 2, opened_on: '5th Jan' is not a date; write dates as dd/mm/yyyy (31/01/2019) or yyyy-mm-dd (2019-01-31)",
    ),
    Bad(
        "a date in the future",
        "caseload.csv",
        lambda: csv_bytes([row(legal_status_from="01/01/2027")]),
        "row 2, legal_status_from: 01/01/2027 is in the future",
    ),
    Bad(
        "a practitioner of no team here",
        "caseload.csv",
        lambda: csv_bytes([row(involved_practitioner_emails="sam.k@example.org")]),
        "row 2: practitioner sam.k@example.org is not a user of this team",
    ),
    Bad(
        "a duplicate child",
        "caseload.csv",
        lambda: csv_bytes([row(), row(child_first_name="Ben")]),
        "row 3: duplicate child reference F-1-1 (also on row 2)",
    ),
    Bad(
        "an unknown team",
        "caseload.csv",
        lambda: csv_bytes([row(team="Hitchin")]),
        "row 2, team: there is no team called 'Hitchin'; use a team name from the Admin page",
    ),
    Bad(
        "an unknown legal status",
        "caseload.csv",
        lambda: csv_bytes([row(legal_status="CPP")]),
        "row 2, legal_status: 'CPP' is not a legal status; use one of cin, cp, plo, care_proceedings, cla, closed "
        "(or their names, such as Child Protection plan)",
    ),
    Bad(
        "an empty required cell",
        "caseload.csv",
        lambda: csv_bytes([row(child_first_name="")]),
        "row 2, child_first_name: is empty",
    ),
    Bad(
        "family columns that disagree",
        "caseload.csv",
        lambda: csv_bytes([row(), row(child_reference="F-1-2", opened_on="06/01/2026")]),
        "row 3, opened_on: family F-1 has '06/01/2026' here but '05/01/2026' on row 2; a family's columns must be "
        "the same on every row of that family",
    ),
    Bad(
        "a closing date before the opening",
        "caseload.csv",
        lambda: csv_bytes([row(family_closed_on="01/01/2026")]),
        "row 2, family_closed_on: 01/01/2026 is before the case opened (05/01/2026)",
    ),
    Bad(
        "a mental health practitioner as the allocated worker",
        "caseload.csv",
        lambda: csv_bytes([row(allocated_social_worker_email="mh.stevenage-a@example.org")]),
        "row 2, allocated_social_worker_email: mh.stevenage-a@example.org is a mental health practitioner; a case "
        "is allocated to a social worker, senior practitioner or team manager",
    ),
    Bad(
        "a row for another team than the one imported",
        "caseload.csv",
        lambda: csv_bytes([row()]),
        "row 2, team: this import is for Stevenage B only, but the row is for Stevenage A",
        team="Stevenage B",
    ),
    Bad(
        "a child moved to another family",
        "caseload.csv",
        lambda: csv_bytes([row(family_reference="F-2")]),
        "row 2, child_reference: child F-1-1 is already recorded in another family; a child cannot move between "
        "families in an import (the file puts them in family F-2)",
    ),
    Bad(
        "a new plan starting before the current one",
        "caseload.csv",
        lambda: csv_bytes([row(legal_status="cin", legal_status_from="01/01/2026")]),
        "row 2, legal_status_from: the child's current plan (Child Protection plan) started on 05/01/2026; a new "
        "plan must start after 05/01/2026",
    ),
    Bad(
        "extra cells beyond the columns",
        "caseload.csv",
        lambda: csv_bytes([row()]).rstrip(b"\r\n") + b",surplus\r\n",
        "row 2: it has more cells than the 12 named columns; remove the extra ones",
    ),
]


@pytest.mark.parametrize("bad", CASES, ids=[c.name for c in CASES])
def test_a_bad_file_is_refused_and_nothing_changes(engine: Engine, service: Service, bad: Bad) -> None:
    if bad.team == "Stevenage B":
        from db.session import transaction
        from tests.db.factories import make_team

        with transaction(engine) as s:
            make_team(s, "Stevenage B", ref="F-9")
    before = database_picture(engine)
    expected = FileRefused if bad.whole_file else ImportRefused

    with pytest.raises(expected) as refused:
        import_caseload(engine, service.admin, bad.file_name, bad.data(), team=bad.team, today=TODAY)

    if bad.whole_file:
        assert bad.message in str(refused.value)
    else:
        assert bad.message in [str(p) for p in refused.value.problems]  # type: ignore[attr-defined]
        assert str(refused.value).startswith("Nothing was imported: the file has")
    assert database_picture(engine) == before


def test_every_problem_of_a_file_is_listed_at_once(engine: Engine, service: Service) -> None:
    data = csv_bytes(
        [
            row(date_of_birth="31/02/2019", involved_practitioner_emails="nobody@example.org"),
            row(child_reference="F-1-2", legal_status="unknown"),
            row(family_reference="F-5", child_reference="F-5-1", involved_practitioner_emails="nobody@example.org"),
        ]
    )
    with pytest.raises(ImportRefused) as refused:
        import_caseload(engine, service.admin, "caseload.csv", data, today=TODAY)
    assert [(p.row, p.column) for p in refused.value.problems] == [
        (2, None),
        (2, "date_of_birth"),
        (3, "involved_practitioner_emails"),  # differs from row 2 of the same family
        (3, "legal_status"),
        (4, None),
    ]
