"""Round trip: the county service exported as SSD tables (by the test-only writer) and imported into an empty
database with the council's mapping is the same service: teams, families, children, every child's legal status
history, every involvement and the accounts. Then the monthly re-sync of the same extract changes nothing."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, func, select, text

from db.imports.ssd import import_ssd, load_mapping, read_database, read_folder
from db.imports.ssd.building import age_on
from db.models import AuditEvent, Child, Family, Involvement, LegalStatusPeriod, Office, Team, User
from db.session import reading
from seed.scales import SCALES
from seed.simulate import ServiceSimulation
from tests.imports.conftest import TODAY
from tests.imports.ssd_writer import Rows, mapping_toml, ssd_tables, write_csv_folder, write_database


def _service(scale: str) -> Rows:
    return ServiceSimulation(SCALES[scale], 1, TODAY).run().tables


@pytest.fixture(scope="module")
def county() -> Rows:
    return _service("county")


@pytest.fixture(scope="module")
def demo() -> Rows:
    return _service("demo")


def expected(rows: Rows, today: dt.date = TODAY) -> dict[str, Any]:
    """The seed as the import should load it: the families that have a child (under 18, or an open case)."""
    teams = {t["id"]: t for t in rows["team"]}
    offices = {o["id"]: o["name"] for o in rows["office"]}
    emails = {u["id"]: u["email"] for u in rows["users"]}
    children: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for child in rows["child"]:
        children[child["family_id"]].append(child)
    kept = {
        f["id"]: f
        for f in rows["family"]
        if f["closed_on"] is None or any(age_on(c["date_of_birth"], today) < 18 for c in children[f["id"]])
    }
    children_kept = [
        c
        for c in rows["child"]
        if c["family_id"] in kept
        and (kept[c["family_id"]]["closed_on"] is None or age_on(c["date_of_birth"], today) < 18)
    ]  # a child of an open family has an open plan; one of a closed family is kept while under 18
    child_refs = {c["id"]: c["case_reference"] for c in children_kept}
    periods: dict[str, list[tuple[str, dt.date, dt.date | None]]] = defaultdict(list)
    for p in sorted(rows["legal_status"], key=lambda p: p["started_on"]):
        if p["child_id"] in child_refs:
            periods[child_refs[p["child_id"]]].append((p["status"].value, p["started_on"], p["ended_on"]))
    involvements: dict[str, list[tuple[str, dt.date, dt.date | None]]] = defaultdict(list)
    for i in rows["involvement"]:
        if i["family_id"] in kept:
            involvements[kept[i["family_id"]]["case_reference"]].append(
                (emails[i["practitioner_id"]], i["started_on"], i["ended_on"])
            )
    return {
        "teams": {t["name"]: offices[t["office_id"]] for t in teams.values()},
        "families": {
            f["case_reference"]: (
                teams[f["team_id"]]["name"], f["opened_on"], f["closed_on"], emails[f["social_worker_id"]]
            )
            for f in kept.values()
        },
        "children": {
            c["case_reference"]: (kept[c["family_id"]]["case_reference"], c["first_name"], c["date_of_birth"])
            for c in children_kept
        },
        "periods": dict(periods),
        "involvements": {ref: sorted(items) for ref, items in involvements.items()},
        "accounts": {
            u["email"]: (u["role"].value, teams[u["team_id"]]["name"] if u["team_id"] else None)
            for u in rows["users"]
            if u["role"].rates_children and any(i["practitioner_id"] == u["id"] for i in rows["involvement"]
                                                 if i["family_id"] in kept)
        },
    }  # fmt: skip


def loaded(engine: Engine) -> dict[str, Any]:
    """The same picture, read back from the database the import wrote."""
    with reading(engine) as s:
        teams = {t.id: t for t in s.scalars(select(Team))}
        offices = {o.id: o.name for o in s.scalars(select(Office))}
        users = {u.id: u for u in s.scalars(select(User))}
        families = {f.id: f for f in s.scalars(select(Family))}
        children = {c.id: c for c in s.scalars(select(Child))}
        periods: dict[str, list[tuple[str, dt.date, dt.date | None]]] = defaultdict(list)
        for p in s.scalars(select(LegalStatusPeriod).order_by(LegalStatusPeriod.started_on)):
            periods[children[p.child_id].case_reference].append((p.status.value, p.started_on, p.ended_on))
        involvements: dict[str, list[tuple[str, dt.date, dt.date | None]]] = defaultdict(list)
        for i in s.scalars(select(Involvement)):
            involvements[families[i.family_id].case_reference].append(
                (users[i.practitioner_id].email, i.started_on, i.ended_on)
            )
        return {
            "teams": {t.name: offices[t.office_id] for t in teams.values()},
            "families": {
                f.case_reference: (
                    teams[f.team_id].name,
                    f.opened_on,
                    f.closed_on,
                    users[f.social_worker_id].email if f.social_worker_id else None,
                )
                for f in families.values()
            },
            "children": {
                c.case_reference: (families[c.family_id].case_reference, c.first_name, c.date_of_birth)
                for c in children.values()
            },
            "periods": dict(periods),
            "involvements": {ref: sorted(items) for ref, items in involvements.items()},
            "accounts": {u.email: (u.role.value, teams[u.team_id].name if u.team_id else None) for u in users.values()},
        }


def _users(engine: Engine) -> list[tuple[bool, str | None]]:
    with reading(engine) as s:
        return [(u.active, u.password_hash) for u in s.scalars(select(User))]


def _audit_count(engine: Engine) -> int:
    with reading(engine) as s:
        return s.scalar(select(func.count()).select_from(AuditEvent)) or 0


def test_the_county_exported_as_ssd_csv_files_loads_into_an_empty_service_as_it_was(
    county: Rows, engine: Engine, tmp_path: Path
) -> None:
    folder = write_csv_folder(ssd_tables(county), tmp_path / "ssd")
    mapping = load_mapping(mapping_toml(county))

    dry = import_ssd(engine, None, read_folder(folder), mapping, dry_run=True, create_accounts=True, today=TODAY)
    assert _audit_count(engine) == 0 and loaded(engine)["families"] == {}

    done = import_ssd(engine, None, read_folder(folder), mapping, create_accounts=True, today=TODAY)
    want = expected(county)
    got = loaded(engine)
    for part in ("teams", "families", "children", "periods", "involvements", "accounts"):
        assert got[part] == want[part], part
    assert done.counts() == dry.counts()
    assert done.families.created == len(want["families"]) > 2000
    assert done.ignored["involvements with teams not in the mapping"] > 0  # the looked-after children's team
    assert set(_users(engine)) == {(False, None)}  # created inactive, never with a password

    events = _audit_count(engine)
    again = import_ssd(engine, None, read_folder(folder), mapping, create_accounts=True, today=TODAY)
    assert not again.changed
    assert loaded(engine) == got
    assert _audit_count(engine) == events + 1  # the import itself is recorded; no family changed


@pytest.fixture
def source_database(engine: Engine, tmp_path: Path) -> Iterator[tuple[str, str | None]]:
    """Somewhere to put SSD tables: a SQLite file, or a schema of the PostgreSQL test database."""
    if engine.dialect.name != "postgresql":
        yield f"sqlite:///{tmp_path / 'ssd.db'}", None
        return
    url = engine.url.render_as_string(hide_password=False)
    yield url, "ssd_extract"
    admin = create_engine(url)
    with admin.begin() as conn:
        conn.execute(text('DROP SCHEMA IF EXISTS "ssd_extract" CASCADE'))
    admin.dispose()


def test_the_same_extract_read_from_a_database_loads_the_same_service(
    demo: Rows, engine: Engine, source_database: tuple[str, str | None]
) -> None:
    url, schema = source_database
    write_database(ssd_tables(demo), url, schema)
    extract = read_database(url, schema)
    import_ssd(engine, None, extract, load_mapping(mapping_toml(demo)), create_accounts=True, today=TODAY)
    assert loaded(engine) == expected(demo)
