"""Export an invented service (the seed's rows) as Standard Safeguarding Dataset tables, with the mapping file a
council would keep for it: what the SSD import's round-trip tests and benchmarks read. Test-only code, never part
of the installed app.

The export is shaped like a real extract, not like our tables: every child is in a CIN episode for as long as the
case is open, with CP plans, pre-proceedings records (no end date; the care proceedings letter marks proceedings)
and CLA episodes (each also as a C2 legal status) inside it; each family has a parent; the social worker works
with each child and the adult specialists with the parent; episode dates are SQL Server datetimes; professional
ids carry leading zeros; and a looked-after children's team that is not in the mapping also works with some
children (its rows are left out by the import).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from collections import defaultdict
from pathlib import Path
from typing import Any

from sqlalchemy import Column, MetaData, String, Table, create_engine, text

from risk.vocabulary import LegalStatus, Role

Rows = dict[str, list[dict[str, Any]]]
SsdTables = dict[str, tuple[list[str], list[list[str | None]]]]

ROLE_CODES = {
    Role.SOCIAL_WORKER: "SW",
    Role.SENIOR_PRACTITIONER: "SP",
    Role.TEAM_MANAGER: "TM",
    Role.FAMILY_SUPPORT_WORKER: "FSW",
    Role.DOMESTIC_ABUSE_PRACTITIONER: "DAP",
    Role.DOMESTIC_ABUSE_OFFICER: "DAO",
    Role.SUBSTANCE_MISUSE_WORKER: "SMW",
    Role.MENTAL_HEALTH_PRACTITIONER: "MHP",
    Role.PSYCHOLOGIST: "PSY",
    Role.EDUCATION_ATTAINMENT_OFFICER: "EAO",
    Role.PROBATION_OFFICER: "PO",
}
ALLOCATABLE = {Role.SOCIAL_WORKER, Role.SENIOR_PRACTITIONER, Role.TEAM_MANAGER}
CLA_TEAM = "T999"
CLA_WORKER = "09999"

COLUMNS = {
    "ssd_person": ["pers_person_id", "pers_sex", "pers_forename", "pers_surname", "pers_dob", "pers_expected_dob",
                   "pers_death_date"],
    "ssd_family": ["fami_table_id", "fami_family_id", "fami_person_id"],
    "ssd_department": ["dept_team_id", "dept_team_name", "dept_team_parent_id", "dept_team_parent_name"],
    "ssd_professionals": ["prof_professional_id", "prof_staff_id", "prof_professional_name",
                          "prof_social_worker_registration_no", "prof_professional_job_title",
                          "prof_professional_department"],
    "ssd_involvements": ["invo_involvements_id", "invo_professional_id", "invo_professional_role_id",
                         "invo_professional_team", "invo_person_id", "invo_involvement_start_date",
                         "invo_involvement_end_date", "invo_worker_change_reason"],
    "ssd_cin_episodes": ["cine_referral_id", "cine_person_id", "cine_referral_date", "cine_close_date",
                         "cine_referral_team"],
    "ssd_cp_plans": ["cppl_cp_plan_id", "cppl_person_id", "cppl_cp_plan_start_date", "cppl_cp_plan_end_date"],
    "ssd_pre_proceedings": ["prep_table_id", "prep_person_id", "prep_plo_family_id", "prep_pre_pro_decision_date",
                            "prep_initial_pre_pro_meeting_date", "prep_pre_pro_outcome", "prep_care_pro_letter_date",
                            "prep_court_reference"],
    "ssd_cla_episodes": ["clae_cla_episode_id", "clae_person_id", "clae_cla_episode_start_date",
                         "clae_cla_episode_ceased_date"],
    "ssd_legal_status": ["lega_legal_status_id", "lega_person_id", "lega_legal_status",
                         "lega_legal_status_start_date", "lega_legal_status_end_date"],
}  # fmt: skip


def _sql_server(day: dt.date | None) -> str | None:
    return None if day is None else f"{day.isoformat()} 00:00:00.000"


def _iso(day: dt.date | None) -> str | None:
    return None if day is None else day.isoformat()


def professional_id(user_id: int) -> str:
    return f"{user_id:05d}"


def team_id(team: int) -> str:
    return f"T{team:03d}"


def ssd_tables(rows: Rows) -> SsdTables:
    """The seed's families, children, plans and involvement as SSD tables (every cell text, or None)."""
    out: dict[str, list[list[str | None]]] = defaultdict(list)
    teams = {t["id"]: t for t in rows["team"]}
    offices = {o["id"]: o for o in rows["office"]}
    users = {u["id"]: u for u in rows["users"]}
    children_of: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for child in rows["child"]:
        children_of[child["family_id"]].append(child)
    periods_of: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for period in rows["legal_status"]:
        periods_of[period["child_id"]].append(period)
    involvements_of: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for involvement in rows["involvement"]:
        involvements_of[involvement["family_id"]].append(involvement)

    for team in teams.values():
        office = offices[team["office_id"]]
        out["ssd_department"].append([team_id(team["id"]), team["name"], f"O{office['id']}", office["name"]])
    out["ssd_department"].append([CLA_TEAM, "Children looked after team", "O99", "Corporate parenting"])
    for user in users.values():
        if not user["role"].rates_children:
            continue
        team = teams.get(user["team_id"])
        out["ssd_professionals"].append(
            [
                professional_id(user["id"]),
                professional_id(user["id"]),
                user["display_name"],
                f"SW{user['id']:06d}" if user["role"] in ALLOCATABLE else None,
                user["role"].label.title(),
                team["name"] if team else None,
            ]
        )
    out["ssd_professionals"].append([CLA_WORKER, CLA_WORKER, "Casey Carer", None, "Social Worker", "CLA team"])

    ids = defaultdict(int)

    def next_id(table: str) -> str:
        ids[table] += 1
        return str(ids[table])

    for family in rows["family"]:
        reference = family["case_reference"]
        parent = f"P-{family['id']}"
        out["ssd_person"].append(
            [parent, "F", "Pat", "Parent", _iso(family["opened_on"] - dt.timedelta(days=30 * 365)), None, None]
        )
        out["ssd_family"].append([next_id("family"), reference, parent])
        kids = children_of[family["id"]]
        for child in kids:
            out["ssd_person"].append(
                [child["case_reference"], "U", child["first_name"], "Child", _iso(child["date_of_birth"]), None, None]
            )
            out["ssd_family"].append([next_id("family"), reference, child["case_reference"]])
            _episodes(out, child["case_reference"], reference, periods_of[child["id"]], next_id)
        for involvement in involvements_of[family["id"]]:
            user = users[involvement["practitioner_id"]]
            people = [c["case_reference"] for c in kids] if user["role"] in ALLOCATABLE else [parent]
            for person in people:
                out["ssd_involvements"].append(
                    [
                        next_id("involvement"),
                        professional_id(user["id"]),
                        ROLE_CODES[user["role"]],
                        team_id(family["team_id"]),
                        person,
                        _iso(involvement["started_on"]),
                        _iso(involvement["ended_on"]),
                        None,
                    ]
                )
        if family["id"] % 7 == 0 and kids:  # the looked-after children's team: not a Family Safeguarding team
            out["ssd_involvements"].append(
                [next_id("involvement"), CLA_WORKER, "SW", CLA_TEAM, kids[0]["case_reference"],
                 _iso(family["opened_on"]), None, None]
            )  # fmt: skip
    return {table: (COLUMNS[table], out[table]) for table in COLUMNS}


def _episodes(
    out: dict[str, list[list[str | None]]],
    person: str,
    family: str,
    periods: list[dict[str, Any]],
    next_id: Any,
) -> None:
    periods = sorted(periods, key=lambda p: p["started_on"])
    closed = next((p["started_on"] for p in periods if p["status"] is LegalStatus.CLOSED), None)
    out["ssd_cin_episodes"].append(
        [next_id("cin"), person, _sql_server(periods[0]["started_on"]), _sql_server(closed), "Front door"]
    )
    for index, period in enumerate(periods):
        status, start, end = period["status"], period["started_on"], period["ended_on"]
        following = periods[index + 1]["status"] if index + 1 < len(periods) else None
        previous = periods[index - 1]["status"] if index else None
        if status is LegalStatus.CP:
            out["ssd_cp_plans"].append([next_id("cp"), person, _sql_server(start), _sql_server(end)])
        elif status is LegalStatus.CLA:
            out["ssd_cla_episodes"].append([next_id("cla"), person, _sql_server(start), _sql_server(end)])
            out["ssd_legal_status"].append([next_id("lega"), person, "C2", _sql_server(start), _sql_server(end)])
        elif status is LegalStatus.PLO:
            letter = end if following is LegalStatus.CARE_PROCEEDINGS else None
            out["ssd_pre_proceedings"].append(
                [next_id("prep"), person, family, _sql_server(start), _sql_server(start), None, _sql_server(letter),
                 None]
            )  # fmt: skip
        elif status is LegalStatus.CARE_PROCEEDINGS and previous is not LegalStatus.PLO:
            out["ssd_pre_proceedings"].append(
                [next_id("prep"), person, family, _sql_server(start), None, "Issue proceedings", _sql_server(start),
                 f"ZW{start:%y}C{next_id('court')}"]
            )  # fmt: skip


def mapping_toml(rows: Rows) -> str:
    """The mapping a council would keep for this service: its teams, role codes and everyone's email."""
    offices = {o["id"]: o["name"] for o in rows["office"]}
    lines = ["[teams]"]
    for team in rows["team"]:
        office = offices[team["office_id"]]
        lines.append(f'"{team_id(team["id"])}" = {{ team = "{team["name"]}", office = "{office}" }}')
    lines.append("[roles]")
    lines += [f'"{code}" = "{role.value}"' for role, code in ROLE_CODES.items()]
    lines.append("[professionals]")
    for user in rows["users"]:
        if user["role"].rates_children:
            lines.append(f'"{professional_id(user["id"])}" = "{user["email"]}"')
    lines += ["[legal_status]", 'other_codes = "cla"', "[legal_status.codes]", '"C2" = "cla"']
    return "\n".join(lines) + "\n"


def csv_bytes(columns: list[str], body: list[list[str | None]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    writer.writerows([["" if v is None else v for v in row] for row in body])
    return out.getvalue().encode("utf-8")


def write_csv_folder(tables: SsdTables, folder: Path) -> Path:
    """One CSV per table, as the SSD's export writes them."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, (columns, body) in tables.items():
        (folder / f"{name}.csv").write_bytes(csv_bytes(columns, body))
    return folder


def zip_bytes(tables: SsdTables, inside: str = "ssd_extract") -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, (columns, body) in tables.items():
            archive.writestr(f"{inside}/{name}.csv", csv_bytes(columns, body))
    return out.getvalue()


def write_database(tables: SsdTables, url: str, schema: str | None = None) -> None:
    """The tables in a database, every column text (as the SSD's own scripts create them, in a schema if given)."""
    engine = create_engine(url)
    try:
        metadata = MetaData(schema=schema)
        created = {
            name: Table(name, metadata, *(Column(c, String(300)) for c in columns))
            for name, (columns, _) in tables.items()
        }
        with engine.begin() as conn:
            if schema:
                conn.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
            metadata.drop_all(conn)
            metadata.create_all(conn)
            for name, (columns, body) in tables.items():
                if body:
                    conn.execute(created[name].insert(), [dict(zip(columns, row, strict=True)) for row in body])
    finally:
        engine.dispose()
