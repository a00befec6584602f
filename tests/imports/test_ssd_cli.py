"""`fsdash import ssd`: from a draft mapping to a loaded caseload on the command line, with progress lines, the
changes in words, and every problem listed (exit code 2, nothing written)."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from dashboard.cli import main
from db.models import AuditEvent, Family
from db.session import reading
from tests.imports.ssd_extracts import MAPPING, base, write_extract


@pytest.fixture
def fsdash(db_url: str, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("DATABASE_URL", db_url)

    def run(*args: str) -> None:
        main(["--database-url", db_url, *args])

    return run


def families(engine: Engine) -> int:
    with reading(engine) as s:
        return s.scalar(select(func.count()).select_from(Family)) or 0


def test_write_mapping_starts_a_file_then_keeps_the_administrators_choices(
    fsdash,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],  # type: ignore[no-untyped-def]
) -> None:
    folder = write_extract(tmp_path / "ssd", base())
    mapping = tmp_path / "mapping.toml"

    fsdash("import", "ssd", "--from", str(folder), "--write-mapping", "--mapping", str(mapping))
    draft = mapping.read_text()
    assert '# "T1" = { team = "FS Oak", office = "North" }' in draft  # choosing teams is the administrator's call
    assert '"SW" = "social_worker"  # CHECK: guessed from Social Worker' in draft
    assert tomllib.loads(draft)["teams"] == {}

    mapping.write_text(
        draft.replace(
            '# "T1" = { team = "FS Oak", office = "North" }', '"T1" = { team = "Oak team", office = "North office" }'
        )
    )
    fsdash("import", "ssd", "--from", str(folder), "--write-mapping", "--mapping", str(mapping))
    again = tomllib.loads(mapping.read_text())
    assert again["teams"] == {"T1": {"team": "Oak team", "office": "North office"}}
    assert again["professionals"] == {"007": "", "008": ""}  # now the chosen team's professionals, to fill in
    assert (tmp_path / "mapping.toml.bak").exists()
    assert "Kept the previous mapping as mapping.toml.bak." in capsys.readouterr().out


def test_a_dry_run_says_what_would_change_and_writes_nothing(
    engine: Engine,
    fsdash,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],  # type: ignore[no-untyped-def]
) -> None:
    folder = write_extract(tmp_path / "ssd", base())
    mapping = tmp_path / "mapping.toml"
    mapping.write_text(MAPPING)

    fsdash("import", "ssd", "--from", str(folder), "--mapping", str(mapping), "--dry-run", "--create-accounts")

    out = capsys.readouterr().out
    assert "  Reading ssd_person: 1 of 7" in out
    assert "Dry run of ssd: nothing was written." in out
    assert "  Oak team: 1 family would be added, 0 updated and 0 closed." in out
    assert "  2 accounts would be created, inactive and without a password." in out
    assert families(engine) == 0

    fsdash("import", "ssd", "--from", str(folder), "--mapping", str(mapping), "--create-accounts")
    assert "Imported ssd:" in capsys.readouterr().out
    assert families(engine) == 1
    with reading(engine) as s:
        event = s.scalars(select(AuditEvent).where(AuditEvent.verb == "import")).one()
    assert event.actor_id is None and event.entity_type == "ssd_extract"


def test_every_problem_is_listed_and_nothing_is_written(
    engine: Engine,
    fsdash,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],  # type: ignore[no-untyped-def]
) -> None:
    tables = base()
    tables["ssd_person"][0]["pers_dob"] = "2018-02-30"
    tables["ssd_involvements"][0]["invo_involvement_end_date"] = "01/01/2020"
    folder = write_extract(tmp_path / "ssd", tables)
    mapping = tmp_path / "mapping.toml"
    mapping.write_text(MAPPING)

    with pytest.raises(SystemExit) as exit_code:
        fsdash("import", "ssd", "--from", str(folder), "--mapping", str(mapping))

    assert exit_code.value.code == 2
    err = capsys.readouterr().err
    assert "  ssd_person 00123, pers_dob: 2018-02-30 is not a date" in err
    assert "invo_involvement_end_date: 01/01/2020 is before the involvement started (05/01/2026)" in err
    assert "fsdash: Nothing was imported: the extract has 2 problem(s), listed above." in err
    assert families(engine) == 0


def test_without_a_mapping_it_says_how_to_start_one(
    fsdash,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],  # type: ignore[no-untyped-def]
) -> None:
    folder = write_extract(tmp_path / "ssd", base())
    with pytest.raises(SystemExit):
        fsdash("import", "ssd", "--from", str(folder))
    assert "start one from this extract with --write-mapping" in capsys.readouterr().err
