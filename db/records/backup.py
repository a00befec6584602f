"""Backups and restores that can be checked, on SQLite and PostgreSQL.

SQLite is copied with its online backup API, which reads one consistent snapshot while the app keeps saving (a
file copy could catch a page half-written, or miss what still sits in the WAL). The copy is written beside its
destination, checked (`PRAGMA integrity_check`, the migration revision, the rows of every table) and only then
renamed into place, so a failed backup never leaves a file that looks like a good one.

PostgreSQL is backed up by `pg_dump` (custom format), the tool its administrators already trust; the dump is then
read back with `pg_restore` to prove it can be listed and to count what it holds. The password never goes on a
command line: it is passed in the environment.

A restore only goes into an empty database unless the caller says `replace`, and then what is replaced is backed up
first. A backup from an older version is upgraded by the migrations after it is restored.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

from alembic import command as alembic_command
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, func, inspect, select, text
from sqlalchemy.engine import URL, make_url

from db.access import require_admin_or_command_line
from db.errors import InvalidInput, ServiceError
from db.migrate import alembic_config, current_revision, upgrade
from db.models import Base, User
from db.records.schema_check import ForeignSchema, SchemaRepair, repair_schema
from db.services.audit import record
from db.session import make_engine, reading, transaction
from db.settings import is_sqlite

SQLITE_MAGIC = b"SQLite format 3\x00"
PRIVATE_FILE = 0o600
PG_DUMP_MAGIC = b"PGDMP"
_COPY_START = re.compile(r"^COPY (?:\w+\.)?\"?(\w+)\"? ")


class BackupFailed(ServiceError):
    """The backup or restore could not be made or did not verify; nothing was replaced."""


@dataclass(frozen=True)
class Snapshot:
    """What a database or a backup file holds: its migration revision and the rows of each table."""

    revision: str | None
    counts: dict[str, int]

    @property
    def rows(self) -> int:
        return sum(self.counts.values())


@dataclass(frozen=True)
class BackupResult:
    path: Path
    kind: str
    """'sqlite' or 'pg_dump'"""
    snapshot: Snapshot
    sha256: str
    size: int
    checks: list[str] = field(default_factory=list)
    """what was verified, in words"""


@dataclass(frozen=True)
class RestoreResult:
    snapshot: Snapshot
    restored_revision: str | None
    """the revision the backup was made at (the database is upgraded from it to the current one)"""
    replaced_backup: Path | None
    """where what the restore replaced was backed up first (None: the database was empty)"""
    schema_repair: SchemaRepair = field(default_factory=SchemaRepair)
    """rules found in the backup that the migrations did not make (dropped) or that were missing (made again)"""


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


def known_revisions() -> set[str]:
    return {script.revision for script in ScriptDirectory.from_config(alembic_config("sqlite://")).walk_revisions()}


def database_snapshot(engine: Engine) -> Snapshot:
    """The configured database's revision and row counts, read in one transaction."""
    with reading(engine) as session:
        present = set(inspect(session.connection()).get_table_names())
        counts = {
            table.name: session.scalar(select(func.count()).select_from(table)) or 0
            for table in Base.metadata.sorted_tables
            if table.name in present
        }
        revision = None
        if "alembic_version" in present:
            revision = session.scalar(text("SELECT version_num FROM alembic_version"))
    return Snapshot(revision, counts)


def downgrade(database_url: str, revision: str) -> None:
    alembic_command.downgrade(alembic_config(database_url), revision)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _refuse_existing(path: Path) -> None:
    if path.exists():
        raise InvalidInput(f"{path} already exists. Choose a new file name: a backup never overwrites a file.")
    if not path.parent.is_dir():
        raise InvalidInput(f"The folder {path.parent} does not exist.")


def _private_empty_file(path: Path) -> None:
    """Create `path` empty and readable by this account only, before any data goes into it: a backup holds
    special-category data (SQLite and pg_dump both keep the mode of a file they write into)."""
    path.unlink(missing_ok=True)
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE))


def _partial(path: Path) -> Path:
    return path.with_name(f".{path.name}.partial")


# --- SQLite -------------------------------------------------------------------------------------------------------


def _sqlite_path(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise InvalidInput("An in-memory SQLite database cannot be backed up or restored.")
    return Path(database)


def sqlite_file_snapshot(path: Path) -> tuple[Snapshot, str]:
    """Open a SQLite file read-only and return what it holds and its integrity check result ('ok' when sound)."""
    with path.open("rb") as handle:
        if handle.read(len(SQLITE_MAGIC)) != SQLITE_MAGIC:
            raise BackupFailed(f"{path.name} is not a SQLite database file.")
    try:
        return _read_sqlite_file(path)
    except sqlite3.DatabaseError as exc:
        raise BackupFailed(f"{path.name} cannot be read as a SQLite database ({exc}).") from exc


def _read_sqlite_file(path: Path) -> tuple[Snapshot, str]:
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
        integrity = "; ".join(row[0] for row in conn.execute("PRAGMA integrity_check"))
        tables = [
            name
            for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
            if not name.startswith("sqlite_")
        ]
        revision = None
        if "alembic_version" in tables:
            found = conn.execute("SELECT version_num FROM alembic_version").fetchone()
            revision = found[0] if found else None
        known = {t.name for t in Base.metadata.sorted_tables}
        counts = {
            name: conn.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0]  # noqa: S608  (names from the file's own catalogue, checked against ours)
            for name in tables
            if name in known
        }
    return Snapshot(revision, counts), integrity


def _sqlite_copy(source: Path, target: Path, *, self_contained: bool) -> None:
    """Copy `source` into `target` with the online backup API in one step (one consistent snapshot). A backup file
    is made self-contained (no WAL beside it); a database restored into keeps its mode, as the app may have it
    open."""
    with (
        closing(sqlite3.connect(source, timeout=30)) as src,
        closing(sqlite3.connect(target, timeout=30)) as dst,
    ):
        src.backup(dst)
        if self_contained:
            dst.execute("PRAGMA journal_mode=DELETE")


def _verified_sqlite_backup(source: Path, destination: Path) -> BackupResult:
    partial = _partial(destination)
    _private_empty_file(partial)
    try:
        _sqlite_copy(source, partial, self_contained=True)
        snapshot, integrity = sqlite_file_snapshot(partial)
        if integrity != "ok":
            raise BackupFailed(f"The copy failed SQLite's integrity check ({integrity}); no backup was kept.")
        if snapshot.revision is None:
            raise BackupFailed("The copy holds no migration revision; no backup was kept.")
        os.replace(partial, destination)
    finally:
        partial.unlink(missing_ok=True)
    return BackupResult(
        destination,
        "sqlite",
        snapshot,
        _sha256(destination),
        destination.stat().st_size,
        [
            "SQLite online backup API (one consistent snapshot)",
            "PRAGMA integrity_check: ok",
            f"migration revision {snapshot.revision}",
            "rows counted in every table",
        ],
    )


# --- PostgreSQL ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PgCommand:
    """A pg_dump or pg_restore command line and the environment it needs (the password stays out of argv)."""

    argv: list[str]
    password: str | None

    def shown(self) -> str:
        """The command as a person would type it (the password is never shown: use PGPASSWORD or ~/.pgpass)."""
        return " ".join(_quoted(part) for part in self.argv)

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        if self.password:
            env["PGPASSWORD"] = self.password
        return env


def _quoted(part: str) -> str:
    return part if re.fullmatch(r"[\w@%+=:,./-]+", part) else "'" + part.replace("'", "'\\''") + "'"


def _connection_args(url: URL) -> list[str]:
    args = []
    if url.host:
        args += ["--host", url.host]
    if url.port:
        args += ["--port", str(url.port)]
    if url.username:
        args += ["--username", url.username]
    return args


def pg_dump_command(database_url: str, destination: Path) -> PgCommand:
    url = make_url(database_url)
    argv = ["pg_dump", "--format=custom", "--no-owner", "--no-privileges", "--file", str(destination)]
    return PgCommand([*argv, *_connection_args(url), "--dbname", url.database or ""], url.password)


def pg_restore_command(database_url: str, source: Path) -> PgCommand:
    url = make_url(database_url)
    argv = ["pg_restore", "--clean", "--if-exists", "--no-owner", "--no-privileges", "--single-transaction"]
    return PgCommand([*argv, *_connection_args(url), "--dbname", url.database or "", str(source)], url.password)


def _tool(name: str) -> str:
    """The full path of a PostgreSQL client tool (so the PATH is read once, here)."""
    found = shutil.which(name)
    if found is None:
        raise BackupFailed(f"{name} is not installed here: install the PostgreSQL client tools.")
    return found


def pg_tools_missing() -> list[str]:
    return [tool for tool in ("pg_dump", "pg_restore") if shutil.which(tool) is None]


def _run(command: PgCommand, what: str) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [_tool(command.argv[0]), *command.argv[1:]], env=command.env(), capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        # pg_dump's own message names the problem (server version, permissions); it carries no case data.
        detail = done.stderr.strip().splitlines()[-1] if done.stderr.strip() else f"exit code {done.returncode}"
        raise BackupFailed(f"{what} failed: {detail}")
    return done


def _dump_lines(path: Path) -> Iterator[str]:
    """The dump's data as SQL text (COPY blocks), streamed from pg_restore so a large dump is never held in memory."""
    with subprocess.Popen(
        [_tool("pg_restore"), "--data-only", "--file", "-", str(path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as process:
        assert process.stdout is not None
        yield from process.stdout
        _, error = process.communicate()
        if process.returncode != 0:
            raise BackupFailed(f"pg_restore could not read the dump: {error.strip() or process.returncode}")


def pg_dump_snapshot(path: Path) -> Snapshot:
    """List the dump with `pg_restore --list` (it fails on a damaged file), then read its data to count the rows
    of each table and find the migration revision."""
    with path.open("rb") as handle:
        if handle.read(len(PG_DUMP_MAGIC)) != PG_DUMP_MAGIC:
            raise BackupFailed(f"{path.name} is not a pg_dump file in custom format.")
    listing = _run(PgCommand(["pg_restore", "--list", str(path)], None), "Listing the dump")
    if "TABLE DATA" not in listing.stdout:
        raise BackupFailed("The dump lists no table data.")
    known = {t.name for t in Base.metadata.sorted_tables}
    counts: dict[str, int] = {}
    revision = None
    table: str | None = None
    for line in _dump_lines(path):
        if table is None:
            if match := _COPY_START.match(line):
                table = match.group(1)
                counts.setdefault(table, 0)
            continue
        if line.rstrip("\n") == "\\.":
            table = None
        elif table == "alembic_version":
            revision = line.rstrip("\n")
        else:
            counts[table] += 1
    return Snapshot(revision, {name: count for name, count in counts.items() if name in known})


def _verified_pg_backup(database_url: str, destination: Path) -> BackupResult:
    missing = pg_tools_missing()
    if missing:
        command = pg_dump_command(database_url, destination)
        raise BackupFailed(
            f"PostgreSQL is backed up with pg_dump, which is not installed here ({', '.join(missing)} missing). "
            f"Install the PostgreSQL client tools, or run this where they are: {command.shown()}"
        )
    partial = _partial(destination)
    _private_empty_file(partial)
    try:
        _run(pg_dump_command(database_url, partial), "pg_dump")
        shown = pg_dump_command(database_url, destination).shown()
        snapshot = pg_dump_snapshot(partial)
        if snapshot.revision is None:
            raise BackupFailed("The dump holds no migration revision; no backup was kept.")
        os.replace(partial, destination)
    finally:
        partial.unlink(missing_ok=True)
    return BackupResult(
        destination,
        "pg_dump",
        snapshot,
        _sha256(destination),
        destination.stat().st_size,
        [
            f"pg_dump, custom format, one consistent snapshot: {shown}",
            "pg_restore --list: readable",
            f"migration revision {snapshot.revision}",
            "rows counted in every table of the dump",
        ],
    )


# --- the services ---------------------------------------------------------------------------------------------------


def backup_database(database_url: str, actor: User | None, destination: Path) -> BackupResult:
    """Back up the database at `database_url` to a new file `destination`, verify it, and record the backup in
    the audit trail (file name, checksum, revision, counts: never the data)."""
    require_admin_or_command_line(actor)
    destination = destination.expanduser().resolve()
    _refuse_existing(destination)
    if is_sqlite(database_url):
        source = _sqlite_path(database_url)
        if not source.is_file():
            raise InvalidInput(f"There is no database at {source}: check DATABASE_URL or --database-url.")
        result = _verified_sqlite_backup(source, destination)
    else:
        result = _verified_pg_backup(database_url, destination)
    engine = make_engine(database_url)
    try:
        with transaction(engine) as session:
            record(
                session,
                actor,
                "records.backup",
                "database",
                None,
                after={
                    "file_name": destination.name,
                    "kind": result.kind,
                    "sha256": result.sha256,
                    "bytes": result.size,
                    "revision": result.snapshot.revision,
                    "counts": result.snapshot.counts,
                },
            )
    finally:
        engine.dispose()
    return result


def _backup_kind(path: Path) -> str:
    try:
        with path.open("rb") as handle:
            start = handle.read(len(SQLITE_MAGIC))
    except OSError as exc:
        raise InvalidInput(f"Cannot read {path}: {exc.strerror or exc}.") from None
    if start == SQLITE_MAGIC:
        return "sqlite"
    if start.startswith(PG_DUMP_MAGIC):
        return "pg_dump"
    raise InvalidInput(f"{path.name} is neither a SQLite backup nor a pg_dump file made by `fsdash backup`.")


SEEDED_TABLES = frozenset({"choice_item"})
"""Tables the migrations fill (the administrator's short lists, from risk.supervision.DEFAULT_CHOICES): a database
holding rows only there holds nothing of the council's, and a restore replaces them with the backup's."""


def _holds_data(snapshot: Snapshot) -> bool:
    return any(count for table, count in snapshot.counts.items() if table not in SEEDED_TABLES)


def restore_database(
    database_url: str, actor: User | None, source: Path, *, replace: bool = False, now: dt.datetime | None = None
) -> RestoreResult:
    """Restore the backup `source` into the database at `database_url`.

    Refused if the database holds any rows, unless `replace`: then it is first backed up beside the backup being
    restored (`<database name>.replaced-<time>.db` or `.dump`), so a restore over the wrong database can itself be
    undone. The backup must come from this kind of database and from a version of fsdash this one knows (its
    revision); an older one is upgraded by the migrations. The restore is recorded in the audit trail of the
    restored database.
    """
    require_admin_or_command_line(actor)
    source = source.expanduser().resolve()
    kind = _backup_kind(source)
    expected = "sqlite" if is_sqlite(database_url) else "pg_dump"
    if kind != expected:
        names = {"sqlite": "a SQLite backup", "pg_dump": "a PostgreSQL dump"}
        raise InvalidInput(
            f"{source.name} is {names[kind]}, but the database to restore into is "
            f"{'SQLite' if expected == 'sqlite' else 'PostgreSQL'}. Restore it into the same kind of database."
        )
    if kind == "sqlite":
        backup_snapshot, integrity = sqlite_file_snapshot(source)
        if integrity != "ok":
            raise BackupFailed(f"{source.name} fails SQLite's integrity check ({integrity}); nothing was restored.")
    else:
        if missing := pg_tools_missing():
            raise BackupFailed(f"Restoring a PostgreSQL dump needs {', '.join(missing)}, which is not installed here.")
        backup_snapshot = pg_dump_snapshot(source)
    if backup_snapshot.revision not in known_revisions():
        raise BackupFailed(
            f"{source.name} was made at database revision {backup_snapshot.revision}, which this version of fsdash "
            "does not know (a newer version made it?). Nothing was restored."
        )

    if kind == "sqlite":
        target = _sqlite_path(database_url)
        target.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix=".fsdash-restore-", dir=target.parent) as folder:
            work = Path(folder) / "restoring.db"
            _sqlite_copy(source, work, self_contained=True)
            repair = _upgraded_and_repaired(f"sqlite:///{work}", source, backup_snapshot.revision)
            replaced = _target_before_restore(
                database_url, actor, source, kind, replace, now or dt.datetime.now(dt.UTC)
            )
            _sqlite_copy(work, target, self_contained=False)
    else:
        replaced = _target_before_restore(database_url, actor, source, kind, replace, now or dt.datetime.now(dt.UTC))
        if current_revision(database_url) in known_revisions():
            downgrade(database_url, "base")  # drop the (empty or backed-up) schema through the migrations
        _run(pg_restore_command(database_url, source), "pg_restore")
        repair = _upgraded_and_repaired(database_url, source, backup_snapshot.revision, replaced=replaced)
    engine = make_engine(database_url)
    try:
        with transaction(engine) as session:
            record(
                session,
                None,  # the actor's account id belongs to the database that was replaced
                "records.restore",
                "database",
                None,
                after={
                    "file_name": source.name,
                    "sha256": _sha256(source),
                    "restored_by": actor.email if actor is not None else "command line",
                    "backup_revision": backup_snapshot.revision,
                    "replaced_backup": replaced.name if replaced else None,
                    "schema_removed": repair.removed,
                    "schema_recreated": repair.recreated,
                },
            )
        snapshot = database_snapshot(engine)
    finally:
        engine.dispose()
    return RestoreResult(snapshot, backup_snapshot.revision, replaced, repair)


def _upgraded_and_repaired(
    database_url: str, source: Path, revision: str | None, *, replaced: Path | None = None
) -> SchemaRepair:
    """Bring the restored copy to this version and its rules to the migrations' own (db.records.schema_check); a
    file that is not one of this product's databases, whatever revision it claims, is refused in words."""
    kept = f" The database it replaced was kept in {replaced.name}." if replaced else ""
    try:
        if current_revision(database_url) != head_revision():
            upgrade(database_url)
        return repair_schema(database_url, head_revision() or "head")
    except ForeignSchema as exc:
        raise BackupFailed(f"{source.name} cannot be restored: {exc}.{kept}") from None
    except Exception as exc:
        raise BackupFailed(
            f"{source.name} cannot be restored: it claims database revision {revision}, but the migrations could not "
            f"bring it to this version ({type(exc).__name__}), so it is not a database fsdash made.{kept}"
        ) from None


def _target_before_restore(
    database_url: str, actor: User | None, source: Path, kind: str, replace: bool, now: dt.datetime
) -> Path | None:
    """Check the target is empty, or back it up first when `replace` is given; returns that backup's path."""
    if kind == "sqlite" and not _sqlite_path(database_url).exists():
        return None
    engine = make_engine(database_url)
    try:
        current = database_snapshot(engine)
    finally:
        engine.dispose()
    if not _holds_data(current):
        return None
    if not replace:
        raise InvalidInput(
            f"The database already holds data ({current.rows:,} rows), so nothing was restored. Restore into an "
            "empty database, or use --replace to replace it (what it holds is backed up first)."
        )
    if kind == "sqlite":
        name, suffix = _sqlite_path(database_url).stem, ".db"
    else:
        name, suffix = make_url(database_url).database or "database", ".dump"
    kept = source.with_name(f"{name}.replaced-{now:%Y%m%dT%H%M%S}{suffix}")
    backup_database(database_url, actor, kept)
    return kept
