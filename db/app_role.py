"""The PostgreSQL role the app runs as: not the tables' owner, with only the privileges the app needs.

An owner can `TRUNCATE` the audit trail, `ALTER TABLE … DISABLE TRIGGER` or drop the triggers that keep it
append-only; a role that owns nothing can do none of those. So a council's installation has two roles: the owner,
which runs `fsdash db upgrade` and `fsdash restore`, and the app's role, which runs everything else
(docs/deployment.md). `grant_app_role`, run as the owner after every upgrade, gives the app's role what it needs:
reading and writing the product's tables, except that the audit trail and its permits can never be deleted from
(updating the trail is left to the triggers, which allow only the pseudonymising door), and the migration
revision is read-only. Default privileges cover tables a later migration adds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import text

from db.errors import InvalidInput
from db.session import make_engine

_ROLE_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")
_APPEND_ONLY = ("audit_event", "audit_pseudonymisation")


@dataclass(frozen=True)
class Granted:
    role: str
    tables: int


def grant_app_role(database_url: str, role: str) -> Granted:
    """Give `role` the app's privileges on the database at `database_url` (connected as the owner)."""
    if database_url.startswith("sqlite"):
        raise InvalidInput("A SQLite file has no roles: this is for PostgreSQL installations.")
    if not _ROLE_NAME.fullmatch(role):
        raise InvalidInput(f"{role!r} is not a plain PostgreSQL role name (lower-case letters, digits, underscores).")
    engine = make_engine(database_url)
    try:
        with engine.begin() as conn:
            found = conn.execute(text("SELECT rolsuper FROM pg_roles WHERE rolname = :r"), {"r": role}).first()
            if found is None:
                raise InvalidInput(f"There is no role {role}: create it first (createuser --pwprompt {role}).")
            if found.rolsuper:
                raise InvalidInput(f"{role} is a superuser, which can do anything: the app needs a plain role.")
            schema = conn.execute(text("SELECT current_schema()")).scalar_one()
            owned = conn.execute(
                text("SELECT count(*) FROM pg_tables WHERE schemaname = :s AND tableowner = :r"),
                {"s": schema, "r": role},
            ).scalar_one()
            if owned:
                raise InvalidInput(
                    f"{role} owns the tables, so it could empty the audit trail: run the app as another role."
                )
            tables = list(
                conn.execute(text("SELECT tablename FROM pg_tables WHERE schemaname = :s"), {"s": schema}).scalars()
            )
            if "alembic_version" not in tables:
                raise InvalidInput("The database has no schema yet: run `fsdash db upgrade` (as the owner) first.")
            database = conn.execute(text("SELECT current_database()")).scalar_one()
            later = f'ALTER DEFAULT PRIVILEGES IN SCHEMA "{schema}"'
            for statement in (
                f'GRANT CONNECT ON DATABASE "{database}" TO {role}',
                f'GRANT USAGE ON SCHEMA "{schema}" TO {role}',
                f'GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA "{schema}" TO {role}',
                f'GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA "{schema}" TO {role}',
                f"REVOKE INSERT, UPDATE, DELETE ON alembic_version FROM {role}",
                *(f"REVOKE DELETE, TRUNCATE ON {table} FROM {role}" for table in _APPEND_ONLY if table in tables),
                f"{later} GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {role}",
                f"{later} GRANT USAGE, SELECT ON SEQUENCES TO {role}",
            ):
                conn.execute(text(statement))
    finally:
        engine.dispose()
    return Granted(role, len(tables))
