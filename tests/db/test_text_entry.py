"""Text is checked once, where it enters (import, admin forms, the command line's services, single sign-on): as
long as its column allows and free of control characters, with a sentence saying what is wrong. Text stored
before these checks never stops an export: control characters come out as U+FFFD, very long text is cut."""

from __future__ import annotations

import io
from collections.abc import Callable

import pytest
from openpyxl import load_workbook
from sqlalchemy import Engine, update

from db.errors import InvalidInput
from db.exports.caseload_files import caseload_csv, caseload_xlsx
from db.exports.meeting_record import meeting_record_pdf
from db.exports.template import caseload_rows, rows_xlsx
from db.imports import FileRefused, ImportRefused, import_caseload
from db.models import Child, User
from db.plain_text import printable, text_problem
from db.queries.caseload import ranked_caseload
from db.services import admin as admin_services
from db.services.accounts import create_user
from db.services.actions import add_action
from db.services.ratings import RatingEntry, save_ratings
from db.session import transaction
from risk.vocabulary import RAG, Role
from tests.db.factories import MEETING_DAY, Team1, make_team
from tests.imports.conftest import TODAY, csv_bytes, row

HOSTILE = {
    "a NUL byte": "Amy\x00",
    "a bell": "Amy\x07",
    "an escape": "Amy\x1b[31m",
    "a right-to-left override": "Amy\u202egpj.exe",
    "a line break in a name": "Amy\nSmith",
}


@pytest.fixture
def world(engine: Engine) -> tuple[User, Team1]:
    with transaction(engine) as s:
        team = make_team(s)
        administrator = User(display_name="Admin", email="admin@example.org", role=Role.ADMINISTRATOR)
        s.add(administrator)
    return administrator, team


@pytest.mark.parametrize("text", HOSTILE.values(), ids=HOSTILE.keys())
def test_text_with_control_characters_has_a_problem(text: str) -> None:
    problem = text_problem(text, limit=120)
    assert problem is not None and "control character" in problem


def test_plain_names_and_multiline_sentences_have_none() -> None:
    assert text_problem("Zoë O'Brien-Łukasz 👩‍👧", limit=120) is None  # accents, emoji joined with a ZWJ
    assert text_problem("First line.\nSecond line.", limit=1000, multiline=True) is None


def _entry_points(administrator: User, team: Team1) -> dict[str, Callable[[Engine, str], object]]:
    return {
        "account name": lambda e, t: create_user(
            e, administrator, email="new@example.org", display_name=t, role=Role.SOCIAL_WORKER, team_name="Stevenage A"
        ),
        "account email": lambda e, t: create_user(
            e, administrator, email=t + "@example.org", display_name="New", role=Role.SOCIAL_WORKER, team_name="x"
        ),
        "office name": lambda e, t: admin_services.add_office(e, administrator, t),
        "team name": lambda e, t: admin_services.add_team(e, administrator, t, team.team.office_id),
        "action": lambda e, t: add_action(
            e, team.manager, team.meeting.id, team.family.id, t, team.social_worker.id, MEETING_DAY
        ),
        "rating reason": lambda e, t: save_ratings(
            e, team.social_worker, team.meeting.id, [RatingEntry(child_id=team.child.id, rag=RAG.AMBER, rationale=t)]
        ),
    }


ENTRY_POINTS = ["account name", "account email", "office name", "team name", "action", "rating reason"]


def _cases() -> list[object]:
    """Every entry point with every bad text, except line breaks where they are allowed or tidied away: an action and
    a rating's reason are written in sentences, an office or team name's line breaks become single spaces, and an
    email with one is refused by the email rule."""
    texts = {**HOSTILE, "100,000 characters": "x" * 100_000}
    return [
        pytest.param(entry, text, id=f"{entry}-{name}")
        for entry in ENTRY_POINTS
        for name, text in texts.items()
        if not ("\n" in text and entry in ("action", "rating reason", "office name", "team name", "account email"))
    ]


@pytest.mark.parametrize(("entry", "text"), _cases())
def test_every_form_refuses_it_with_a_sentence(
    engine: Engine, world: tuple[User, Team1], entry: str, text: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        _entry_points(*world)[entry](engine, text)
    assert str(refused.value).endswith(".")
    assert "control character" in str(refused.value) or "characters" in str(refused.value)


@pytest.mark.parametrize("text", [v for k, v in HOSTILE.items() if "line break" not in k], ids=list(HOSTILE)[:4])
def test_an_import_names_the_cell(engine: Engine, world: tuple[User, Team1], text: str) -> None:
    administrator, _ = world
    data = csv_bytes([row(child_first_name=text)])
    if "\x00" in text:
        with pytest.raises(FileRefused, match="not a CSV text file"):
            import_caseload(engine, administrator, "c.csv", data, today=TODAY)
        return
    with pytest.raises(ImportRefused) as refused:
        import_caseload(engine, administrator, "c.csv", data, today=TODAY)
    assert [(p.row, p.column) for p in refused.value.problems] == [(2, "child_first_name")]
    assert "control character" in refused.value.problems[0].message


def test_a_nul_byte_after_the_first_4096_bytes_of_a_csv_is_refused(engine: Engine, world: tuple[User, Team1]) -> None:
    """It used to pass the file check, be stored on SQLite and crash the import on PostgreSQL."""
    administrator, _ = world
    rows = [row(family_reference=f"F-{n}", child_reference=f"F-{n}-1") for n in range(40)]
    data = csv_bytes(rows)
    assert len(data) > 4096
    data = data[:5000] + b"\x00" + data[5000:]
    with pytest.raises(FileRefused, match="not a CSV text file"):
        import_caseload(engine, administrator, "c.csv", data, today=TODAY)


def test_exports_never_fail_on_text_stored_before_the_checks(engine: Engine, world: tuple[User, Team1]) -> None:
    """Control characters (and, where the database lets them in, a 100,000-character name) already stored."""
    administrator, team = world
    with transaction(engine) as s:
        s.execute(update(Child).where(Child.id == team.child.id).values(first_name="Amy\x01\x1b"))
        if engine.dialect.name == "sqlite":  # PostgreSQL's varchar(120) never let one in
            s.execute(update(User).where(User.id == team.social_worker.id).values(display_name="W" * 100_000))
    meeting, entries = ranked_caseload(engine, team.manager, team.meeting.id)
    book = load_workbook(io.BytesIO(caseload_xlsx(meeting, entries)))
    assert book.active.max_row == 2
    assert caseload_csv(entries)
    assert meeting_record_pdf(engine, team.manager, team.meeting.id).startswith(b"%PDF")
    book = load_workbook(io.BytesIO(rows_xlsx(caseload_rows(engine, administrator))))
    assert book.active["F2"].value == printable("Amy\x01\x1b") == "Amy\ufffd\ufffd"
