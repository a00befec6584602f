"""A tiny SSD extract written by hand, to be bent into every kind of mess a real extract holds.

One family F1: a child 00123 (Amy, born 2 March 2018) and a parent P1; a social worker (007) works with the child
and a mental health practitioner (008) with the parent, both of team T1; the child is in a CIN episode from
5 January 2026 and on a CP plan from 1 February 2026.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from db.imports.ssd import Extract, Mapping, load_mapping, read_folder
from tests.imports.ssd_writer import csv_bytes

TODAY = dt.date(2026, 10, 20)
Table = list[dict[str, Any]]

MAPPING = """
[teams]
"T1" = { team = "Oak team", office = "North office" }
[roles]
"SW" = "social_worker"
"MHP" = "mental_health_practitioner"
"IRO" = "ignore"
[professionals]
"007" = "sam.khan@example.org"
"008" = "mo.reid@example.org"
"""


def base() -> dict[str, Table]:
    return {
        "ssd_person": [
            {"pers_person_id": "00123", "pers_forename": "Amy", "pers_surname": "Smith", "pers_dob": "2018-03-02"},
            {"pers_person_id": "P1", "pers_forename": "Pat", "pers_surname": "Smith", "pers_dob": "1990-01-01"},
        ],
        "ssd_family": [
            {"fami_table_id": "1", "fami_family_id": "F1", "fami_person_id": "00123"},
            {"fami_table_id": "2", "fami_family_id": "F1", "fami_person_id": "P1"},
        ],
        "ssd_department": [
            {"dept_team_id": "T1", "dept_team_name": "FS Oak", "dept_team_parent_name": "North"},
            {"dept_team_id": "T9", "dept_team_name": "Leaving care", "dept_team_parent_name": "Corporate parenting"},
        ],
        "ssd_professionals": [
            {"prof_professional_id": "007", "prof_professional_name": "Sam Khan",
             "prof_professional_job_title": "Social Worker"},
            {"prof_professional_id": "008", "prof_professional_name": "Mo Reid",
             "prof_professional_job_title": "Adult Mental Health Practitioner"},
        ],
        "ssd_involvements": [
            {"invo_involvements_id": "4711", "invo_professional_id": "007", "invo_professional_role_id": "SW",
             "invo_professional_team": "T1", "invo_person_id": "00123", "invo_involvement_start_date": "2026-01-05"},
            {"invo_involvements_id": "4712", "invo_professional_id": "008", "invo_professional_role_id": "MHP",
             "invo_professional_team": "T1", "invo_person_id": "P1", "invo_involvement_start_date": "2026-01-10"},
        ],
        "ssd_cin_episodes": [
            {"cine_referral_id": "R1", "cine_person_id": "00123", "cine_referral_date": "2026-01-05"},
        ],
        "ssd_cp_plans": [
            {"cppl_cp_plan_id": "CP1", "cppl_person_id": "00123", "cppl_cp_plan_start_date": "2026-02-01"},
        ],
    }  # fmt: skip


COLUMNS = {
    "ssd_person": ["pers_person_id", "pers_forename", "pers_surname", "pers_dob", "pers_expected_dob",
                   "pers_death_date"],
    "ssd_family": ["fami_table_id", "fami_family_id", "fami_person_id"],
    "ssd_department": ["dept_team_id", "dept_team_name", "dept_team_parent_id", "dept_team_parent_name"],
    "ssd_professionals": ["prof_professional_id", "prof_staff_id", "prof_professional_name",
                          "prof_professional_job_title"],
    "ssd_involvements": ["invo_involvements_id", "invo_professional_id", "invo_professional_role_id",
                         "invo_professional_team", "invo_person_id", "invo_involvement_start_date",
                         "invo_involvement_end_date"],
    "ssd_cin_episodes": ["cine_referral_id", "cine_person_id", "cine_referral_date", "cine_close_date"],
    "ssd_cp_plans": ["cppl_cp_plan_id", "cppl_person_id", "cppl_cp_plan_start_date", "cppl_cp_plan_end_date"],
    "ssd_pre_proceedings": ["prep_table_id", "prep_person_id", "prep_pre_pro_decision_date",
                            "prep_care_pro_letter_date"],
    "ssd_cla_episodes": ["clae_cla_episode_id", "clae_person_id", "clae_cla_episode_start_date",
                         "clae_cla_episode_ceased_date"],
    "ssd_legal_status": ["lega_legal_status_id", "lega_person_id", "lega_legal_status",
                         "lega_legal_status_start_date", "lega_legal_status_end_date"],
}  # fmt: skip


def table_bytes(name: str, rows: Table, *, missing: str = "") -> bytes:
    columns = COLUMNS[name]
    return csv_bytes(columns, [[r.get(c, missing) for c in columns] for r in rows])


def write_extract(folder: Path, tables: dict[str, Table], *, missing: str = "") -> Path:
    """Each table as a CSV file; cells not given are `missing` (empty, or e.g. 'NULL' as SQL Server writes)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, rows in tables.items():
        (folder / f"{name}.csv").write_bytes(table_bytes(name, rows, missing=missing))
    return folder


def extract(folder: Path, tables: dict[str, Table] | None = None, **kwargs: Any) -> Extract:
    return read_folder(write_extract(folder, base() if tables is None else tables, **kwargs))


def mapping(extra: str = "") -> Mapping:
    return load_mapping(MAPPING + extra)
