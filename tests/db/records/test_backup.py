"""Backup and restore on both databases: a backup taken while ten professionals are saving ratings restores to one
consistent moment (every saved rating with its audit events, no family half saved), a restore never lands on data
without keeping it first, and a damaged or foreign file is refused with nothing changed."""

from __future__ import annotations

import datetime as dt
import itertools
import sqlite3
import threading
from collections import defaultdict
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import Engine, select, text
from sqlalchemy.exc import DBAPIError

from db.access import AccessDenied
from db.errors import InvalidInput
from db.migrate import upgrade
from db.models import AuditEvent, Child, Family, Involvement, Meeting, Office, Rating, SupervisionUpdate, Team, User
from db.records.backup import (
    BackupFailed,
    Snapshot,
    backup_database,
    database_snapshot,
    head_revision,
    pg_dump_command,
    restore_database,
)
from db.records.schema_check import repair_schema
from db.services.ratings import RatingEntry, save_family_form
from db.services.supervision import UpdateEntry
from db.session import make_engine, reading, transaction
from risk.supervision import default_choice_rows
from risk.vocabulary import RAG, MeetingStatus, Role
from tests.conftest import _recreate_postgres_database, scratch_postgres_url
from tests.db.factories import MEETING_DAY

PROFESSIONALS = 10
FAMILIES = 3
CHILDREN = 2
SAVES_BEFORE_BACKUP = 3
MAX_SAVES = 50_000  # a bound far beyond any backup's duration, so a broken test stops instead of running forever
COLOURS = (RAG.RED, RAG.AMBER, RAG.GREEN)


@dataclass
class Busy:
    meeting_id: int
    people: list[User]
    families: dict[int, list[int]]
    """family id → its children's ids"""


def busy_team(engine: Engine) -> Busy:
    """One team whose ten professionals all work with three families of two children, at an open meeting."""
    with transaction(engine) as s:
        team = Team(name="Busy", office=Office(name="North"))
        people = [
            User(display_name=f"Worker {i}", email=f"w{i}@example.org", role=Role.SOCIAL_WORKER, team=team)
            for i in range(PROFESSIONALS)
        ]
        families = []
        for f in range(FAMILIES):
            family = Family(team=team, case_reference=f"F-{f}", opened_on=dt.date(2026, 1, 5))
            for c in range(CHILDREN):
                s.add(
                    Child(
                        family=family,
                        case_reference=f"F-{f}-{c}",
                        first_name=f"Child {c}",
                        date_of_birth=dt.date(2018, 1, 1),
                    )
                )
            s.add_all(Involvement(family=family, practitioner=p, started_on=dt.date(2026, 1, 5)) for p in people)
            families.append(family)
        meeting = Meeting(team=team, held_on=MEETING_DAY, status=MeetingStatus.OPEN)
        s.add_all([*people, meeting])
        s.flush()
        return Busy(meeting.id, people, {f.id: [c.id for c in f.children] for f in families})


def save_until_stopped(
    engine: Engine,
    busy: Busy,
    person: User,
    ready: threading.Barrier,
    stop: threading.Event,
    errors: list[BaseException],
) -> None:
    """Save a whole family at a time, a new colour for every child and a new update each time, until told to stop."""
    versions: dict[int, int | None] = defaultdict(lambda: None)
    update_versions: dict[int, int | None] = defaultdict(lambda: None)
    families = itertools.cycle(busy.families.items())
    try:
        for save in range(MAX_SAVES):
            family_id, child_ids = next(families)
            colour = COLOURS[(save // FAMILIES) % len(COLOURS)]
            entries = [RatingEntry(c, colour, f"save {save}", expected_version=versions[c]) for c in child_ids]
            update = UpdateEntry(family_id, f"save {save}", expected_version=update_versions[family_id])
            saved = save_family_form(engine, person, busy.meeting_id, entries, update)
            for rating in saved.ratings:
                versions[rating.child_id] = rating.version
            assert saved.update is not None
            update_versions[family_id] = saved.update.version
            if save + 1 == SAVES_BEFORE_BACKUP:
                ready.wait()
            if save + 1 > SAVES_BEFORE_BACKUP and stop.is_set():
                return
        raise AssertionError("the backup never finished")
    except BaseException as exc:
        errors.append(exc)
        ready.abort()


def assert_consistent(engine: Engine, busy: Busy) -> None:
    """Every saved rating has exactly one audit event per version, the last one matching it; every professional's
    save of a family is whole (all its children at the same version and colour)."""
    with reading(engine) as s:
        ratings = s.scalars(select(Rating)).all()
        updates = s.scalars(select(SupervisionUpdate)).all()
        events: dict[str, list[AuditEvent]] = defaultdict(list)
        for event in s.scalars(select(AuditEvent).where(AuditEvent.entity_type == "rating").order_by(AuditEvent.id)):
            events[event.entity_id or ""].append(event)
    assert len(ratings) >= PROFESSIONALS * CHILDREN
    family_of = {child: family for family, children in busy.families.items() for child in children}
    saves: dict[tuple[int, int], set[tuple[int, RAG]]] = defaultdict(set)
    for rating in ratings:
        history = events[str(rating.id)]
        assert [e.after["version"] for e in history] == list(range(1, rating.version + 1)), rating.id
        assert history[-1].after["rag"] == rating.rag.value
        saves[(rating.practitioner_id, family_of[rating.child_id])].add((rating.version, rating.rag))
    assert all(len(states) == 1 for states in saves.values()), "a family was half saved"
    assert len(events) == len(ratings), "an audit event for a rating that is not there"
    # each professional's update was saved with their ratings of the family, in the same transactions
    assert len(updates) == len(saves)
    for update in updates:
        [(version, _)] = saves[(update.author_id, update.family_id)]
        assert update.version == version, "an update and its ratings from different saves"


@pytest.fixture
def restore_url(db_url: str, tmp_path: Path) -> Iterator[str]:
    """An empty database of the same kind to restore into, migrated as `fsdash db upgrade` leaves a new one."""
    if db_url.startswith("sqlite"):
        restored = f"sqlite:///{tmp_path / 'restored.db'}"
    else:
        restored = scratch_postgres_url("restored")
        _recreate_postgres_database(restored)
    upgrade(restored)
    yield restored


def test_a_backup_taken_while_ten_professionals_save_restores_to_one_consistent_moment(
    engine: Engine, db_url: str, restore_url: str, tmp_path: Path
) -> None:
    busy = busy_team(engine)
    ready = threading.Barrier(PROFESSIONALS + 1)
    stop = threading.Event()
    errors: list[BaseException] = []
    threads = [
        threading.Thread(target=save_until_stopped, args=(engine, busy, person, ready, stop, errors))
        for person in busy.people
    ]
    for thread in threads:
        thread.start()
    try:
        ready.wait()  # every professional has saved; they go on saving while the backup runs
        backup = backup_database(db_url, None, tmp_path / "backup.file")
    finally:
        stop.set()
        for thread in threads:
            thread.join()
    assert errors == []

    restored = restore_database(restore_url, None, backup.path)

    assert restored.snapshot.revision == head_revision() and restored.replaced_backup is None
    expected = backup.snapshot.counts | {"audit_event": backup.snapshot.counts["audit_event"] + 1}  # + the restore
    assert restored.snapshot.counts == expected
    assert backup.snapshot.counts["rating"] >= PROFESSIONALS * CHILDREN
    copy = make_engine(restore_url)
    try:
        assert_consistent(copy, busy)
    finally:
        copy.dispose()
    assert_consistent(engine, busy)  # and the live database kept everything saved after the backup
    assert database_snapshot(engine).counts["audit_event"] > backup.snapshot.counts["audit_event"]


def test_a_backup_is_recorded_with_its_checksum_and_never_overwrites_a_file(
    engine: Engine, db_url: str, tmp_path: Path
) -> None:
    busy_team(engine)
    with transaction(engine) as s:
        admin = User(display_name="Ada Admin", email="admin@example.org", role=Role.ADMINISTRATOR)
        s.add(admin)
    result = backup_database(db_url, admin, tmp_path / "backup.file")
    with reading(engine) as s:
        event = s.scalars(select(AuditEvent).where(AuditEvent.verb == "records.backup")).one()
    assert event.actor_id == admin.id
    assert event.after["sha256"] == result.sha256 and event.after["file_name"] == "backup.file"
    assert event.after["counts"]["family"] == FAMILIES

    assert result.path.stat().st_mode & 0o777 == 0o600  # special-category data: this account only
    kept = result.path.read_bytes()
    with pytest.raises(InvalidInput, match="already exists"):
        backup_database(db_url, admin, result.path)
    assert result.path.read_bytes() == kept


def test_only_an_administrator_or_the_command_line_backs_up_or_restores(
    engine: Engine, db_url: str, tmp_path: Path
) -> None:
    busy = busy_team(engine)
    with pytest.raises(AccessDenied):
        backup_database(db_url, busy.people[0], tmp_path / "backup.file")
    with pytest.raises(AccessDenied):
        restore_database(db_url, busy.people[0], tmp_path / "backup.file")
    assert not (tmp_path / "backup.file").exists()


def test_a_restore_over_data_is_refused_unless_replace_and_then_the_data_is_kept_first(
    engine: Engine, db_url: str, restore_url: str, tmp_path: Path
) -> None:
    busy_team(engine)
    backup = backup_database(db_url, None, tmp_path / "backup.file")
    restore_database(restore_url, None, backup.path)
    target = make_engine(restore_url)
    try:
        with transaction(target) as s:
            s.add(Office(name="Added after the backup"))
        before = database_snapshot(target)

        with pytest.raises(InvalidInput, match="already holds data"):
            restore_database(restore_url, None, backup.path)
        assert database_snapshot(target) == before

        result = restore_database(restore_url, None, backup.path, replace=True)
        assert result.replaced_backup is not None and result.replaced_backup.exists()
        with reading(target) as s:
            assert s.scalars(select(Office.name)).all() == ["North"]
    finally:
        target.dispose()
    # what was replaced can itself be restored: the office added after the backup is in it
    again = tmp_path / "again"
    again.mkdir()
    if db_url.startswith("sqlite"):
        kept = restore_database(f"sqlite:///{again / 'kept.db'}", None, result.replaced_backup)
        assert kept.snapshot.counts["office"] == 2


def test_a_damaged_or_foreign_file_is_refused_and_nothing_changes(
    engine: Engine, db_url: str, restore_url: str, tmp_path: Path
) -> None:
    busy_team(engine)
    backup = backup_database(db_url, None, tmp_path / "backup.file")
    damaged = tmp_path / "damaged.file"
    damaged.write_bytes(backup.path.read_bytes()[: backup.size // 3])
    not_a_backup = tmp_path / "notes.txt"
    not_a_backup.write_text("minutes of the meeting")

    with pytest.raises(BackupFailed):
        restore_database(restore_url, None, damaged)
    with pytest.raises(InvalidInput, match="neither a SQLite backup nor a pg_dump file"):
        restore_database(restore_url, None, not_a_backup)
    other_kind = "postgresql+psycopg://nobody@127.0.0.1/none" if db_url.startswith("sqlite") else "sqlite:///x.db"
    with pytest.raises(InvalidInput, match="Restore it into the same kind of database"):
        restore_database(other_kind, None, backup.path)
    target = make_engine(restore_url)
    try:
        empty = Snapshot(
            head_revision(),
            dict.fromkeys(database_snapshot(engine).counts, 0) | {"choice_item": len(default_choice_rows())},
        )  # as freshly migrated: the lists the migrations seed, nothing else
        assert database_snapshot(target) == empty
    finally:
        target.dispose()


def test_a_backup_from_an_older_version_is_upgraded_when_restored(tmp_path: Path) -> None:
    old = tmp_path / "old.db"
    upgrade(f"sqlite:///{old}", "0002")
    with sqlite3.connect(old) as conn:
        conn.execute("INSERT INTO office (name) VALUES ('North')")
    result = restore_database(f"sqlite:///{tmp_path / 'new.db'}", None, old)
    assert (result.restored_revision, result.snapshot.revision) == ("0002", head_revision())
    assert result.snapshot.counts["office"] == 1 and result.snapshot.counts["retention_rule"] == 0


def test_the_pg_dump_command_never_shows_the_password() -> None:
    command = pg_dump_command("postgresql+psycopg://fsdash:s3cret@db.internal:5433/fsdash", Path("/backups/x.dump"))
    assert command.shown() == (
        "pg_dump --format=custom --no-owner --no-privileges --file /backups/x.dump "
        "--host db.internal --port 5433 --username fsdash --dbname fsdash"
    )
    assert "s3cret" not in " ".join(command.argv) and command.env()["PGPASSWORD"] == "s3cret"


_HOSTILE = {
    "sqlite": [
        "DROP TRIGGER audit_event_no_delete",
        "CREATE TRIGGER copy_rationale AFTER INSERT ON rating "
        "BEGIN INSERT INTO office (name) VALUES (coalesce(NEW.rationale, 'copied')); END",
    ],
    "postgresql": [
        "DROP TRIGGER audit_event_append_only ON audit_event",
        "CREATE FUNCTION copy_rationale() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        "INSERT INTO office (name) VALUES (coalesce(NEW.rationale, 'copied')); RETURN NEW; END $$",
        "CREATE TRIGGER copy_rationale AFTER INSERT ON rating FOR EACH ROW EXECUTE FUNCTION copy_rationale()",
    ],
}


def test_a_backup_with_its_protections_dropped_and_a_trigger_of_its_own_restores_with_the_migrations_rules(
    engine: Engine, db_url: str, restore_url: str, tmp_path: Path
) -> None:
    """Taken after someone dropped the audit trail's append-only protection and added a trigger that copies every
    rationale into another table: the restore drops the stranger's trigger, makes the protection again, says so
    and audits it."""
    busy_team(engine)
    dialect = "sqlite" if db_url.startswith("sqlite") else "postgresql"
    with engine.begin() as conn:
        for statement in _HOSTILE[dialect]:
            conn.execute(text(statement))
    try:
        backup = backup_database(db_url, None, tmp_path / "backup.file")
    finally:  # the PostgreSQL test database outlives this test: put its own rules back
        repair_schema(db_url, head_revision() or "head")

    result = restore_database(restore_url, None, backup.path)

    stranger = (
        ["trigger copy_rationale"] if dialect == "sqlite" else ["function copy_rationale()", "trigger copy_rationale"]
    )
    assert result.schema_repair.removed == stranger
    protection = "trigger audit_event_no_delete" if dialect == "sqlite" else "trigger audit_event_append_only"
    assert result.schema_repair.recreated == [protection]
    target = make_engine(restore_url)
    try:
        with pytest.raises(DBAPIError, match="append-only"), target.begin() as conn:
            conn.execute(text("DELETE FROM audit_event"))
        offices = database_snapshot(target).counts["office"]
        with transaction(target) as s:
            meeting = s.scalars(select(Meeting)).first()
            child = s.scalars(select(Child)).first()
            person = s.scalars(select(User).where(User.role == Role.SOCIAL_WORKER)).first()
            assert meeting and child and person
            s.add(Rating(meeting_id=meeting.id, child_id=child.id, practitioner_id=person.id, rag=RAG.RED,
                         rationale="a reason that must stay where it was written", version=99))  # fmt: skip
        assert database_snapshot(target).counts["office"] == offices, "the stranger's trigger still runs"
        with reading(target) as s:
            restore = s.scalars(select(AuditEvent).where(AuditEvent.verb == "records.restore")).one()
        assert restore.after["schema_removed"] == result.schema_repair.removed
        assert restore.after["schema_recreated"] == [protection]
    finally:
        target.dispose()


def test_a_foreign_sqlite_file_claiming_a_revision_is_refused_in_words_and_the_database_is_untouched(
    tmp_path: Path,
) -> None:
    foreign = tmp_path / "someone-elses.db"
    with closing(sqlite3.connect(foreign)) as conn:
        conn.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) PRIMARY KEY)")
        conn.execute("INSERT INTO alembic_version VALUES (?)", (head_revision(),))
        conn.execute("CREATE TABLE notes (body TEXT)")
        conn.commit()
    target = tmp_path / "fsdash.db"
    upgrade(f"sqlite:///{target}")
    before = target.read_bytes()

    with pytest.raises(BackupFailed, match=r"someone-elses.db cannot be restored: .*tables that do not belong: notes"):
        restore_database(f"sqlite:///{target}", None, foreign)

    assert target.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".fsdash-restore")] == []
