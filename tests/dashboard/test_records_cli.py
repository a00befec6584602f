"""`fsdash backup`, `restore`, `sar` and `retention` on both databases: what they print, the files they write, and
refusals as one sentence with exit code 2 and nothing changed."""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from dashboard.cli import main
from db.migrate import upgrade
from db.models import Family
from db.records import backup as backup_module
from db.services.meetings import close_meeting
from db.session import reading, transaction
from tests.conftest import _recreate_postgres_database, scratch_postgres_url
from tests.db.factories import make_team
from tests.db.records.conftest import CLOSED_ON, Records, build_records

Fsdash = Callable[..., None]


@pytest.fixture
def records(engine: Engine) -> Records:
    return build_records(engine)


@pytest.fixture
def fsdash(db_url: str) -> Fsdash:
    def run(*args: str, url: str = db_url) -> None:
        main(["--database-url", url, *args])

    return run


def refused(fsdash: Fsdash, *args: str, capsys: pytest.CaptureFixture[str], **kwargs: str) -> str:
    with pytest.raises(SystemExit) as stopped:
        fsdash(*args, **kwargs)
    assert stopped.value.code == 2
    return capsys.readouterr().err


def test_backup_then_restore_into_an_empty_database_prints_what_each_holds(
    fsdash: Fsdash, db_url: str, records: Records, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "backup.file"
    fsdash("backup", str(target))
    out = capsys.readouterr().out
    assert f"Backed up to {target}" in out and "migration revision" in out
    assert "  family                            2" in out

    err = refused(fsdash, "backup", str(target), capsys=capsys)
    assert err == f"fsdash: {target} already exists. Choose a new file name: a backup never overwrites a file.\n"

    if db_url.startswith("sqlite"):
        empty = f"sqlite:///{tmp_path / 'restored.db'}"
    else:
        empty = scratch_postgres_url("cli")
        _recreate_postgres_database(empty)
    fsdash("restore", str(target), url=empty)
    out = capsys.readouterr().out
    assert "Restored backup.file" in out and "  family                            2" in out

    err = refused(fsdash, "restore", str(target), url=empty, capsys=capsys)
    assert "already holds data" in err and "--replace" in err


def test_without_pg_dump_the_command_to_run_is_printed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(backup_module.shutil, "which", lambda name: None)
    dump = tmp_path / "x.dump"
    with pytest.raises(SystemExit):
        main(["--database-url", "postgresql+psycopg://fsdash:s3cret@db.internal/fsdash", "backup", str(dump)])
    err = capsys.readouterr().err
    assert "PostgreSQL is backed up with pg_dump, which is not installed here" in err
    assert (
        f"pg_dump --format=custom --no-owner --no-privileges --file {tmp_path / 'x.dump'} --host db.internal "
        "--username fsdash --dbname fsdash" in err
    )
    assert "s3cret" not in err
    assert not (tmp_path / "x.dump").exists()


def test_sar_writes_a_pdf_and_a_zip_and_never_overwrites(
    fsdash: Fsdash, records: Records, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fsdash("sar", "--family", "F-77", "--output", str(tmp_path))
    out = capsys.readouterr().out
    [pdf] = tmp_path.glob("subject-access-family-F-77-*.pdf")
    [archive] = tmp_path.glob("subject-access-family-F-77-*.zip")
    assert str(pdf) in out and str(archive) in out
    assert pdf.read_bytes().startswith(b"%PDF")
    assert {pdf.stat().st_mode & 0o777, archive.stat().st_mode & 0o777} == {0o600}
    assert "ratings.csv" in zipfile.ZipFile(archive).namelist()

    err = refused(fsdash, "sar", "--family", "F-77", "--output", str(tmp_path), capsys=capsys)
    assert "already exists" in err
    err = refused(fsdash, "sar", "--child", "C-404", capsys=capsys)
    assert err.startswith("fsdash: No child has the case reference C-404.")


def test_retention_review_dry_run_and_apply(
    fsdash: Fsdash, engine: Engine, records: Records, capsys: pytest.CaptureFixture[str]
) -> None:
    due_day = CLOSED_ON.replace(year=CLOSED_ON.year + 2).isoformat()
    fsdash("retention", "show")
    assert "No retention rule has been set" in capsys.readouterr().out
    err = refused(fsdash, "retention", "apply", "--today", due_day, capsys=capsys)
    assert "No retention rule has been set yet, so nothing was anonymised" in err

    fsdash("retention", "set", "--years", "2")
    assert "Closed families are kept 2 years after closure" in capsys.readouterr().out
    fsdash("retention", "review", "--today", due_day)
    out = capsys.readouterr().out
    assert "1 closed family is due for anonymising:" in out and "F-77" in out and "Stevenage A" in out

    fsdash("retention", "apply", "--dry-run", "--today", due_day)
    out = capsys.readouterr().out
    assert "nothing was changed" in out and "  families                            1" in out
    with reading(engine) as s:
        assert s.scalar(select(Family.case_reference).where(Family.id == records.subject.family.id)) == "F-77"

    fsdash("retention", "apply", "--today", due_day)
    assert "  children                            2" in capsys.readouterr().out
    fsdash("retention", "review", "--today", due_day)
    assert "No closed family is due for anonymising." in capsys.readouterr().out


def test_an_older_sqlite_backup_is_upgraded_by_restore(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    old = tmp_path / "old.db"
    upgrade(f"sqlite:///{old}", "0002")
    main(["--database-url", f"sqlite:///{tmp_path / 'new.db'}", "restore", str(old)])
    assert "made at revision 0002; the database is now at" in capsys.readouterr().out


def test_records_supervision_writes_each_familys_record_and_the_manifest_of_a_closed_meeting(
    fsdash: Fsdash, engine: Engine, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with transaction(engine) as s:
        team = make_team(s)
    upload = tmp_path / "upload"
    upload.mkdir()
    err = refused(
        fsdash, "records", "supervision", "--meeting", str(team.meeting.id), "--to", str(upload), capsys=capsys
    )
    assert err == "fsdash: This meeting is still open: its records go to the case system once it has closed.\n"
    close_meeting(engine, team.manager, team.meeting.id)

    fsdash("records", "supervision", "--meeting", str(team.meeting.id), "--to", str(upload))

    out = capsys.readouterr().out
    assert f"Wrote 1 family's supervision records and the manifest to {upload}:" in out
    assert sorted(p.name for p in upload.iterdir()) == ["F-1.pdf", "manifest.csv", "manifest.json"]
    err = refused(fsdash, "records", "supervision", "--meeting", "999", "--to", str(upload), capsys=capsys)
    assert err == "fsdash: That meeting does not exist.\n"
