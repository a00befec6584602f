"""A busy month written through the real services, with the SSD's numeric case references: the subject family's
reference is another family's internal id, and its child's reference is a third family's internal id (as when
the SSD's family 59 and person 45 arrive in a database that already holds family 45).

Every kind of audit event the application writes appears at least once: imports (SSD extract and caseload file),
ratings saved, changed and corrected, stored scores, the chair's screen and clock, discussion, actions, the
meeting's length, opening and closing, involvement, views and downloads, accounts, offices and teams, subject
access and the retention rule. Two other teams hold a month of their own, so the trail is full of events about
other families whose ids equal the subject's references.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, select

from db.imports.columns import COLUMN_NAMES
from db.imports.service import import_caseload
from db.imports.ssd import import_ssd, load_mapping, read_folder
from db.models import Child, Family, Meeting, User
from db.records.retention import set_retention_policy
from db.records.subject_access import subject_access_export
from db.services.accounts import create_user, set_table_view, sign_in
from db.services.actions import add_action, complete_action
from db.services.admin import add_involvement, add_office, add_team, end_involvement, update_team
from db.services.corrections import correct_rating
from db.services.disclosures import record_download, record_view
from db.services.discussions import mark_discussed, open_family, run_the_clock, set_meeting_length
from db.services.meetings import close_meeting, open_meeting
from db.services.ratings import RatingEntry, save_ratings
from db.session import reading, transaction
from risk.vocabulary import RAG, Role
from tests.db.factories import MEETING_DAY, Team1, make_team
from tests.imports.ssd_extracts import write_extract

SSD_DAY = dt.date(2026, 10, 1)
CLOSING_DAY = dt.date(2026, 10, 30)
RATIONALE = "Seen at home with her brother; school says attendance has dropped"
ACTION_TEXT = "Joint visit with the school's safeguarding lead"
REASON = "Entered for the wrong child"
SIBLING_REFERENCE = "7007"
PASSWORD = "correct horse battery staple 42"
MAPPING = """
[teams]
"T1" = { team = "Oak team", office = "North office" }
[roles]
"SW" = "social_worker"
"MHP" = "mental_health_practitioner"
[professionals]
"007" = "sam.khan@example.org"
"008" = "mo.reid@example.org"
"""


@dataclass
class BusyMonth:
    admin: User
    manager: User
    social_worker: User
    mental_health: User
    first: Team1
    """another team; its family's internal id is the subject family's case reference"""
    second: Team1
    """another team; its family's internal id is the subject child's case reference"""
    family: Family
    child: Child
    sibling: Child
    meeting: Meeting

    @property
    def family_reference(self) -> str:
        return self.family.case_reference

    @property
    def child_reference(self) -> str:
        return self.child.case_reference


def _ssd_tables(family: str, child: str, *, first_name: str, cp_from: str) -> dict[str, list[dict[str, str]]]:
    return {
        "ssd_person": [
            {"pers_person_id": child, "pers_forename": first_name, "pers_surname": "Noor", "pers_dob": "2018-03-02"},
            {"pers_person_id": SIBLING_REFERENCE, "pers_forename": "Idris", "pers_surname": "Noor",
             "pers_dob": "2016-05-09"},
            {"pers_person_id": "P1", "pers_forename": "Rana", "pers_surname": "Noor", "pers_dob": "1990-01-01"},
        ],
        "ssd_family": [
            {"fami_table_id": "1", "fami_family_id": family, "fami_person_id": child},
            {"fami_table_id": "2", "fami_family_id": family, "fami_person_id": SIBLING_REFERENCE},
            {"fami_table_id": "3", "fami_family_id": family, "fami_person_id": "P1"},
        ],
        "ssd_department": [{"dept_team_id": "T1", "dept_team_name": "FS Oak", "dept_team_parent_name": "North"}],
        "ssd_professionals": [
            {"prof_professional_id": "007", "prof_professional_name": "Sam Khan",
             "prof_professional_job_title": "Social Worker"},
            {"prof_professional_id": "008", "prof_professional_name": "Mo Reid",
             "prof_professional_job_title": "Adult Mental Health Practitioner"},
        ],
        "ssd_involvements": [
            {"invo_involvements_id": "4711", "invo_professional_id": "007", "invo_professional_role_id": "SW",
             "invo_professional_team": "T1", "invo_person_id": child, "invo_involvement_start_date": "2026-01-05"},
            {"invo_involvements_id": "4712", "invo_professional_id": "008", "invo_professional_role_id": "MHP",
             "invo_professional_team": "T1", "invo_person_id": "P1", "invo_involvement_start_date": "2026-01-10"},
        ],
        "ssd_cin_episodes": [
            {"cine_referral_id": "R1", "cine_person_id": child, "cine_referral_date": "2026-01-05"},
            {"cine_referral_id": "R2", "cine_person_id": SIBLING_REFERENCE, "cine_referral_date": "2026-01-05"},
        ],
        "ssd_cp_plans": [{"cppl_cp_plan_id": "CP1", "cppl_person_id": child, "cppl_cp_plan_start_date": cp_from}],
    }  # fmt: skip


def _caseload_file(rows: list[dict[str, str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMN_NAMES)
    for row in rows:
        writer.writerow([row.get(column, "") for column in COLUMN_NAMES])
    return out.getvalue().encode("utf-8")


def _other_teams_month(engine: Engine, team: Team1) -> None:
    """A rated, discussed and closed meeting with an action: scores.store events keyed by the family's id."""
    meeting = team.meeting.id
    save_ratings(engine, team.social_worker, meeting, [RatingEntry(team.child.id, RAG.AMBER, "Fine at school")])
    save_ratings(engine, team.mental_health, meeting, [RatingEntry(team.child.id, RAG.RED)])
    add_action(engine, team.manager, meeting, team.family.id, "Call the GP", team.social_worker.id, MEETING_DAY)
    open_family(engine, team.manager, meeting, team.family.id)
    mark_discussed(engine, team.manager, meeting, team.family.id)
    close_meeting(engine, team.manager, meeting)


def build_busy_month(engine: Engine, folder: Path) -> BusyMonth:
    with transaction(engine) as s:
        first = make_team(s, "Stevenage A", ref="F-1")
        second = make_team(s, "Hitchin B", ref="F-2")
        admin = User(display_name="Ada Admin", email="admin@example.org", role=Role.ADMINISTRATOR)
        s.add(admin)
        s.flush()
        family_reference, child_reference = str(first.family.id), str(second.family.id)
    for team in (first, second):
        _other_teams_month(engine, team)

    office = add_office(engine, admin, "North office")
    oak = add_team(engine, admin, "Oak", office.id)
    update_team(engine, admin, oak.id, "Oak team", office.id)
    manager = create_user(
        engine, admin, email="tm.oak@example.org", display_name="Tess Oak", role=Role.TEAM_MANAGER, team_name="Oak team"
    )
    sw = create_user(
        engine,
        admin,
        email="sam.khan@example.org",
        display_name="Sam Khan",
        role=Role.SOCIAL_WORKER,
        team_name="Oak team",
        password=PASSWORD,
    )
    mh = create_user(
        engine,
        admin,
        email="mo.reid@example.org",
        display_name="Mo Reid",
        role=Role.MENTAL_HEALTH_PRACTITIONER,
        team_name="Oak team",
    )
    set_table_view(engine, sw, True)
    sign_in(engine, "sam.khan@example.org", PASSWORD)

    mapping = load_mapping(MAPPING)
    created = _ssd_tables(family_reference, child_reference, first_name="Amira", cp_from="2026-02-01")
    import_ssd(engine, admin, read_folder(write_extract(folder / "first", created)), mapping, today=SSD_DAY)
    changed = _ssd_tables(family_reference, child_reference, first_name="Amirah", cp_from="2026-02-03")
    import_ssd(engine, None, read_folder(write_extract(folder / "second", changed)), mapping, today=SSD_DAY)
    with reading(engine) as s:
        family = s.scalars(select(Family).where(Family.case_reference == family_reference)).one()
        child = s.scalars(select(Child).where(Child.case_reference == child_reference)).one()
        sibling = s.scalars(select(Child).where(Child.case_reference == SIBLING_REFERENCE)).one()

    meeting = open_meeting(engine, manager, oak.id, MEETING_DAY)
    amira, idris = child.id, sibling.id
    save_ratings(engine, sw, meeting.id, [RatingEntry(amira, RAG.AMBER, RATIONALE), RatingEntry(idris, RAG.GREEN)])
    [changed_rating] = save_ratings(
        engine, sw, meeting.id, [RatingEntry(amira, RAG.RED, RATIONALE, expected_version=1)]
    )
    [wrong] = save_ratings(engine, mh, meeting.id, [RatingEntry(idris, RAG.RED, "Worried about Idris")])
    action = add_action(engine, manager, meeting.id, family.id, ACTION_TEXT, sw.id, MEETING_DAY + dt.timedelta(days=7))
    set_meeting_length(engine, manager, meeting.id, 90)
    open_family(engine, manager, meeting.id, family.id)
    run_the_clock(engine, manager, meeting.id, family.id, True)
    mark_discussed(engine, manager, meeting.id, family.id)
    mark_discussed(engine, manager, meeting.id, family.id, discussed=False)
    mark_discussed(engine, manager, meeting.id, family.id)
    record_view(engine, sw, "family", family.id)
    record_download(engine, manager, "caseload_csv", meeting.id, {"rows": 1, "filters": {"bands": ["red"]}})
    close_meeting(engine, manager, meeting.id)
    correct_rating(engine, manager, wrong.id, RAG.AMBER, REASON, expected_version=1)
    complete_action(
        engine, manager, action.id, MEETING_DAY + dt.timedelta(days=3), today=MEETING_DAY + dt.timedelta(days=3)
    )
    assert changed_rating.version == 2

    involvement = add_involvement(engine, admin, family.id, manager.id, dt.date(2026, 3, 1))
    end_involvement(engine, admin, involvement.id, dt.date(2026, 9, 1))
    plan_changed = [
        {
            "family_reference": family_reference,
            "team": "Oak team",
            "opened_on": "05/01/2026",
            "allocated_social_worker_email": "sam.khan@example.org",
            "child_reference": reference,
            "child_first_name": name,
            "date_of_birth": born,
            "legal_status": status,
            "legal_status_from": "2026-10-16",
            "involved_practitioner_emails": "sam.khan@example.org; mo.reid@example.org",
        }
        for reference, name, born, status in (
            (child_reference, "Amirah", "02/03/2018", "plo"),
            (SIBLING_REFERENCE, "Idris", "09/05/2016", "cin"),
        )
    ]
    import_caseload(engine, admin, "oak.csv", _caseload_file(plan_changed), today=dt.date(2026, 10, 20))
    another = plan_changed[0] | {"family_reference": "OAK-2", "child_reference": "OAK-2-1", "child_first_name": "Zed"}
    import_caseload(
        engine, None, "oak-2.csv", _caseload_file([another]), team="Oak team", close_missing=True, today=CLOSING_DAY
    )
    subject_access_export(engine, admin, family_reference=family_reference)
    subject_access_export(engine, None, child_reference=child_reference)
    record_download(engine, admin, "subject_access_zip", None, {"subject": f"family {family_reference}"})
    record_download(engine, admin, "subject_access_pdf", None, {"subject": f"child {child_reference}"})
    record_download(engine, admin, "audit_csv", None, {"rows": 9, "filters": {"case_reference": family_reference}})
    record_download(engine, admin, "audit_csv", None, {"rows": 4, "filters": {"child_reference": child_reference}})
    set_retention_policy(engine, admin, 1)
    with transaction(engine) as s:
        subject = s.get_one(Family, family.id)
        subject.opened_on, subject.closed_on = dt.date(2022, 1, 5), dt.date(2024, 6, 30)
    with reading(engine) as s:
        family = s.get_one(Family, family.id)
        closed = s.get_one(Meeting, meeting.id)
    return BusyMonth(admin, manager, sw, mh, first, second, family, child, sibling, closed)
