"""Correcting a rating after its meeting closed: only the team's manager, only with a reason.

The closed record stays trustworthy because a correction is never silent: the rating's version goes up, the audit
trail keeps the old and new value with the reason and who made it, and the meeting's stored scores are computed
again from the corrected ratings in the same transaction.
"""

from __future__ import annotations

from sqlalchemy import Engine
from sqlalchemy.orm.exc import StaleDataError

from db.access import require_manager_of, require_visible_family
from db.errors import InvalidInput, NotFound, StaleRating
from db.models import RATIONALE_MAX, Child, Meeting, Rating, User
from db.plain_text import clean_text
from db.services.audit import record
from db.services.meeting_changes import bump_open_meetings
from db.services.meeting_summaries import store_meeting_summaries
from db.services.scores import store_meeting_scores
from db.session import transaction
from risk.vocabulary import RAG, MeetingStatus

REASON_MIN = 10


def correct_rating(
    engine: Engine, actor: User | None, rating_id: int, rag: RAG, reason: str, expected_version: int
) -> Rating:
    """Change one rating of a closed meeting to `rag`, recording `reason`; the meeting's scores are restored."""
    reason = " ".join((reason or "").split())
    with transaction(engine) as session:
        rating = session.get(Rating, rating_id)
        if rating is None:
            raise NotFound("That rating does not exist.")
        meeting = session.get_one(Meeting, rating.meeting_id)
        actor = require_manager_of(session, actor, meeting.team_id)
        require_visible_family(session, session.get_one(Child, rating.child_id).family_id)
        if meeting.status is not MeetingStatus.CLOSED:
            raise InvalidInput("This meeting is still open: the professional can change their own rating.")
        if len(reason) < REASON_MIN:
            raise InvalidInput(
                f"Say why the rating is corrected (at least {REASON_MIN} characters): the reason stays on the record."
            )
        if len(reason) > RATIONALE_MAX:
            raise InvalidInput(f"The reason is {len(reason)} characters long; keep it to {RATIONALE_MAX}.")
        reason = clean_text(reason, what="The reason", limit=RATIONALE_MAX, multiline=True)
        if rating.version != expected_version:
            raise StaleRating("This rating was corrected by someone else a moment ago. Reload to see it.")
        rag = RAG(rag)
        if rating.rag is rag:
            raise InvalidInput(f"The rating is already {rag.label.lower()}: nothing to correct.")
        before = {"rag": rating.rag.value, "version": rating.version}
        rating.rag = rag
        try:
            session.flush()
        except StaleDataError as exc:
            raise StaleRating("This rating was corrected by someone else a moment ago. Reload to see it.") from exc
        record(
            session,
            actor,
            "rating.correct",
            "rating",
            rating.id,
            before=before,
            after={"rag": rag.value, "version": rating.version, "reason": reason, "meeting_id": meeting.id},
        )
        store_meeting_scores(session, actor, meeting)
        store_meeting_summaries(session, [meeting.id])
        bump_open_meetings(session, [meeting.team_id])  # the open meeting's trend is measured against these scores
        return rating
