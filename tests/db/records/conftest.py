"""A family with a year's worth of history in every table, written through the real services so the audit trail
holds what it would in practice; a second family in another team that records work must never touch; an
administrator and a head of service."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from sqlalchemy import Engine, select

from db.models import Child, ChoiceItem, Family, LegalStatusPeriod, User
from db.services.actions import add_action
from db.services.audit import record
from db.services.corrections import correct_rating
from db.services.disclosures import record_download, record_view
from db.services.discussions import mark_discussed
from db.services.meetings import close_meeting
from db.services.ratings import RatingEntry, save_family_form, save_ratings
from db.services.supervision import UpdateEntry, record_decision
from db.session import transaction
from risk.supervision import ChoiceKind
from risk.vocabulary import RAG, LegalStatus, Role
from tests.db.factories import MEETING_DAY, Team1, make_team

WORK_KIND, OUTCOME = ChoiceKind.WORK_KIND, ChoiceKind.OUTCOME

OPENED_ON = dt.date(2022, 1, 5)
CLOSED_ON = dt.date(2024, 6, 30)
"""The family's case is dated in the past so that its retention period can end before today (anonymising is only
ever judged as of today or earlier); its meeting history keeps the factory's dates."""
RATIONALE = "Zebedee told the school Ottoline was left alone overnight"
ACTION_TEXT = "Visit Zebedee and Ottoline at school with the designated safeguarding lead"
REASON = "Entered for Ottoline by mistake at the meeting"
UPDATE_TEXT = "Home visit: Zebedee's father was at the house again"
DECISION_TEXT = "Strategy discussion about Zebedee's father this week"
OLD_NAMES = ("Zebedee", "Ottoline")
OLD_REFERENCES = ("F-77", "F-77-1", "F-77-2")
IDENTIFYING = (*OLD_NAMES, *OLD_REFERENCES, RATIONALE, ACTION_TEXT, REASON, UPDATE_TEXT, DECISION_TEXT)


@dataclass
class Records:
    subject: Team1
    """team with family F-77 (children Zebedee F-77-1 and Ottoline F-77-2), closed after its meeting"""
    other: Team1
    """another team's family F-78, open, which nothing here may change"""
    admin: User
    head_of_service: User
    second_child: Child


def build_records(engine: Engine) -> Records:
    with transaction(engine) as s:
        subject = make_team(s, "Stevenage A", ref="F-77")
        other = make_team(s, "Hitchin B", ref="F-78")
        subject.child.first_name = "Zebedee"
        second = Child(
            family=subject.family, case_reference="F-77-2", first_name="Ottoline", date_of_birth=dt.date(2015, 9, 30)
        )
        s.add(second)
        s.add(LegalStatusPeriod(child=second, status=LegalStatus.CIN, started_on=dt.date(2026, 1, 5)))
        admin = User(display_name="Ada Admin", email="admin@example.org", role=Role.ADMINISTRATOR)
        lead = User(display_name="Hal Head", email="head@example.org", role=Role.SERVICE_LEAD)
        s.add_all([admin, lead])
        s.flush()
        record(
            s,
            admin,
            "family.create",
            "family",
            subject.family.id,
            after={"case_reference": "F-77", "children": ["F-77-1", "F-77-2"], "family_id": subject.family.id},
        )
        # An import that named both families: only F-77's mentions may change, only F-77's may be disclosed.
        record(
            s,
            admin,
            "import",
            "caseload_file",
            "0" * 64,
            after={"file_name": "caseload.csv", "families": {"updated": ["F-77", "F-78"]}, "rows": 3},
        )
        ids = (subject.child.id, second.id)

    sw, mh, manager = subject.social_worker, subject.mental_health, subject.manager
    meeting = subject.meeting.id
    save_ratings(engine, sw, meeting, [RatingEntry(ids[0], RAG.AMBER, RATIONALE), RatingEntry(ids[1], RAG.GREEN)])
    [first] = save_ratings(engine, sw, meeting, [RatingEntry(ids[0], RAG.RED, RATIONALE, expected_version=1)])
    [wrong] = save_ratings(engine, mh, meeting, [RatingEntry(ids[1], RAG.RED, "Worried about Ottoline")])
    save_family_form(engine, sw, meeting, [], UpdateEntry(subject.family.id, UPDATE_TEXT, _first(engine, WORK_KIND)))
    record_decision(engine, manager, meeting, subject.family.id, DECISION_TEXT, _first(engine, OUTCOME), None, None)
    add_action(engine, manager, meeting, subject.family.id, ACTION_TEXT, sw.id, MEETING_DAY + dt.timedelta(days=14))
    mark_discussed(engine, manager, meeting, subject.family.id)
    close_meeting(engine, manager, meeting)
    correct_rating(engine, manager, wrong.id, RAG.AMBER, REASON, expected_version=1)
    assert first.version == 2

    save_ratings(engine, other.social_worker, other.meeting.id, [RatingEntry(other.child.id, RAG.RED, "Amy is fine")])
    save_family_form(engine, other.social_worker, other.meeting.id, [], UpdateEntry(other.family.id, "Amy is fine"))
    close_meeting(engine, other.manager, other.meeting.id)

    record_view(engine, admin, "family", subject.family.id)
    record_download(engine, admin, "audit_csv", None, {"rows": 12, "filters": {"case_reference": "f-77"}})
    with transaction(engine) as s:
        family = s.get_one(Family, subject.family.id)
        family.opened_on, family.closed_on = OPENED_ON, CLOSED_ON
    return Records(subject, other, admin, lead, second)


def _first(engine: Engine, kind: ChoiceKind) -> int:
    with transaction(engine) as s:
        return s.scalars(select(ChoiceItem.id).where(ChoiceItem.kind == kind).order_by(ChoiceItem.id)).first() or 0


@pytest.fixture
def records(engine: Engine) -> Records:
    return build_records(engine)
