"""The meeting's record of discussion as every member of the team sees it: which families were discussed, for how
long (the open family's running time included), what the chair has open, and the planned length."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from db.access import require_case_team, visible_families
from db.errors import NotFound
from db.models import Family, FamilyDecision, FamilyDiscussion, Meeting, User, utcnow
from db.queries.live_meeting import shared_while_open
from db.services.discussions import as_utc
from db.session import reading
from risk.meeting_pace import discussion_words
from risk.vocabulary import MeetingStatus


@dataclass(frozen=True)
class DiscussionRecord:
    meeting_id: int
    is_open: bool
    focus_family_id: int | None
    clock_running: bool
    planned_minutes: int | None
    discussed_ids: frozenset[int]
    seconds_by_family: dict[int, int] = field(default_factory=dict)
    kept: bool = False
    """Whether anything was recorded at all: meetings held before the record existed have none."""
    decided_ids: frozenset[int] = frozenset()
    """The families the chair has recorded a decision for at this meeting."""

    def without_decision(self, family_ids: list[int]) -> list[int]:
        """Of `family_ids`, those discussed that have no decision: what the close form lists."""
        return [f for f in family_ids if self.discussed(f) and f not in self.decided_ids]

    def discussed(self, family_id: int) -> bool:
        return family_id in self.discussed_ids

    def seconds(self, family_id: int) -> int:
        return self.seconds_by_family.get(family_id, 0)

    def total_seconds(self, family_ids: list[int]) -> int:
        return sum(self.seconds(f) for f in family_ids)

    def words(self, family_id: int, family_ids: list[int]) -> str:
        """Where one family's discussion and the whole meeting (`family_ids`, the families on the list) stand:
        'Discussed (4 minutes) · 12 of 40 families discussed in 38 minutes · …', from the record alone."""
        return discussion_words(
            discussed=self.discussed(family_id),
            seconds=self.seconds(family_id),
            families=len(family_ids),
            families_discussed=sum(self.discussed(f) for f in family_ids),
            spent_seconds=self.total_seconds(family_ids),
            planned_minutes=self.planned_minutes,
            clock_running=self.clock_running if self.is_open else None,
        )


def meeting_discussions(engine: Engine, actor: User | None, meeting_id: int) -> DiscussionRecord:
    """The record for anyone who may see the team's cases (followers read the chair's open family from here).

    An open meeting's stored record at its change mark is read once per process and shared (after the access
    check, db/queries/live_meeting.py); the running time of the family open on the chair's screen is added at
    every call, since it grows without anything being written."""
    with reading(engine) as session:
        meeting = session.get(Meeting, meeting_id)
        if meeting is None:
            raise NotFound("That meeting does not exist.")
        require_case_team(session, actor, meeting.team_id)
        stored = shared_while_open(meeting, "discussions", lambda: _stored_record(session, meeting))
    opened_at, focus = meeting.focus_opened_at, meeting.focus_family_id
    if opened_at is None or focus is None:
        return stored
    seconds = dict(stored.seconds_by_family)
    seconds[focus] = seconds.get(focus, 0) + max(int((utcnow() - as_utc(opened_at)).total_seconds()), 0)
    return replace(stored, seconds_by_family=seconds)


def _stored_record(session: Session, meeting: Meeting) -> DiscussionRecord:
    """The record as written: the time of every finished stretch, without the one still running."""
    rows = session.execute(
        select(FamilyDiscussion.family_id, FamilyDiscussion.seconds_spent, FamilyDiscussion.discussed_at)
        .join(Family, Family.id == FamilyDiscussion.family_id)
        .where(FamilyDiscussion.meeting_id == meeting.id, visible_families())
    ).all()
    return DiscussionRecord(
        meeting_id=meeting.id,
        is_open=meeting.status is MeetingStatus.OPEN,
        focus_family_id=meeting.focus_family_id,
        clock_running=meeting.focus_opened_at is not None and meeting.focus_family_id is not None,
        planned_minutes=meeting.planned_minutes,
        discussed_ids=frozenset(r.family_id for r in rows if r.discussed_at is not None),
        seconds_by_family={r.family_id: r.seconds_spent for r in rows},
        kept=bool(rows),
        decided_ids=frozenset(
            session.scalars(
                select(FamilyDecision.family_id)
                .join(Family, Family.id == FamilyDecision.family_id)
                .where(FamilyDecision.meeting_id == meeting.id, visible_families())
            )
        ),
    )
