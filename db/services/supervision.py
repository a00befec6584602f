"""What supervision records beside the ratings: each professional's update for a family, and the chair's decision.

A professional's update (what they did with the family since the last meeting) is saved with their ratings of the
family's children, in the same transaction (db.services.ratings.save_family_form), against the version they loaded:
a later save from another tab or device is refused, never silently overwritten. The chair's decision (the decision
and next steps, an outcome from the administrator's list and the next review) is one per family and meeting,
recorded by the team manager, with the same protection. Both are editable while the meeting is open; once it has
closed, only the team manager corrects them, with a reason that is kept on the record.

The audit trail records who wrote and changed them, and what changed, never the text: the administrators who read
the trail see that an update changed, not what it says (the verbs are withheld like ratings', db.queries.
audit_search.WITHHELD_VERBS).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Engine, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from db.access import AccessDenied, require_manager_of, require_visible_family
from db.errors import InvalidInput, MeetingClosed, NotFound, StaleRating
from db.models import RATIONALE_MAX, ChoiceItem, FamilyDecision, Meeting, SupervisionUpdate, User
from db.plain_text import clean_text
from db.services.audit import record
from db.services.corrections import REASON_MIN
from db.services.discussions import family_on_caseload
from db.services.meeting_changes import bump_meeting_change
from db.session import transaction
from risk.supervision import DECISION_TEXT_MAX, UPDATE_TEXT_MAX, ChoiceKind
from risk.vocabulary import MeetingStatus

UPDATE_VERBS = ("supervision_update.create", "supervision_update.update", "supervision_update.correct")
DECISION_VERBS = ("family_decision.create", "family_decision.update", "family_decision.correct")


@dataclass(frozen=True)
class UpdateEntry:
    """What the Rate page's form sends for a family: the update as typed and the kind of work (None: not said).
    `expected_version` is the version of the actor's update the form was drawn with (None: there was none)."""

    family_id: int
    text: str | None
    work_kind_id: int | None = None
    expected_version: int | None = None


def clean_update_text(text: str | None) -> str | None:
    """The update as stored: trimmed, checked as plain text (no control characters, at most UPDATE_TEXT_MAX)."""
    return clean_text(text or "", what="Your update", limit=UPDATE_TEXT_MAX, multiline=True, required=False) or None


def _clean_decision_text(text: str | None) -> str:
    return clean_text(text or "", what="The decision and next steps", limit=DECISION_TEXT_MAX, multiline=True)


def _clean_reason(reason: str | None) -> str:
    reason = " ".join((reason or "").split())
    if len(reason) < REASON_MIN:
        raise InvalidInput(
            f"Say why it is corrected (at least {REASON_MIN} characters): the reason stays on the record."
        )
    return clean_text(reason, what="The reason", limit=RATIONALE_MAX, multiline=True)


def _choice(session: Session, kind: ChoiceKind, choice_id: int | None, keep: int | None) -> int | None:
    """`choice_id` if it is an entry of the list `kind` that is offered now, or the one the record already holds
    (a retired entry stays on the records that chose it); InvalidInput otherwise."""
    if choice_id is None:
        return None
    item = session.get(ChoiceItem, choice_id)
    if item is None or item.kind is not kind or (item.retired_at is not None and choice_id != keep):
        what = "kind of work" if kind is ChoiceKind.WORK_KIND else "outcome"
        raise InvalidInput(f"That {what} is no longer on the list: choose another.")
    return item.id


def save_update_in(
    session: Session, actor: User, meeting: Meeting, allowed: set[int], entry: UpdateEntry
) -> SupervisionUpdate | None:
    """Save the actor's update inside the caller's transaction (the one saving their ratings of the family), or
    refuse the whole save. None when there was nothing to change."""
    if entry.family_id not in allowed:
        raise AccessDenied("You can only write updates for families you work with in this team.")
    text = clean_update_text(entry.text)
    current = session.scalars(
        select(SupervisionUpdate).where(
            SupervisionUpdate.meeting_id == meeting.id,
            SupervisionUpdate.family_id == entry.family_id,
            SupervisionUpdate.author_id == actor.id,
        )
    ).one_or_none()
    changed_elsewhere = StaleRating(
        "Your update for this family was changed elsewhere (another tab or device) after you opened this page. "
        "Nothing was saved; what you typed is still on screen. Reload to see the latest, then save again."
    )
    if (current.version if current else None) != entry.expected_version:
        raise changed_elsewhere
    work_kind_id = _choice(session, ChoiceKind.WORK_KIND, entry.work_kind_id, current.work_kind_id if current else None)
    if current is None:
        if text is None and work_kind_id is None:
            return None
        update = SupervisionUpdate(
            meeting_id=meeting.id,
            family_id=entry.family_id,
            author_id=actor.id,
            role=actor.role,
            work_kind_id=work_kind_id,
            text=text,
        )
        session.add(update)
        before = None
    else:
        if current.text == text and current.work_kind_id == work_kind_id:
            return None
        update = current
        before = {"version": current.version, "work_kind_id": current.work_kind_id}
        update.text, update.work_kind_id = text, work_kind_id
    try:
        session.flush()
    except (IntegrityError, StaleDataError) as exc:
        raise changed_elsewhere from exc
    record(
        session,
        actor,
        UPDATE_VERBS[1] if before else UPDATE_VERBS[0],
        "supervision_update",
        update.id,
        before=before,
        after={
            "version": update.version,
            "work_kind_id": update.work_kind_id,
            "text_changed": True,
            "meeting_id": meeting.id,
            "family_id": entry.family_id,
        },
    )
    return update


def _closed_meeting_of(session: Session, actor: User | None, meeting_id: int) -> tuple[User, Meeting]:
    meeting = session.get(Meeting, meeting_id)
    if meeting is None:
        raise NotFound("That meeting does not exist.")
    actor = require_manager_of(session, actor, meeting.team_id)
    if meeting.status is not MeetingStatus.CLOSED:
        raise InvalidInput("This meeting is still open: it can be changed without a correction.")
    return actor, meeting


def correct_update(
    engine: Engine,
    actor: User | None,
    update_id: int,
    text: str | None,
    work_kind_id: int | None,
    reason: str,
    expected_version: int,
) -> SupervisionUpdate:
    """The team manager corrects a professional's update of a closed meeting, saying why; the reason is kept on
    the update and in the audit trail."""
    with transaction(engine) as session:
        update = session.get(SupervisionUpdate, update_id)
        if update is None:
            raise NotFound("That update does not exist.")
        actor, meeting = _closed_meeting_of(session, actor, update.meeting_id)
        require_visible_family(session, update.family_id)
        reason = _clean_reason(reason)
        text = clean_update_text(text)
        stale = StaleRating("This update was corrected by someone else a moment ago. Reload to see it.")
        if update.version != expected_version:
            raise stale
        work_kind_id = _choice(session, ChoiceKind.WORK_KIND, work_kind_id, update.work_kind_id)
        if update.text == text and update.work_kind_id == work_kind_id:
            raise InvalidInput("The update is unchanged: nothing to correct.")
        before = {"version": update.version, "work_kind_id": update.work_kind_id}
        update.text, update.work_kind_id, update.correction_reason = text, work_kind_id, reason
        try:
            session.flush()
        except StaleDataError as exc:
            raise stale from exc
        record(
            session,
            actor,
            UPDATE_VERBS[2],
            "supervision_update",
            update.id,
            before=before,
            after={
                "version": update.version,
                "work_kind_id": work_kind_id,
                "text_changed": True,
                "reason": reason,
                "meeting_id": meeting.id,
                "family_id": update.family_id,
            },
        )
        return update


def _decision_audit(decision: FamilyDecision) -> dict[str, object]:
    return {
        "version": decision.version,
        "outcome_id": decision.outcome_id,
        "next_review_on": decision.next_review_on.isoformat() if decision.next_review_on else None,
    }


def record_decision(
    engine: Engine,
    actor: User | None,
    meeting_id: int,
    family_id: int,
    text: str,
    outcome_id: int,
    next_review_on: dt.date | None,
    expected_version: int | None,
) -> FamilyDecision:
    """The chair records (or changes) the decision for a family on an open meeting's caseload, against the version
    they saw (None: there was none); a decision changed since on another screen is never overwritten."""
    text = _clean_decision_text(text)
    with transaction(engine) as session:
        meeting = session.get(Meeting, meeting_id)
        if meeting is None:
            raise NotFound("That meeting does not exist.")
        actor = require_manager_of(session, actor, meeting.team_id)
        if meeting.status is not MeetingStatus.OPEN:
            raise MeetingClosed(
                f"The meeting of {meeting.held_on:%d/%m/%Y} has closed, so its decisions are locked. "
                "A team manager can record a correction with a reason."
            )
        family = family_on_caseload(session, meeting, family_id)
        if next_review_on is not None and next_review_on <= meeting.held_on:
            raise InvalidInput("The next review must be after the meeting.")
        current = session.scalars(
            select(FamilyDecision).where(FamilyDecision.meeting_id == meeting.id, FamilyDecision.family_id == family_id)
        ).one_or_none()
        stale = StaleRating(
            f"The decision for {family.case_reference} was changed on another screen after you opened it. Nothing "
            "was saved; what you typed is still on screen. Reload to see the latest, then save again."
        )
        if (current.version if current else None) != expected_version:
            raise stale
        chosen = _choice(session, ChoiceKind.OUTCOME, outcome_id, current.outcome_id if current else None)
        if chosen is None:
            raise InvalidInput("Choose the outcome before saving the decision.")
        if current is None:
            decision = FamilyDecision(
                meeting_id=meeting.id,
                family_id=family_id,
                chair_id=actor.id,
                text=text,
                outcome_id=chosen,
                next_review_on=next_review_on,
            )
            session.add(decision)
            before = None
        else:
            if (current.text, current.outcome_id, current.next_review_on) == (text, chosen, next_review_on):
                return current
            decision = current
            before = _decision_audit(current)
            decision.text, decision.outcome_id, decision.next_review_on = text, chosen, next_review_on
            decision.chair_id = actor.id
        try:
            session.flush()
        except (IntegrityError, StaleDataError) as exc:
            raise stale from exc
        record(
            session,
            actor,
            DECISION_VERBS[1] if before else DECISION_VERBS[0],
            "family_decision",
            decision.id,
            before=before,
            after=_decision_audit(decision) | {"text_changed": True, "meeting_id": meeting.id, "family_id": family_id},
        )
        bump_meeting_change(session, meeting.id)
        return decision


def correct_decision(
    engine: Engine,
    actor: User | None,
    decision_id: int,
    text: str,
    outcome_id: int,
    next_review_on: dt.date | None,
    reason: str,
    expected_version: int,
) -> FamilyDecision:
    """The team manager corrects the decision of a closed meeting, saying why; the reason is kept."""
    text = _clean_decision_text(text)
    with transaction(engine) as session:
        decision = session.get(FamilyDecision, decision_id)
        if decision is None:
            raise NotFound("That decision does not exist.")
        actor, meeting = _closed_meeting_of(session, actor, decision.meeting_id)
        require_visible_family(session, decision.family_id)
        reason = _clean_reason(reason)
        stale = StaleRating("This decision was corrected by someone else a moment ago. Reload to see it.")
        if decision.version != expected_version:
            raise stale
        chosen = _choice(session, ChoiceKind.OUTCOME, outcome_id, decision.outcome_id)
        if (decision.text, decision.outcome_id, decision.next_review_on) == (text, chosen, next_review_on):
            raise InvalidInput("The decision is unchanged: nothing to correct.")
        before = _decision_audit(decision)
        decision.text, decision.next_review_on, decision.correction_reason = text, next_review_on, reason
        decision.outcome_id = chosen or decision.outcome_id
        try:
            session.flush()
        except StaleDataError as exc:
            raise stale from exc
        record(
            session,
            actor,
            DECISION_VERBS[2],
            "family_decision",
            decision.id,
            before=before,
            after=_decision_audit(decision)
            | {"text_changed": True, "reason": reason, "meeting_id": meeting.id, "family_id": decision.family_id},
        )
        return decision
