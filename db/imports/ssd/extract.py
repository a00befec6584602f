"""Read the SSD tables from where a council's data team puts them: a folder of CSV files named after the tables
(as the SSD's own export writes them), a .zip of that folder (the page's upload), or a database holding the tables.

Every cell is read as text, exactly: ids stay strings (`00123` is never `123`), runs of spaces (non-breaking ones
included) become one space, and an empty cell or the text `NULL` means missing. Column and table names are
matched in any capitals; tables and columns the import does not use are ignored. What is wrong with the extract
as a whole (a required table or column missing, an unreadable file) refuses it before anything else is looked at.
"""

from __future__ import annotations

import csv
import datetime as dt
import decimal
import hashlib
import io
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from sqlalchemy import MetaData, Table, create_engine, inspect, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from db.imports.problems import FileRefused
from db.imports.ssd.tables import TABLES, TableSpec

MAX_UNZIPPED_BYTES = 1024 * 1024 * 1024
"""A .zip may hold at most this much once unpacked (the upload itself is bounded by the page): a guard against a
small archive that unpacks to fill the disk."""

Cells = dict[str, str | None]
Progress = Callable[[str, int, int], None]


@dataclass
class Extract:
    """The SSD tables the import uses: per table, (row id, cells by lower-case column name) in extract order."""

    source: str
    """What was read, for the audit trail and the preview (a folder or file name, or a URL without password)."""
    sha256: str
    tables: dict[str, list[tuple[str, Cells]]] = field(default_factory=dict)

    def rows(self, table: str) -> list[tuple[str, Cells]]:
        return self.tables.get(table, [])

    @property
    def row_count(self) -> int:
        return sum(len(rows) for rows in self.tables.values())


def clean(value: object) -> str | None:
    """One cell as the import reads it: text with single spaces, dates as yyyy-mm-dd, None for missing."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        text = value.date().isoformat()
    elif isinstance(value, dt.date):
        text = value.isoformat()
    elif isinstance(value, float) and value.is_integer():
        text = str(int(value))
    elif isinstance(value, decimal.Decimal) and value == value.to_integral_value():
        text = str(value.quantize(decimal.Decimal(1)))
    elif isinstance(value, bytes):
        text = value.decode("utf-8", errors="replace")
    else:
        text = str(value)
    text = " ".join(text.split())
    return None if not text or text.upper() == "NULL" else text


def _column_name(value: str) -> str:
    return value.replace("\ufeff", "").strip().lower()


def _rows(
    spec: TableSpec, header: list[str], body: Iterable[tuple[int, Sequence[object]]], label: str
) -> list[tuple[str, Cells]]:
    """Rows of one table with the columns it uses; refuses a table missing a required column."""
    names = [_column_name(h) for h in header]
    missing = [c for c in spec.columns if c not in names]
    if missing:
        raise FileRefused(
            f"{spec.name} has no column {', '.join(missing)}. The import needs the SSD's own column names "
            f"(found: {', '.join(n for n in names if n) or 'none'})."
        )
    wanted = [(names.index(c), c) for c in spec.all_columns if c in names]
    rows = []
    for number, values in body:
        cells: Cells = {c: clean(values[i]) if i < len(values) else None for i, c in wanted}
        if not any(cells.values()):
            continue
        row_id = cells.get(spec.id_column) if spec.id_column else None
        rows.append((row_id or f"{label} {number}", cells))
    return rows


def _csv_table(spec: TableSpec, data: bytes) -> list[tuple[str, Cells]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")  # SQL Server Management Studio and Excel save this way
    if "\x00" in text[:4096]:
        raise FileRefused(f"{spec.name}.csv is not a CSV text file (it holds binary data).")
    try:
        parsed = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        raise FileRefused(f"{spec.name}.csv is not a readable CSV file ({exc}).") from exc
    if not parsed:
        raise FileRefused(f"{spec.name}.csv is empty: its first line must hold the column names.")
    return _rows(spec, parsed[0], enumerate(parsed[1:], start=2), "line")


def _from_files(source: str, files: dict[str, bytes], report: Progress) -> Extract:
    """`files` by lower-case table name. Tables are read in the specification's order."""
    missing = [name for name, spec in TABLES.items() if spec.required and name not in files]
    if missing:
        raise FileRefused(
            f"{source} has no {', '.join(f'{m}.csv' for m in missing)}. An SSD extract is a set of CSV files named "
            "after the SSD tables (ssd_person.csv, ssd_family.csv, ssd_professionals.csv, ssd_involvements.csv and "
            "the episode tables)."
        )
    digest = hashlib.sha256()
    extract = Extract(source=source, sha256="")
    present = [name for name in TABLES if name in files]
    for done, name in enumerate(present, start=1):
        digest.update(name.encode() + b"\x00" + hashlib.sha256(files[name]).digest())
        extract.tables[name] = _csv_table(TABLES[name], files[name])
        report(f"Reading {name}", done, len(present))
    extract.sha256 = digest.hexdigest()
    return extract


def read_folder(path: str | Path, progress: Progress | None = None) -> Extract:
    """A folder of CSV files named after the tables (ssd_person.csv, …; any capitals)."""
    folder = Path(path)
    if not folder.is_dir():
        raise FileRefused(f"{folder} is not a folder. Give the folder holding the SSD's CSV files.")
    files = {
        file.stem.lower(): file.read_bytes()
        for file in sorted(folder.iterdir())
        if file.is_file() and file.suffix.lower() == ".csv" and file.stem.lower() in TABLES
    }
    return _from_files(folder.name or str(folder), files, progress or (lambda *_: None))


def read_zip(file_name: str, data: bytes, progress: Progress | None = None) -> Extract:
    """A .zip holding the CSV files (at its top level or in one folder inside it)."""
    name = PurePosixPath(file_name).name or "The file"
    if not data.startswith(b"PK\x03\x04"):
        raise FileRefused(f"{name} is not a .zip file. Zip the folder of SSD CSV files and upload the .zip.")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise FileRefused(f"{name} is not a .zip file that can be opened (it may be damaged).") from exc
    with archive:
        members = {}
        for info in archive.infolist():
            member = PurePosixPath(info.filename)
            if info.is_dir() or member.suffix.lower() != ".csv" or member.name.startswith("._"):
                continue
            table = member.stem.lower()
            if table in TABLES:
                if table in members:
                    raise FileRefused(f"{name} holds {member.name} twice: keep one copy of each table's file.")
                members[table] = info
        unpacked = sum(info.file_size for info in members.values())
        if unpacked > MAX_UNZIPPED_BYTES:
            raise FileRefused(
                f"{name} unpacks to {unpacked / 1024**3:.1f} GB; at most {MAX_UNZIPPED_BYTES // 1024**3} GB is "
                "accepted. Import from the folder or the database with the command line instead."
            )
        files: dict[str, bytes] = {}
        for table, info in members.items():
            with archive.open(info) as member_file:
                content = member_file.read(info.file_size + 1)
            if len(content) > info.file_size:  # the archive lied about its size
                raise FileRefused(f"{name} is damaged: {info.filename} is not the size the archive says.")
            files[table] = content
    return _from_files(name, files, progress or (lambda *_: None))


def shown_url(url: str) -> str:
    """A database URL fit for screens and the audit trail: the password replaced by ***."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "(a database URL that could not be read)"


def read_database(url: str, schema: str | None = None, progress: Progress | None = None) -> Extract:
    """The tables from a database (any SQLAlchemy URL: SQL Server, PostgreSQL, SQLite…), in `schema` if given."""
    report = progress or (lambda *_: None)
    where = shown_url(url)
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise FileRefused(f"{where} is not a database URL.") from exc
    if parsed.get_backend_name() == "sqlite" and not Path(parsed.database or "").is_file():
        raise FileRefused(f"There is no SQLite database file at {parsed.database}.")  # rather than create one
    try:
        engine = create_engine(url)
    except (ArgumentError, ImportError) as exc:
        raise FileRefused(f"{where} is not a database URL this installation can use ({exc}).") from exc
    try:
        with engine.connect() as conn:
            found = {t.lower(): t for t in inspect(conn).get_table_names(schema=schema)}
            missing = [name for name, spec in TABLES.items() if spec.required and name not in found]
            if missing:
                place = f"schema {schema!r} of " if schema else ""
                raise FileRefused(
                    f"The {place}database {where} has no table {', '.join(missing)}. Give the schema the SSD "
                    "tables were created in with --schema."
                )
            digest = hashlib.sha256()
            extract = Extract(source=where + (f" (schema {schema})" if schema else ""), sha256="")
            present = [name for name in TABLES if name in found]
            for done, name in enumerate(present, start=1):
                table = Table(found[name], MetaData(), schema=schema, autoload_with=conn)
                columns = {c.name.lower(): c for c in table.columns}
                spec = TABLES[name]
                used = [c for c in spec.all_columns if c in columns]
                header = list(columns) if any(c not in columns for c in spec.columns) else used
                result = conn.execute(select(*(columns[c] for c in header)))
                body = [(n, list(values)) for n, values in enumerate(result, start=1)]
                extract.tables[name] = _rows(spec, header, body, "row")
                for row_id, cells in extract.tables[name]:
                    digest.update(repr((name, row_id, sorted(cells.items()))).encode())
                report(f"Reading {name}", done, len(present))
            extract.sha256 = digest.hexdigest()
            return extract
    except SQLAlchemyError as exc:
        raise FileRefused(
            f"The SSD tables could not be read from {where} ({exc.__class__.__name__}). Check the URL, that the "
            "database is reachable from here, and that the account may read the tables."
        ) from exc
    finally:
        engine.dispose()


def read_source(source: str, schema: str | None = None, progress: Progress | None = None) -> Extract:
    """`source` as the command line takes it: a database URL (it has '://'), a folder, or a .zip file."""
    if "://" in source:
        return read_database(source, schema, progress)
    path = Path(source)
    if path.is_file() and path.suffix.lower() == ".zip":
        return read_zip(path.name, path.read_bytes(), progress)
    return read_folder(path, progress)
