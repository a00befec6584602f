"""Recording ratings: one professional's red/amber/green per child per meeting.

A family's ratings are saved together, all or nothing, with the professional's update for the family
(db.services.supervision) in the same transaction. Each save names the version it was made against, so a
colleague's (or another device's) later save is never silently overwritten: the save is refused and the page keeps
what was typed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Engine, and_, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from db.access import AccessDenied, require_case_team, visible_families
from db.errors import InvalidInput, MeetingClosed, NotFound, StaleRating
from db.models import RATIONALE_MAX, Child, Family, Involvement, Meeting, Rating, SupervisionUpdate, User
from db.plain_text import clean_text
from db.services.audit import record
from db.services.meeting_changes import bump_meeting_change
from db.services.supervision import UpdateEntry, save_update_in
from db.session import transaction
from risk.vocabulary import RAG, RATING_WORDS, MeetingStatus


@dataclass(frozen=True)
class RatingEntry:
    """What the rating form sends for one child. `expected_version` is the version the user saw (None: new)."""

    child_id: int
    rag: RAG
    rationale: str | None = None
    expected_version: int | None = None


def _clean_rationale(text: str | None) -> str | None:
    """The same cleaning as every other free text: a NUL would raise a database error on PostgreSQL (and be stored
    on SQLite), other control characters would break the spreadsheet exports."""
    return clean_text(text or "", what="The rationale", limit=RATIONALE_MAX, multiline=True, required=False) or None


def rateable_family_ids(session: Session, actor: User, meeting: Meeting) -> set[int]:
    """Families of the meeting's team that the actor works with on the meeting date: the only ones they rate."""
    day = meeting.held_on
    return set(
        session.scalars(
            select(Involvement.family_id)
            .join(Family, Family.id == Involvement.family_id)
            .where(
                Family.team_id == meeting.team_id,
                Involvement.practitioner_id == actor.id,
                Involvement.started_on <= day,
                or_(Involvement.ended_on.is_(None), Involvement.ended_on > day),
                and_(Family.opened_on <= day, or_(Family.closed_on.is_(None), Family.closed_on >= day)),
                visible_families(),
            )
        )
    )


def _open_meeting(session: Session, actor: User | None, meeting_id: int) -> tuple[User, Meeting]:
    meeting = session.get(Meeting, meeting_id)
    if meeting is None:
        raise NotFound("That meeting does not exist.")
    actor = require_case_team(session, actor, meeting.team_id)
    if meeting.status is not MeetingStatus.OPEN:
        raise MeetingClosed(
            f"The meeting of {meeting.held_on:%d/%m/%Y} has closed, so its ratings are locked. "
            "A team manager can record a correction with a reason."
        )
    return actor, meeting


@dataclass(frozen=True)
class SavedForm:
    """What one save of a family's form wrote: the ratings that changed, and the update if it changed."""

    ratings: list[Rating]
    update: SupervisionUpdate | None


def save_ratings(engine: Engine, actor: User | None, meeting_id: int, entries: Sequence[RatingEntry]) -> list[Rating]:
    """Save the actor's ratings for some children at an open meeting, in one transaction.

    Refused as a whole if any child is not one the actor works with, or if any rating changed since the actor
    loaded it; in that case nothing is written and the message names the child.
    """
    return save_family_form(engine, actor, meeting_id, entries).ratings


def save_family_form(
    engine: Engine,
    actor: User | None,
    meeting_id: int,
    entries: Sequence[RatingEntry],
    update: UpdateEntry | None = None,
) -> SavedForm:
    """Save a family's form from the Rate page: the actor's ratings of its children and their update for the
    family, in one transaction, all or nothing. Either one refused (a child or family the actor does not work with,
    a rating or the update changed since the actor loaded it, text that cannot be stored) refuses the whole save."""
    if not entries and update is None:
        raise InvalidInput(f"Choose {RATING_WORDS} for at least one child before saving.")
    with transaction(engine) as session:
        actor, meeting = _open_meeting(session, actor, meeting_id)
        allowed = rateable_family_ids(session, actor, meeting)
        child_ids = [e.child_id for e in entries]
        children = {c.id: c for c in session.scalars(select(Child).where(Child.id.in_(child_ids)))}
        existing = {
            r.child_id: r
            for r in session.scalars(
                select(Rating).where(
                    Rating.meeting_id == meeting.id,
                    Rating.practitioner_id == actor.id,
                    Rating.child_id.in_(child_ids),
                )
            )
        }
        saved: list[Rating] = []
        for entry in entries:
            child = children.get(entry.child_id)
            if child is None or child.family_id not in allowed:
                raise AccessDenied("You can only rate children of families you work with in this team.")
            rag = RAG(entry.rag)
            rationale = _clean_rationale(entry.rationale)
            current = existing.get(entry.child_id)
            # Read before the flush: a flush that loses a race rolls the session back, and every ORM attribute
            # read after that fails instead of giving the user their message.
            changed_elsewhere = StaleRating(
                f"Your rating of {child.first_name} was changed elsewhere (another tab or device) after you opened "
                "this page. Nothing was saved; your choices are still on screen. Reload to see the latest, then "
                "save again."
            )
            if (current.version if current else None) != entry.expected_version:
                raise changed_elsewhere
            if current is None:
                rating = Rating(
                    meeting_id=meeting.id, child_id=child.id, practitioner_id=actor.id, rag=rag, rationale=rationale
                )
                session.add(rating)
                before = None
            else:
                if current.rag is rag and current.rationale == rationale:
                    continue
                rating = current
                before = {"rag": current.rag.value, "rationale": current.rationale, "version": current.version}
                rating.rag, rating.rationale = rag, rationale
            try:
                session.flush()
            except (IntegrityError, StaleDataError) as exc:
                raise changed_elsewhere from exc
            after = {"rag": rating.rag.value, "rationale": rating.rationale, "version": rating.version}
            record(
                session,
                actor,
                "rating.update" if before else "rating.create",
                "rating",
                rating.id,
                before=before,
                after=after | {"meeting_id": meeting.id, "child_id": child.id},
            )
            saved.append(rating)
        written = save_update_in(session, actor, meeting, allowed, update) if update is not None else None
        if saved or written is not None:
            bump_meeting_change(session, meeting.id)
        return SavedForm(saved, written)
