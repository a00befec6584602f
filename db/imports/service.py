"""Import the caseload from the council's own spreadsheet: all or nothing, in one transaction.

The monthly routine is to re-import an updated file: references already known are updated in place, new ones are
added, and (only when asked, with `close_missing`) open families of the imported teams that the file no longer
lists are closed. Nothing is ever deleted: a changed legal status ends the current period and starts a new one,
a practitioner no longer listed has their involvement ended, so ratings, scores and plans keep their history.

The file is read (`reading`) and its rows checked against the service's teams and people (`validation`) into the
import's plan without holding any lock, so ratings are saved meanwhile; the one writer (`writer`) applies it, and
refuses if the teams or accounts changed while the file was being checked.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import PurePath

from sqlalchemy import Engine

from db.access import require_admin_or_command_line
from db.errors import InvalidInput
from db.imports.directory import Directory, TeamInfo, read_directory
from db.imports.reading import read_table
from db.imports.summary import ImportSummary
from db.imports.validation import CASELOAD_FILE, check_rows
from db.imports.writer import Progress, Source, apply_plan
from db.models import User
from db.session import reading


def import_caseload(
    engine: Engine,
    actor: User | None,
    file_name: str,
    data: bytes,
    *,
    dry_run: bool = False,
    close_missing: bool = False,
    team: str | None = None,
    today: dt.date | None = None,
    progress: Progress | None = None,
) -> ImportSummary:
    """Check the whole file, then (unless `dry_run`) apply it; returns the counts.

    Raises FileRefused for a file that is not a caseload file and ImportRefused (with every problem) for rows
    that are wrong; in both cases nothing is written. Only administrators import; actor None is the command line.
    `team` limits the import to one team: every row must be for it, and `close_missing` closes only its families.
    """
    require_admin_or_command_line(actor)
    today = today or dt.date.today()
    report = progress or (lambda *_: None)
    table = read_table(file_name, data)
    with reading(engine) as session:
        directory = read_directory(session)
    only_team = _only_team(directory, team)
    report("Checking rows", 0, len(table.rows))
    plan = check_rows(table, directory, today, only_team)
    report("Checking rows", len(table.rows), len(table.rows))
    name = PurePath(file_name).name
    details = {"file_name": name, "team": only_team.name if only_team else None}
    source = Source(CASELOAD_FILE, name, hashlib.sha256(data).hexdigest(), len(table.rows), details)
    return apply_plan(
        engine,
        actor,
        plan,
        source,
        today=today,
        dry_run=dry_run,
        close_missing=close_missing,
        checked_against=directory,
        progress=report,
    )


def _only_team(directory: Directory, team: str | None) -> TeamInfo | None:
    if team is None:
        return None
    only_team = directory.teams.get(team.strip().lower())
    if only_team is None:
        raise InvalidInput(f"There is no team called {team!r}.")
    return only_team
