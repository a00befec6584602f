"""`fsdash import caseload FILE`: the command line acts as the system, prints counts, and lists every problem."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from dashboard.cli import main
from db.models import AuditEvent, Family
from db.session import reading
from tests.imports.conftest import Service, csv_bytes, database_picture, row


@pytest.fixture
def fsdash(db_url: str, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("DATABASE_URL", db_url)

    def run(*args: str) -> None:
        main(["--database-url", db_url, *args])

    return run


def test_a_dry_run_prints_the_counts_and_writes_nothing(
    engine: Engine,
    service: Service,
    fsdash,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],  # type: ignore[no-untyped-def]
) -> None:
    path = tmp_path / "caseload.csv"
    path.write_bytes(csv_bytes([row(), row(family_reference="F-2", child_reference="F-2-1")]))
    before = database_picture(engine)

    fsdash("import", "caseload", str(path), "--dry-run")

    out = capsys.readouterr().out
    assert "Dry run of caseload.csv: nothing was written." in out
    assert "families                1        0        0" in out
    assert database_picture(engine) == before


def test_an_import_is_recorded_as_the_system(
    engine: Engine,
    service: Service,
    fsdash,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],  # type: ignore[no-untyped-def]
) -> None:
    path = tmp_path / "caseload.csv"
    path.write_bytes(csv_bytes([row(family_reference="F-2", child_reference="F-2-1")]))

    fsdash("import", "caseload", str(path), "--close-missing", "--team", "Stevenage A")

    assert "Imported caseload.csv:" in capsys.readouterr().out
    with reading(engine) as s:
        event = s.scalars(select(AuditEvent).where(AuditEvent.verb == "import")).one()
        closed = s.scalar(select(Family.closed_on).where(Family.case_reference == "F-1"))
    assert event.actor_id is None
    assert event.after is not None and event.after["close_missing"] is True
    assert closed is not None


def test_problems_are_listed_and_the_command_fails(
    engine: Engine,
    service: Service,
    fsdash,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],  # type: ignore[no-untyped-def]
) -> None:
    path = tmp_path / "caseload.csv"
    path.write_bytes(csv_bytes([row(date_of_birth="31/02/2019"), row()]))

    with pytest.raises(SystemExit) as exit_code:
        fsdash("import", "caseload", str(path))

    err = capsys.readouterr().err
    assert exit_code.value.code == 2
    assert "  row 2, date_of_birth: 31/02/2019 is not a date" in err
    assert "  row 3: duplicate child reference F-1-1 (also on row 2)" in err
    assert "fsdash: Nothing was imported: caseload.csv has 2 problem(s), listed above." in err


def test_a_file_that_is_not_a_caseload_is_refused_in_one_sentence(
    engine: Engine,
    service: Service,
    fsdash,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],  # type: ignore[no-untyped-def]
) -> None:
    path = tmp_path / "caseload.xlsx"
    path.write_bytes(b"%PDF-1.4 not a workbook")
    with pytest.raises(SystemExit):
        fsdash("import", "caseload", str(path))
    assert "is not an Excel workbook (it looks like a PDF document)" in capsys.readouterr().err
