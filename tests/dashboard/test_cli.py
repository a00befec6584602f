"""What every `fsdash` command shares: a refusal is one sentence on standard error with exit code 2, whichever
command or service refused, and the package runs as `python -m dashboard.cli` as the browser tests start it."""

from __future__ import annotations

import subprocess
import sys

import pytest
from sqlalchemy import Engine

from dashboard.cli import main


def test_a_services_refusal_is_one_sentence_and_exit_code_2(
    engine: Engine, db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["--database-url", db_url, "scores", "rebuild", "--team", "No such team"])
    assert stopped.value.code == 2
    assert capsys.readouterr().err == "fsdash: There is no team called 'No such team'.\n"


def test_the_package_runs_as_a_module_with_the_same_commands() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "dashboard.cli", "--help"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    for command in ("db", "seed", "scores", "users", "import", "backup", "restore", "sar", "retention", "run"):
        assert f"    {command} " in done.stdout
