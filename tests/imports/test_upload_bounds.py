"""A small file must not cost minutes or gigabytes, and checking a file must not stop people saving ratings.

Each bomb the adversarial review built (a 1.7 KB workbook declaring A1:XFD1048576, a shared-strings bomb, a
100,000-row CSV, …) is refused before it is parsed, with a sentence, well inside generous time and memory bounds
(measured with tracemalloc; before the bounds these took up to 108 s and 7.6 GB). Checking a file and the dry run
hold no write lock: a write from elsewhere during them goes through at once.
"""

from __future__ import annotations

import io
import time
import tracemalloc
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from openpyxl import Workbook
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

import db.imports.service as import_service
import db.imports.writer as import_writer
from db.imports import FileRefused, import_caseload
from db.imports.columns import COLUMN_NAMES
from db.imports.reading import MAX_BYTES, MAX_COLUMNS, MAX_ROWS, read_table
from tests.imports.conftest import TODAY, Service, csv_bytes, row

SECONDS = 10.0
"""Processor seconds, generous: a refusal takes well under one; before the bounds these files took 55 to 108. Counted
as this process's CPU time, so other work on a busy machine cannot make the test fail."""
MEGABYTES = 100
"""Peak Python memory while refusing; before the bounds, gigabytes."""


def _workbook(**parts: bytes) -> bytes:
    """A real workbook with the import's column names, with some of its zip parts replaced or added."""
    book = Workbook()
    book.active.append(list(COLUMN_NAMES))
    plain = io.BytesIO()
    book.save(plain)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(plain.getvalue())) as source, zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            data = parts.pop(item.filename, source.read(item.filename))
            target.writestr(item.filename, data, compress_type=zipfile.ZIP_DEFLATED)
        for name, data in parts.items():
            target.writestr(name, data, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def _sheet(body: str, dimension: str = "A1:K1") -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f'<dimension ref="{dimension}"/><sheetData>{body}</sheetData></worksheet>'
    ).encode()


def _header_row() -> str:
    cells = "".join(
        f'<c r="{chr(65 + i)}1" t="inlineStr"><is><t>{name}</t></is></c>' for i, name in enumerate(COLUMN_NAMES)
    )
    return f'<row r="1">{cells}</row>'


def _dimension_bomb() -> bytes:
    return _workbook(**{"xl/worksheets/sheet1.xml": _sheet(_header_row(), dimension="A1:XFD1048576")})


def _shared_strings_bomb() -> bytes:
    strings = "<si><t>" + "A" * 10_000 + "</t></si>"
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">' + strings * 20_000 + "</sst>"
    )
    return _workbook(**{"xl/sharedStrings.xml": body.encode()})


def _many_rows_xlsx() -> bytes:
    rows = "".join(f'<row r="{n}"><c r="A{n}" t="inlineStr"><is><t>F-{n}</t></is></c></row>' for n in range(2, 100_002))
    return _workbook(**{"xl/worksheets/sheet1.xml": _sheet(_header_row() + rows, dimension="A1:A1")})


def _wide_row_xlsx() -> bytes:
    return _workbook(
        **{
            "xl/worksheets/sheet1.xml": _sheet(
                _header_row() + '<row r="2"><c r="XFD2" t="inlineStr"><is><t>x</t></is></c></row>', "A1:XFD2"
            )
        }
    )


def _broken_xml() -> bytes:
    return _workbook(**{"xl/worksheets/sheet1.xml": b"<worksheet><sheetData><row><c>"})


def _many_rows_csv() -> bytes:
    return csv_bytes([row(family_reference=f"F-{n}", child_reference=f"F-{n}-1") for n in range(100_000)])


def _wide_csv() -> bytes:
    return ",".join(COLUMN_NAMES).encode() + b"\n" + b"," * 5_000_000 + b"\n"


@dataclass(frozen=True)
class Bomb:
    name: str
    file_name: str
    make: Callable[[], bytes]
    says: str


BOMBS = [
    Bomb("a 5 KB workbook declaring A1:XFD1048576", "bomb.xlsx", _dimension_bomb, "more than 20,000 rows"),
    Bomb("a shared-strings bomb", "bomb.xlsx", _shared_strings_bomb, "unpacks to far more data"),
    Bomb("a workbook of 100,000 rows under a small dimension", "rows.xlsx", _many_rows_xlsx, "more than 20,000"),
    Bomb("a workbook with a cell in column XFD", "wide.xlsx", _wide_row_xlsx, f"more than {MAX_COLUMNS} columns"),
    Bomb("a workbook whose sheet is not XML", "broken.xlsx", _broken_xml, "not an Excel workbook that can be read"),
    Bomb("a CSV of 100,000 rows", "rows.csv", _many_rows_csv, f"more than {MAX_ROWS:,} rows"),
    Bomb("a CSV row of five million commas", "wide.csv", _wide_csv, f"more than {MAX_COLUMNS} columns"),
]


@pytest.mark.timeout(120)
@pytest.mark.parametrize("bomb", BOMBS, ids=[b.name for b in BOMBS])
def test_each_bomb_is_refused_quickly_and_in_little_memory(bomb: Bomb) -> None:
    data = bomb.make()
    assert len(data) < MAX_BYTES  # small enough to upload
    tracemalloc.start()
    started = time.process_time()
    try:
        with pytest.raises(FileRefused, match=bomb.says) as refused:
            read_table(bomb.file_name, data)
        elapsed = time.process_time() - started
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert str(refused.value).endswith("."), "a refusal is a sentence"
    assert elapsed < SECONDS, f"{bomb.name} took {elapsed:.1f} s of processor time"
    assert peak < MEGABYTES * 1024 * 1024, f"{bomb.name} peaked at {peak / 1024 / 1024:.0f} MB"


def test_a_full_sized_caseload_is_still_read() -> None:
    """The bounds leave room for the largest file the format allows: 20,000 rows, as CSV and as a workbook."""
    rows = [row(family_reference=f"F-{n}", child_reference=f"F-{n}-1") for n in range(MAX_ROWS)]
    assert len(read_table("big.csv", csv_bytes(rows)).rows) == MAX_ROWS
    book = Workbook()
    book.active.append(list(COLUMN_NAMES))
    for r in rows:
        book.active.append([r[c] for c in COLUMN_NAMES])
    out = io.BytesIO()
    book.save(out)
    assert len(read_table("big.xlsx", out.getvalue()).rows) == MAX_ROWS


# --- no write lock while checking ------------------------------------------------------------------------------


def _write_elsewhere(url: str) -> None:
    """Change the family row from another connection, giving up after half a second if it is locked."""
    if make_url(url).get_backend_name() == "sqlite":
        other = create_engine(url, connect_args={"timeout": 0.5})
        statements = ["UPDATE family SET opened_on = opened_on WHERE case_reference = 'F-1'"]
    else:
        other = create_engine(url)
        statements = [
            "SET LOCAL lock_timeout = '500ms'",
            "UPDATE family SET opened_on = opened_on WHERE case_reference = 'F-1'",
        ]
    try:
        with other.begin() as conn:
            for statement in statements:
                conn.execute(text(statement))
    finally:
        other.dispose()


@pytest.fixture
def writes_during(monkeypatch: pytest.MonkeyPatch, engine: Engine) -> list[str]:
    """Write from elsewhere right after the rows are checked and right after the changes are worked out."""
    done: list[str] = []
    url = engine.url.render_as_string(hide_password=False)

    def after(name: str, original: Callable[..., Any]) -> Callable[..., Any]:
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            result = original(*args, **kwargs)
            if name == "check_rows" or args[0].dry:  # the writer's families, worked out in a dry run
                _write_elsewhere(url)
                done.append(name)
            return result

        return wrapped

    monkeypatch.setattr(import_service, "check_rows", after("check_rows", import_service.check_rows))
    monkeypatch.setattr(import_writer._Writer, "families", after("families", import_writer._Writer.families))
    return done


def _changed_file() -> bytes:
    """F-1 with a new social worker and a second child: the import changes the family's row."""
    return csv_bytes(
        [
            row(allocated_social_worker_email="tm.stevenage-a@example.org"),
            row(
                allocated_social_worker_email="tm.stevenage-a@example.org",
                child_reference="F-1-2",
                child_first_name="Ben",
            ),
        ]
    )


def test_a_dry_run_holds_no_lock_while_it_checks_and_works_out_the_changes(
    engine: Engine, service: Service, writes_during: list[str]
) -> None:
    summary = import_caseload(engine, service.admin, "f.csv", _changed_file(), dry_run=True, today=TODAY)
    assert summary.families.updated == 1 and summary.children.created == 1
    assert writes_during == ["check_rows", "families"]  # both writes from elsewhere went through


def test_an_import_holds_no_lock_while_it_checks_the_rows(
    engine: Engine, service: Service, writes_during: list[str]
) -> None:
    summary = import_caseload(engine, service.admin, "f.csv", _changed_file(), today=TODAY)
    assert summary.children.created == 1
    assert writes_during == ["check_rows"]
