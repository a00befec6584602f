"""Turn an uploaded file into rows of cells, refusing anything that is not the CSV or Excel workbook it claims.

The checks are on the bytes, not the name: a PDF renamed .xlsx, an old .xls, or a binary file renamed .csv is
refused with a sentence saying what it looks like. Workbook cells holding formulas, and any text that a
spreadsheet would run as a formula (starting with =, +, - or @), are reported as problems of their cell: the
import never stores text that could run when the data is later exported to a spreadsheet.

Every file is bounded before it is parsed, so a small file cannot make the server spend minutes or gigabytes: at
most MAX_ROWS rows and MAX_COLUMNS columns; for a workbook, every part's unpacked size (MAX_PART_BYTES, and
MAX_UNPACKED_BYTES for all of them) and how much it unpacks compared with its packed size (MAX_RATIO) are checked
from the zip's directory before anything is unpacked, and the sheet's declared size is ignored.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from dataclasses import dataclass, field
from pathlib import PurePath
from xml.etree.ElementTree import ParseError

from openpyxl import load_workbook

from db.imports.columns import COLUMN_NAMES, REQUIRED
from db.imports.problems import FileRefused, Problem

MAX_BYTES = 50 * 1024 * 1024
MAX_ROWS = 20_000
"""Rows below the column names. A county's whole caseload is about 4,500 rows (one per child)."""
MAX_COLUMNS = 30
"""The format has 11 columns; spreadsheets may carry a few empty ones after them."""
MAX_PART_BYTES = 32 * 1024 * 1024
"""Unpacked size of any one part of a workbook: a 20,000-row caseload's sheet is about 10 MB."""
MAX_UNPACKED_BYTES = 64 * 1024 * 1024
MAX_RATIO = 100
"""How many times larger than packed a workbook part over 1 MB may unpack (real sheets: about 5 to 20 times)."""
_RATIO_FROM_BYTES = 1024 * 1024
MAX_PARTS = 1_000
_MAX_COMMAS_PER_LINE = 1_000
FORMULA_STARTS = ("=", "+", "-", "@")
Cell = str | dt.date | None

_SIGNATURES = (
    (b"%PDF", "a PDF document"),
    (b"\xd0\xcf\x11\xe0", "an old-style Excel (.xls) or Word file"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"PK\x03\x04", "a zip archive"),
)


@dataclass
class RawTable:
    """The file's rows by spreadsheet row number, cells keyed by column name. A cell already reported as a
    problem (a formula, dangerous text) is left out of `rows`, so later checks do not report it twice."""

    rows: list[tuple[int, dict[str, Cell]]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def _looks_like(data: bytes) -> str | None:
    return next((what for magic, what in _SIGNATURES if data.startswith(magic)), None)


def read_table(file_name: str, data: bytes) -> RawTable:
    """Read `data` (the bytes of `file_name`). Raises FileRefused when the file as a whole is unusable."""
    name = PurePath(file_name).name or "The file"
    if len(data) > MAX_BYTES:
        raise FileRefused(
            f"{name} is {len(data) / 1024 / 1024:.1f} MB; the largest file accepted is {MAX_BYTES // 1024 // 1024} "
            "MB. Split it into one file per team."
        )
    if not data.strip():
        raise FileRefused(f"{name} is empty: there is nothing to import.")
    suffix = PurePath(file_name).suffix.lower()
    if suffix == ".xlsx":
        header, body = _xlsx_rows(name, data)
    elif suffix == ".csv":
        header, body = _csv_rows(name, data)
    else:
        raise FileRefused(
            f"{name} is not a .csv or .xlsx file. Save the caseload from your spreadsheet as CSV or as an Excel "
            "workbook (.xlsx) and try again."
        )
    columns = _check_header(name, header)
    table = RawTable()
    for number, values in body:
        cells: dict[str, Cell] = {}
        reported = len(table.problems)
        if any(v not in (None, "") for v in values[len(columns) :]):
            table.problems.append(
                Problem(number, None, f"it has more cells than the {len(columns)} named columns; remove the extra ones")
            )
        for column, value in zip(columns, values, strict=False):
            if isinstance(value, _Formula):
                table.problems.append(
                    Problem(
                        number,
                        column,
                        f"the cell holds a formula ({_short(value.text)}); imports take values only "
                        "(copy the column, then paste it as values)",
                    )
                )
            elif isinstance(value, str) and value.strip().startswith(FORMULA_STARTS):
                table.problems.append(
                    Problem(
                        number,
                        column,
                        f"{_short(value.strip())!r} starts with {value.strip()[0]!r}, which a spreadsheet would run "
                        "as a formula; remove that character",
                    )
                )
            else:
                cells[column] = value
        if any(v not in (None, "") for v in cells.values()) or len(table.problems) > reported:
            table.rows.append((number, cells))
    if not table.rows:
        raise FileRefused(f"{name} has the column names but no rows below them: there is nothing to import.")
    return table


class _Formula:
    """A workbook cell that holds a formula rather than a value."""

    def __init__(self, text: str) -> None:
        self.text = text


def _short(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _plain(value: object) -> Cell | _Formula:
    """A workbook value as import text: whole numbers without '.0', dates as dates."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _xlsx_rows(name: str, data: bytes) -> tuple[list[Cell | _Formula], list[tuple[int, list[Cell | _Formula]]]]:
    if not data.startswith(b"PK\x03\x04"):
        looks = _looks_like(data)
        raise FileRefused(
            f"{name} is not an Excel workbook"
            + (f" (it looks like {looks})" if looks else "")
            + ". Open it in your spreadsheet and save it as .xlsx or .csv."
        )
    unreadable = FileRefused(
        f"{name} is not an Excel workbook that can be read (it may be another kind of file renamed .xlsx, or "
        "damaged). Open it in your spreadsheet and save it as .xlsx or .csv."
    )
    try:
        _check_unpacked_sizes(name, data)
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, ParseError) as exc:
        raise unreadable from exc
    try:
        sheet = book.worksheets[0]
        declared_rows, declared_columns = sheet.max_row or 0, sheet.max_column or 0  # from the sheet's own header
        if declared_rows > MAX_ROWS + 1:
            raise FileRefused(_too_many_rows(name))
        if declared_columns > MAX_COLUMNS:
            raise FileRefused(_too_many_columns(name, 1))
        sheet.reset_dimensions()  # a sheet may understate its size too: read it with our own bounds, not its claim
        rows = []
        for number, row in enumerate(sheet.iter_rows(max_col=MAX_COLUMNS + 1), start=1):
            if number > MAX_ROWS + 1:
                raise FileRefused(_too_many_rows(name))
            if len(row) > MAX_COLUMNS and row[MAX_COLUMNS].value not in (None, ""):
                raise FileRefused(_too_many_columns(name, number))
            values: list[Cell | _Formula] = []
            for cell in row[:MAX_COLUMNS]:
                if cell.data_type == "f":
                    values.append(_Formula(str(cell.value)))
                else:
                    values.append(_plain(cell.value))
            rows.append((number, values))
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, ParseError, AttributeError, TypeError) as exc:
        raise unreadable from exc
    finally:
        book.close()
    if not rows or all(v in (None, "") for v in rows[0][1]):
        raise FileRefused(f"{name} has nothing in its first row: it must hold the column names.")
    return rows[0][1], rows[1:]


def _too_many_rows(name: str) -> str:
    return (
        f"{name} has more than {MAX_ROWS:,} rows below the column names (empty rows count too); one import takes "
        f"at most {MAX_ROWS:,}. Delete empty rows at the end, or split the file into one file per team."
    )


def _too_many_columns(name: str, row: int) -> str:
    return (
        f"{name} has more than {MAX_COLUMNS} columns (from row {row}); the import format has {len(COLUMN_NAMES)}. "
        "Delete the extra columns and try again."
    )


def _check_unpacked_sizes(name: str, data: bytes) -> None:
    """Refuse a workbook that would unpack to far more than a caseload can be, reading only the zip's directory.

    The sizes in the directory also bound the unpacking itself: Python's zip reader never returns more bytes than a
    part declares, so a part cannot lie its way past these checks.
    """
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        parts = archive.infolist()
    if len(parts) > MAX_PARTS:
        raise FileRefused(f"{name} has {len(parts):,} parts inside it, far more than a workbook: it cannot be read.")
    too_big = FileRefused(
        f"{name} unpacks to far more data than a caseload of {MAX_ROWS:,} rows can hold, so it was not opened. "
        "Open it in your spreadsheet, keep only the caseload's columns and rows, save it as .xlsx and try again."
    )
    if sum(p.file_size for p in parts) > MAX_UNPACKED_BYTES:
        raise too_big
    for part in parts:
        if part.file_size > MAX_PART_BYTES:
            raise too_big
        if part.file_size > _RATIO_FROM_BYTES and part.file_size > MAX_RATIO * max(part.compress_size, 1):
            raise too_big


def _csv_rows(name: str, data: bytes) -> tuple[list[Cell | _Formula], list[tuple[int, list[Cell | _Formula]]]]:
    looks = _looks_like(data)
    if looks or b"\x00" in data:
        raise FileRefused(
            f"{name} is not a CSV text file"
            + (f" (it looks like {looks})" if looks else "")
            + ". Save the caseload from your spreadsheet as CSV (comma separated) and try again."
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")  # Excel on Windows saves "CSV" in this encoding
    for number, line in enumerate(io.StringIO(text, newline=""), start=1):  # before parsing: one row's width
        if line.count(",") > _MAX_COMMAS_PER_LINE:
            raise FileRefused(_too_many_columns(name, number))
    parsed = []
    try:
        for number, row in enumerate(csv.reader(io.StringIO(text, newline="")), start=1):
            if number > MAX_ROWS + 1:
                raise FileRefused(_too_many_rows(name))
            if len(row) > MAX_COLUMNS and any(cell.strip() for cell in row[MAX_COLUMNS:]):
                raise FileRefused(_too_many_columns(name, number))
            parsed.append(row[:MAX_COLUMNS])
    except csv.Error as exc:
        raise FileRefused(f"{name} is not a readable CSV file ({_short(str(exc), 80)}).") from exc
    if not parsed:
        raise FileRefused(f"{name} is empty: there is nothing to import.")
    return list(parsed[0]), [(number, list(row)) for number, row in enumerate(parsed[1:], start=2)]


def _column_name(value: object) -> str:
    return "_".join(str(value or "").strip().lower().replace("-", " ").split())


def _check_header(name: str, header: list[Cell | _Formula]) -> list[str]:
    columns = [_column_name(v) for v in header]
    while columns and not columns[-1]:
        columns.pop()  # spreadsheets often carry empty trailing columns
    unknown = [c or "(a column with no name)" for c in columns if c not in COLUMN_NAMES]
    missing = [c for c in COLUMN_NAMES if c in REQUIRED and c not in columns]
    twice = sorted({c for c in columns if c and columns.count(c) > 1})
    if missing or unknown or twice:
        parts = []
        if missing:
            parts.append("it has no column " + ", ".join(missing))
        if unknown:
            parts.append("it has columns an import does not know: " + ", ".join(dict.fromkeys(unknown)))
        if twice:
            parts.append("these columns appear twice: " + ", ".join(twice))
        raise FileRefused(
            f"{name} is not a caseload file in the import format: "
            + "; ".join(parts)
            + ". The first row must hold the column names of the import template ("
            + ", ".join(COLUMN_NAMES)
            + ")."
        )
    return columns
