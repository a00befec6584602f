"""The Import page: upload, see every problem or the counts, confirm, and the caseload is imported."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import Engine, func, select

from db.models import AuditEvent, Family, User
from db.session import reading, transaction
from risk.vocabulary import Role
from tests.dashboard.conftest import PageRunner
from tests.dashboard.made_files import made_files_fixture  # noqa: F401 (a fixture)
from tests.db.factories import make_team
from tests.imports.conftest import csv_bytes, row


@pytest.fixture
def administrator(app_engine: Engine) -> User:
    with transaction(app_engine) as s:
        make_team(s)
        admin = User(display_name="Ada Admin", email="admin@example.org", role=Role.ADMINISTRATOR)
        s.add(admin)
    return admin


def _families(engine: Engine) -> int:
    with reading(engine) as s:
        return s.scalar(select(func.count()).select_from(Family)) or 0


def test_a_file_with_problems_lists_each_by_row_and_column_and_imports_nothing(
    run_page: PageRunner, app_engine: Engine, administrator: User
) -> None:
    at = run_page("import_caseload.py", administrator)
    data = csv_bytes([row(date_of_birth="31/02/2019"), row(family_reference="F-2", child_reference="F-1-1")])
    at.file_uploader[0].upload("caseload.csv", data, "text/csv")
    at.run()

    assert "has 2 problems" in at.error[0].value
    problems = at.dataframe[-1].value
    assert problems[["Row", "Column", "Problem"]].values.tolist()[0] == [2, "date_of_birth", "31/02/2019 is not a date"]
    assert "Import" not in [b.label for b in at.button]
    assert _families(app_engine) == 1


def test_the_list_of_problems_is_audited_when_made_and_safe_for_a_spreadsheet(
    run_page: PageRunner, app_engine: Engine, administrator: User, made_files: dict[str, Callable[[], bytes]]
) -> None:
    """The problems quote the uploaded rows (here a formula typed as a family reference): the CSV leaves the app
    like every other file, audited in the step that makes it, its cells unable to run in a spreadsheet."""
    at = run_page("import_caseload.py", administrator)
    data = csv_bytes([row(family_reference='=HYPERLINK("http://x")', date_of_birth="31/02/2019")])
    at.file_uploader[0].upload("caseload.csv", data, "text/csv")
    at.run()
    assert "Download the list of problems (CSV)" in [b.label for b in at.get("download_button")]
    assert _problem_downloads(app_engine) == []  # showing the button discloses nothing

    listed = made_files["import_problems_csv"]().decode("utf-8-sig")

    assert "=HYPERLINK" in listed and ",=HYPERLINK" not in listed and "\n=HYPERLINK" not in listed
    events = _problem_downloads(app_engine)
    assert len(events) == 1 and events[0][0] == administrator.id
    assert events[0][1]["file"] == "import-problems.csv" and events[0][1]["problems"] >= 2


def _problem_downloads(engine: Engine) -> list[tuple[int | None, dict[str, object]]]:
    with reading(engine) as s:
        return [
            (actor, after)
            for actor, after in s.execute(
                select(AuditEvent.actor_id, AuditEvent.after).where(
                    AuditEvent.verb == "download", AuditEvent.entity_type == "import_problems_csv"
                )
            )
        ]


def test_a_good_file_shows_the_counts_then_imports_on_confirmation(
    run_page: PageRunner, app_engine: Engine, administrator: User
) -> None:
    at = run_page("import_caseload.py", administrator)
    data = csv_bytes([row(), row(family_reference="F-2", child_reference="F-2-1")])
    at.file_uploader[0].upload("caseload.csv", data, "text/csv")
    at.run()

    counts = at.dataframe[-1].value
    assert counts.iloc[0].tolist() == ["Families", 1, 0, 0]
    assert _families(app_engine) == 1  # checking wrote nothing

    at.button(key="import-button").click().run()
    assert any("Tick the box" in w.value for w in at.warning)
    at.checkbox(key="import-sure").check()
    at.button(key="import-button").click().run()

    assert "1 family added, 0 updated, 0 closed; 1 child added" in at.success[0].value.replace("\\", "")
    assert _families(app_engine) == 2
    with reading(app_engine) as s:
        assert s.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.verb == "import")) == 1


def test_a_pdf_renamed_xlsx_is_refused_in_words(run_page: PageRunner, app_engine: Engine, administrator: User) -> None:
    at = run_page("import_caseload.py", administrator)
    at.file_uploader[0].upload("caseload.xlsx", b"%PDF-1.7 ...", "application/pdf")
    at.run()
    assert "is not an Excel workbook \\(it looks like a PDF document\\)" in at.error[0].value
    assert _families(app_engine) == 1


def test_people_other_than_administrators_are_refused(run_page: PageRunner, app_engine: Engine) -> None:
    with transaction(app_engine) as s:
        team = make_team(s)
    at = run_page("import_caseload.py", team.manager)
    assert "Only administrators" in at.error[0].value
    assert not at.file_uploader
