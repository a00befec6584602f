"""A restored database runs the migrations' rules and nobody else's.

A backup carries its schema as well as its rows, so a file taken after someone dropped the audit trail's
append-only triggers, or added a trigger that copies every rationale elsewhere, would bring that schema back with
it. After a restore the database's triggers, functions, views and rules are compared with those of an empty
database migrated to the same revision (a scratch SQLite file, or a scratch schema in the PostgreSQL database): what
the migrations did not make is dropped, what they made and is missing or changed is made again, and every table
must be one of the product's. The repair is reported (and audited by the restore) by name only.
"""

from __future__ import annotations

import re
import secrets
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Connection, make_url, text

from db.migrate import upgrade
from db.session import make_engine


class ForeignSchema(Exception):
    """The restored database is not one of this product's: its message names the tables that do not belong."""


@dataclass(frozen=True)
class SchemaRepair:
    removed: list[str] = field(default_factory=list)
    recreated: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.removed or self.recreated)


Objects = dict[tuple[str, str], tuple[str, str]]
"""(kind, name) -> (table or "", definition): the definition is comparable and, run as SQL, re-creates it."""


def _sqlite_objects(conn: Connection) -> Objects:
    rows = conn.execute(
        text(
            "SELECT type, name, tbl_name, sql FROM sqlite_master WHERE type IN ('trigger', 'view') AND sql IS NOT NULL"
        )
    )
    return {(kind, name): (table, " ".join(sql.split())) for kind, name, table, sql in rows}


_PG_OBJECTS = """
SELECT 'trigger', t.tgname, c.relname, pg_get_triggerdef(t.oid) || CASE t.tgenabled WHEN 'D' THEN ' -- disabled'
       ELSE '' END
  FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE NOT t.tgisinternal AND n.nspname = :schema
UNION ALL
SELECT 'function', p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ')', '', pg_get_functiondef(p.oid)
  FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
 WHERE n.nspname = :schema AND p.prokind IN ('f', 'p')
   AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e')
UNION ALL
SELECT 'view', viewname, '', 'CREATE VIEW ' || viewname || ' AS ' || definition FROM pg_views WHERE schemaname = :schema
UNION ALL
SELECT 'rule', rulename, tablename, definition FROM pg_rules WHERE schemaname = :schema
"""


def _pg_objects(conn: Connection, schema: str) -> Objects:
    unqualified = re.compile(rf"\b{re.escape(schema)}\.")
    return {
        (kind, name): (table, unqualified.sub("", definition))
        for kind, name, table, definition in conn.execute(text(_PG_OBJECTS), {"schema": schema})
    }


def _objects(conn: Connection) -> Objects:
    if conn.dialect.name == "sqlite":
        return _sqlite_objects(conn)
    return _pg_objects(conn, conn.execute(text("SELECT current_schema()")).scalar_one())


def _tables(conn: Connection) -> set[str]:
    if conn.dialect.name == "sqlite":
        found = conn.execute(text("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"))
    else:
        found = conn.execute(text("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"))
    return set(found.scalars())


def _expected_sqlite(revision: str) -> tuple[Objects, set[str]]:
    with tempfile.TemporaryDirectory(prefix="fsdash-schema-") as folder:
        url = f"sqlite:///{Path(folder) / 'expected.db'}"
        upgrade(url, revision)
        engine = make_engine(url)
        try:
            with engine.connect() as conn:
                return _sqlite_objects(conn), _tables(conn)
        finally:
            engine.dispose()


def _expected_postgres(database_url: str, revision: str) -> tuple[Objects, set[str]]:
    """The migrations run into a scratch schema of the same database (search_path set to it), read, then dropped."""
    schema = f"fsdash_expected_{secrets.token_hex(4)}"
    engine = make_engine(database_url)
    try:
        with engine.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        try:
            scratch = make_url(database_url).update_query_dict({"options": f"-csearch_path={schema}"})
            upgrade(scratch.render_as_string(hide_password=False), revision)
            with engine.connect() as conn:
                tables = set(
                    conn.execute(text("SELECT tablename FROM pg_tables WHERE schemaname = :s"), {"s": schema}).scalars()
                )
                return _pg_objects(conn, schema), tables
        finally:
            with engine.begin() as conn:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    finally:
        engine.dispose()


def _drop(conn: Connection, kind: str, name: str, table: str) -> None:
    sqlite = conn.dialect.name == "sqlite"
    if kind == "trigger":
        conn.execute(text(f'DROP TRIGGER IF EXISTS "{name}"' + ("" if sqlite else f' ON "{table}"')))
    elif kind == "view":
        conn.execute(text(f'DROP VIEW IF EXISTS "{name}"' + ("" if sqlite else " CASCADE")))
    elif kind == "rule":
        conn.execute(text(f'DROP RULE IF EXISTS "{name}" ON "{table}"'))
    else:  # a function: its name carries its argument types, which PostgreSQL needs to tell overloads apart
        base, arguments = name.split("(", 1)
        conn.execute(text(f'DROP FUNCTION IF EXISTS "{base}"({arguments} CASCADE'))


_CREATE_ORDER = {"function": 0, "trigger": 1, "view": 2, "rule": 3}


def repair_schema(database_url: str, revision: str) -> SchemaRepair:
    """Make the database's own rules exactly the migrations' at `revision` (see the module); ForeignSchema if a
    table is not one of the product's, or one of its tables is missing."""
    sqlite = database_url.startswith("sqlite")
    expected, expected_tables = _expected_sqlite(revision) if sqlite else _expected_postgres(database_url, revision)
    engine = make_engine(database_url)
    try:
        with engine.begin() as conn:
            tables = _tables(conn)
            if tables != expected_tables:
                extra, missing = sorted(tables - expected_tables), sorted(expected_tables - tables)
                raise ForeignSchema(
                    "it is not a database of this version of fsdash at its revision"
                    + (f"; tables that do not belong: {', '.join(extra)}" if extra else "")
                    + (f"; tables missing: {', '.join(missing)}" if missing else "")
                )
            found = _objects(conn)
            stray = sorted(key for key in found if found[key] != expected.get(key))
            for kind, name in stray:
                _drop(conn, kind, name, found[(kind, name)][0])
            found = _objects(conn)  # a function dropped with CASCADE takes its triggers with it
            recreated = sorted(
                (key for key in expected if found.get(key) != expected[key]), key=lambda k: (_CREATE_ORDER[k[0]], k)
            )
            for key in recreated:
                conn.execute(text(expected[key][1].removesuffix(" -- disabled")))
    finally:
        engine.dispose()
    return SchemaRepair(
        removed=[f"{kind} {name}" for kind, name in stray if (kind, name) not in expected],
        recreated=[f"{kind} {name}" for kind, name in recreated],
    )
