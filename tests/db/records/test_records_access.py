"""Records management is administrators' alone: every function in db/records that takes an acting user refuses
every other role, and a deactivated administrator, before it reads or writes anything (no audit event, no file);
an active administrator gets through. A new function taking an actor fails the test until it is listed here."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select

import db.records
from db.access import AccessDenied
from db.models import AuditEvent, User
from db.records.backup import backup_database, restore_database
from db.records.retention import (
    anonymise_due_families,
    delete_due_families,
    deletion_policy,
    families_due,
    families_due_for_deletion,
    retention_policy,
    set_deletion_policy,
    set_retention_policy,
)
from db.records.subject_access import find_subject, subject_access_export
from db.session import reading, transaction
from risk.vocabulary import Role
from tests.db.factories import make_team

Call = Callable[[Engine, str, User, Path], Any]

CALLS: dict[str, Call] = {
    "retention.retention_policy": lambda e, url, u, tmp: retention_policy(e, u),
    "retention.set_retention_policy": lambda e, url, u, tmp: set_retention_policy(e, u, 7),
    "retention.families_due": lambda e, url, u, tmp: families_due(e, u),
    "retention.anonymise_due_families": lambda e, url, u, tmp: anonymise_due_families(e, u, dry_run=True),
    "retention.deletion_policy": lambda e, url, u, tmp: deletion_policy(e, u),
    "retention.set_deletion_policy": lambda e, url, u, tmp: set_deletion_policy(e, u, 2),
    "retention.families_due_for_deletion": lambda e, url, u, tmp: families_due_for_deletion(e, u),
    "retention.delete_due_families": lambda e, url, u, tmp: delete_due_families(e, u, dry_run=True),
    "subject_access.find_subject": lambda e, url, u, tmp: find_subject(e, u, family_reference="F-1"),
    "subject_access.subject_access_export": lambda e, url, u, tmp: subject_access_export(e, u, family_reference="F-1"),
    "backup.backup_database": lambda e, url, u, tmp: backup_database(url, u, tmp / f"backup-{u.id}"),
    "backup.restore_database": lambda e, url, u, tmp: restore_database(url, u, tmp / "a-backup"),
}


def functions_taking_an_actor() -> set[str]:
    found = set()
    for module_info in pkgutil.iter_modules(db.records.__path__):
        module = importlib.import_module(f"db.records.{module_info.name}")
        for name, value in vars(module).items():
            if (
                inspect.isfunction(value)
                and value.__module__ == module.__name__
                and not name.startswith("_")
                and "actor" in inspect.signature(value).parameters
            ):
                found.add(f"{module_info.name}.{name}")
    return found


HELPERS = {
    "audit_rewrite.audit_permit": "opens the audit trail's door inside the retention and erasure services' own "
    "checked transaction",
}


def test_every_records_function_taking_an_actor_is_tried() -> None:
    assert functions_taking_an_actor() == set(CALLS) | set(HELPERS)


def people(engine: Engine) -> tuple[list[User], User]:
    """One active account of every role but administrator, a deactivated administrator; and an administrator."""
    with transaction(engine) as s:
        team = make_team(s)
        others = [
            User(display_name=f"{role.label}", email=f"{role.value}@example.org", role=role, team=team.team)
            for role in Role
            if role is not Role.ADMINISTRATOR
        ]
        gone = User(display_name="Gone", email="gone@example.org", role=Role.ADMINISTRATOR, active=False)
        admin = User(display_name="Admin", email="admin@example.org", role=Role.ADMINISTRATOR)
        s.add_all([*others, gone, admin])
        s.flush()
        return [*others, gone], admin


def audit_events(engine: Engine) -> int:
    with reading(engine) as s:
        return s.scalar(select(func.count()).select_from(AuditEvent)) or 0


@pytest.mark.parametrize("name", sorted(CALLS))
def test_only_an_active_administrator_gets_through(engine: Engine, db_url: str, tmp_path: Path, name: str) -> None:
    refused, admin = people(engine)
    call = CALLS[name]
    files = tmp_path / "files"
    files.mkdir()
    before = audit_events(engine)
    for person in refused:
        with pytest.raises(AccessDenied):
            call(engine, db_url, person, files)
    assert audit_events(engine) == before and list(files.iterdir()) == []

    if name == "backup.restore_database":  # the positive control needs a backup, restored into an empty database
        backup_database(db_url, admin, files / "a-backup")
        if db_url.startswith("sqlite"):
            db_url = f"sqlite:///{tmp_path / 'empty.db'}"
        else:
            return  # restoring over the shared PostgreSQL test database is tried in test_backup.py
    call(engine, db_url, admin, files)
