"""The groups of a closed meeting's ratings that the Service overview adds up are stored when it closes, stored
again at a correction and at a rebuild, and always equal the ratings grouped afresh: checked here on the demo
service (seeded as `fsdash seed` does: the data, then the rebuild) against a grouping of every rating, the way
the overview grouped them before the summaries existed."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from sqlalchemy import Engine, case, func, select

from db.models import Meeting, MeetingRatingMix, MeetingRoleComparison, Rating, User
from db.services.corrections import correct_rating
from db.services.meetings import close_meeting
from db.services.scores import rebuild_scores
from db.session import reading
from risk.vocabulary import RAG, MeetingStatus, Role
from seed import load_seed

TODAY = dt.date(2026, 11, 20)
LEVELS = (RAG.GREEN, RAG.AMBER, RAG.RED)


@pytest.fixture
def seeded(engine: Engine) -> Engine:
    load_seed(engine, "demo", random_seed=1, today=TODAY)
    rebuild_scores(engine, actor=None)
    return engine


def _from_ratings(engine: Engine) -> tuple[Counter[tuple[int, ...]], Counter[tuple[object, ...]]]:
    """Every closed meeting's mixes and role comparisons, grouped from the ratings by the database."""
    counts = [func.sum(case((Rating.rag == level, 1), else_=0)).label(level.value) for level in LEVELS]
    units = (
        select(Rating.meeting_id, Rating.child_id, *counts)
        .join(Meeting, Meeting.id == Rating.meeting_id)
        .where(Meeting.status == MeetingStatus.CLOSED)
        .group_by(Rating.meeting_id, Rating.child_id)
        .having(func.count() >= 2)
        .subquery()
    )
    with reading(engine) as s:
        mixes: Counter[tuple[int, ...]] = Counter()
        for meeting_id, *mix in s.execute(select(units)):
            mixes[(meeting_id, *(int(n) for n in mix[1:]))] += 1
        beside: Counter[tuple[object, ...]] = Counter()
        for meeting_id, role, rag, greens, ambers, reds in s.execute(
            select(units.c.meeting_id, User.role, Rating.rag, *(units.c[level.value] for level in LEVELS))
            .join(Rating, (Rating.meeting_id == units.c.meeting_id) & (Rating.child_id == units.c.child_id))
            .join(User, User.id == Rating.practitioner_id)
        ):
            for what, n in (("ratings", 1), ("greens", greens), ("ambers", ambers), ("reds", reds)):
                beside[(meeting_id, Role(role), RAG(rag), what)] += int(n)
    return mixes, beside


def _stored(engine: Engine) -> tuple[Counter[tuple[int, ...]], Counter[tuple[object, ...]]]:
    with reading(engine) as s:
        mixes = Counter(
            {(m.meeting_id, m.greens, m.ambers, m.reds): m.children for m in s.scalars(select(MeetingRatingMix))}
        )
        beside: Counter[tuple[object, ...]] = Counter()
        for c in s.scalars(select(MeetingRoleComparison)):
            for what in ("ratings", "greens", "ambers", "reds"):
                beside[(c.meeting_id, c.role, c.rag, what)] += getattr(c, what)
    return mixes, beside


def test_the_stored_summaries_are_the_ratings_grouped(seeded: Engine) -> None:
    stored, grouped = _stored(seeded), _from_ratings(seeded)
    assert sum(stored[0].values()) > 100  # the demo service has a year of meetings with children rated twice
    assert stored == grouped


def test_a_close_and_a_correction_store_them_again(seeded: Engine) -> None:
    with reading(seeded) as s:
        meeting = s.scalars(select(Meeting).where(Meeting.status == MeetingStatus.OPEN).limit(1)).one()
        chair = s.scalars(
            select(User).where(User.team_id == meeting.team_id, User.role == Role.TEAM_MANAGER, User.active.is_(True))
        ).first()
        rated = s.scalar(select(func.count()).select_from(Rating).where(Rating.meeting_id == meeting.id))
    assert chair is not None and rated
    close_meeting(seeded, chair, meeting.id)
    assert _stored(seeded) == _from_ratings(seeded)
    assert any(key[0] == meeting.id for key in _stored(seeded)[0])

    with reading(seeded) as s:
        rating = s.scalars(select(Rating).where(Rating.meeting_id == meeting.id).limit(1)).one()
    other = RAG.GREEN if rating.rag is not RAG.GREEN else RAG.RED
    correct_rating(seeded, chair, rating.id, other, "Entered for the wrong child", rating.version)
    assert _stored(seeded) == _from_ratings(seeded)
