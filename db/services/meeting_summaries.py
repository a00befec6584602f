"""What the Service overview needs from a closed meeting's ratings, grouped once and stored.

The raters' agreement counts, per child, how many professionals rated it green, amber and red; each role beside
its colleagues compares every rating with the others given to the same child at the same meeting. Grouping every
rating of the months shown each time took seconds on the largest county, and a closed meeting's ratings only
change by a correction. So the groups are stored (MeetingRatingMix, MeetingRoleComparison) in the same
transaction that stores the meeting's scores: at the close, at a correction and at a rebuild
(`fsdash scores rebuild`, which fills them for meetings closed before they existed). Only children two or more
professionals rated count: with one rating there is nobody to agree with.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from db.models import MeetingRatingMix, MeetingRoleComparison, Rating, User
from risk.vocabulary import RAG, Role

LEVELS = (RAG.GREEN, RAG.AMBER, RAG.RED)


def store_meeting_summaries(session: Session, meeting_ids: Sequence[int]) -> None:
    """Group these meetings' ratings and store the groups in place of any stored before, inside the caller's
    transaction. One read of the ratings and one write of each table, however many meetings (a rebuild passes a
    team's whole history at once)."""
    if not meeting_ids:
        return
    by_unit: dict[tuple[int, int], list[tuple[Role, RAG]]] = defaultdict(list)
    for meeting_id, child_id, role, rag in session.execute(
        select(Rating.meeting_id, Rating.child_id, User.role, Rating.rag)
        .join(User, User.id == Rating.practitioner_id)
        .where(Rating.meeting_id.in_(meeting_ids))
    ):
        by_unit[meeting_id, child_id].append((role, rag))
    mixes: Counter[tuple[int, int, int, int]] = Counter()
    comparisons: dict[tuple[int, Role, RAG], list[int]] = {}
    for (meeting_id, _), given in by_unit.items():
        if len(given) < 2:
            continue
        counts = Counter(rag for _, rag in given)
        greens, ambers, reds = (counts[level] for level in LEVELS)
        mixes[meeting_id, greens, ambers, reds] += 1
        for role, rag in given:
            tally = comparisons.setdefault((meeting_id, role, rag), [0, 0, 0, 0])
            tally[0] += 1
            tally[1] += greens
            tally[2] += ambers
            tally[3] += reds
    session.execute(delete(MeetingRatingMix).where(MeetingRatingMix.meeting_id.in_(meeting_ids)))
    session.execute(delete(MeetingRoleComparison).where(MeetingRoleComparison.meeting_id.in_(meeting_ids)))
    if mixes:
        session.execute(
            insert(MeetingRatingMix),
            [
                {"meeting_id": m, "greens": g, "ambers": a, "reds": r, "children": n}
                for (m, g, a, r), n in mixes.items()
            ],
        )
    if comparisons:
        session.execute(
            insert(MeetingRoleComparison),
            [
                {"meeting_id": m, "role": role, "rag": rag, "ratings": n, "greens": g, "ambers": a, "reds": r}
                for (m, role, rag), (n, g, a, r) in comparisons.items()
            ],
        )
