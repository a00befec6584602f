"""Erasing a family or a child that should never have been in fsdash (imported into the wrong team, a duplicate,
test data): administrators only, with a reason, in one transaction, audited without naming anyone.

Everything about them goes. The rows to delete are found from the schema, not from a list: every row whose
required foreign key points at an erased row goes too (a child's ratings and legal status, a family's children,
involvement, actions, scores, record of discussion, anonymisation; and whatever tables are added later), and a
nullable reference to one (the chair's screen showing the family) is cleared, unless its column's `info` says
`{"on_erase": "delete"}`. The scores of the closed meetings affected are stored again (db.services.scores), so
the ranks and, for a child, the family's band and explanation are what they would have been without it.

The audit trail is append-only, so its events stay, but what they held about the erased records goes, through the
one door the triggers allow (db.records.audit_rewrite), over the one selection of the events about them
(db.queries.audit_about): their own events lose their details (left as `{"erased": <token>}`), a meeting's stored
scores lose the family's entry, and events that named them by reference (an import's lists, a search) name them by
a random token instead (`ERASED-…`, never derived from a reference). What remains is one event saying what kind of
record was erased, its token, the counts, by whom and why: the reason is chosen from a fixed list and the
explanation is refused if it holds a reference, a name or a date of birth of what is erased.

Ids are never handed out again (migration 0009), so the events about an erased record never read as a new one's.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Column, Engine, Table, delete, func, select, update
from sqlalchemy.orm import Session

from db.access import require_admin
from db.errors import InvalidInput, NotFound
from db.models import Action, AuditEvent, Base, Child, Family, FamilyRiskScore, Meeting, Rating, User
from db.queries.audit_about import CHILD, FAMILY, SHARED, Subject, child_subject, events_about, family_subject
from db.queries.audit_about import rename_references as _rename_references
from db.records.audit_rewrite import audit_permit, rewrite_details
from db.records.pseudonyms import ReferenceReplacer, map_json
from db.services.audit import record
from db.services.family_details import clean_reason, leave_chairs_screens
from db.services.meeting_changes import bump_open_meetings
from db.services.scores import store_meeting_scores
from db.session import transaction
from risk.vocabulary import MeetingStatus

ERASURE_REASONS = {
    "wrong_team": "imported into the wrong team",
    "duplicate": "a duplicate of another record",
    "not_our_case": "not a case of this service",
    "test_data": "test or training data",
    "retention": "deleted under the deletion rule, after anonymising",
}
"""Why a record is erased, in the audit trail (a key) and on the page (the words). `retention` is the deletion rule's
own (db/records/retention.py), not offered on the page."""
CHOSEN_REASONS = {key: words for key, words in ERASURE_REASONS.items() if key != "retention"}
ERASED = "[erased]"
_BATCH = 500


@dataclass
class ErasureResult:
    token: str
    """What the audit trail now calls the erased records: random, never derived from their references."""
    rows: dict[str, int] = field(default_factory=dict)
    """rows deleted, by table"""
    cleared: dict[str, int] = field(default_factory=dict)
    """references cleared, by 'table.column'"""
    meetings_rescored: int = 0
    audit_events_rewritten: int = 0
    mentions_left: int = 0
    """For a child: the family's remaining rationales and action texts that hold the child's first name (words a
    professional typed about a sibling are the family's, so they stay: the administrator reviews them)."""

    def counts(self) -> dict[str, Any]:
        return {
            "rows": dict(sorted(self.rows.items())),
            "cleared": dict(sorted(self.cleared.items())),
            "meetings_rescored": self.meetings_rescored,
            "audit_events_rewritten": self.audit_events_rewritten,
        }


def new_token() -> str:
    return f"ERASED-{secrets.token_hex(6).upper()}"


def erase_family(
    engine: Engine, actor: User | None, family_id: int, *, reason: str, explanation: str, confirm_reference: str
) -> ErasureResult:
    """Erase the family and everything about it. `confirm_reference` is the case reference the administrator typed
    to confirm which family; `reason` a key of CHOSEN_REASONS."""
    actor = require_admin(actor)
    reason = _reason(reason)
    with transaction(engine) as session:
        family = session.get(Family, family_id, with_for_update=True)
        if family is None:
            raise NotFound("That family does not exist.")
        _confirmed(confirm_reference, family.case_reference)
        subject = family_subject(session, [family.id])
        explanation = _nameless(session, explanation, subject)
        return erase_families_in(session, actor, [family.id], reason=reason, explanation=explanation)[0]


def erase_families_in(
    session: Session, actor: User | None, family_ids: Iterable[int], *, reason: str, explanation: str | None
) -> list[ErasureResult]:
    """Erase each family inside the caller's transaction (the deletion rule erases many in one), each audited."""
    results = []
    with audit_permit(session, actor, "erasure"):
        for family_id in family_ids:
            family = session.get_one(Family, family_id)
            team_id = family.team_id
            subject = family_subject(session, [family_id])
            scored = _closed_meetings(session, family_id)
            leave_chairs_screens(session, family_id)
            result = _erase(session, Base.metadata.tables["family"], {family_id}, subject)
            result.meetings_rescored = _rescore(session, actor, scored)
            bump_open_meetings(session, [team_id])
            record(
                session,
                actor,
                "family.erase",
                "family",
                family_id,
                after={
                    "reason": reason,
                    "explanation": explanation,
                    "erased_as": result.token,
                    "team_id": team_id,
                    **result.counts(),
                },
            )
            results.append(result)
    return results


def erase_child(
    engine: Engine, actor: User | None, child_id: int, *, reason: str, explanation: str, confirm_reference: str
) -> ErasureResult:
    """Erase one child of a family (the family and its other children stay): its ratings and legal status go, and
    the family's stored scores at every closed meeting are made again without it. Refused for a restricted
    family, whose scores are not remade while it is restricted: lift the restriction first."""
    actor = require_admin(actor)
    reason = _reason(reason)
    with transaction(engine) as session:
        child = session.get(Child, child_id, with_for_update=True)
        if child is None:
            raise NotFound("That child does not exist.")
        _confirmed(confirm_reference, child.case_reference)
        family = session.get_one(Family, child.family_id)
        if family.restricted_at is not None:
            raise InvalidInput(
                f"{family.case_reference} is restricted, and its scores are not remade while it is: lift the "
                "restriction, then erase the child."
            )
        subject = child_subject(session, [child.id])
        explanation = _nameless(session, explanation, subject)
        scored = _closed_meetings(session, family.id)
        first_name = child.first_name
        with audit_permit(session, actor, "erasure"):
            result = _erase(session, Base.metadata.tables["child"], {child.id}, subject)
            result.meetings_rescored = _rescore(session, actor, scored)
            result.mentions_left = _mentions(session, family.id, first_name)
            bump_open_meetings(session, [family.team_id])
            record(
                session,
                actor,
                "child.erase",
                "family",
                family.id,
                after={"reason": reason, "explanation": explanation, "erased_as": result.token, **result.counts()},
            )
        return result


def _reason(reason: str) -> str:
    if reason not in CHOSEN_REASONS:
        raise InvalidInput(f"Choose why it is erased: {', '.join(CHOSEN_REASONS.values())}.")
    return reason


def _confirmed(typed: str, reference: str) -> None:
    if (typed or "").strip().lower() != reference.lower():
        raise InvalidInput(f"Type the case reference {reference} to confirm which record to erase: nothing was erased.")


def _nameless(session: Session, explanation: str, subject: Subject) -> str:
    """The explanation, refused if it holds what is being erased: a reference (current or former), a child's
    first name or date of birth. The erasure's own event must not name anyone."""
    text = clean_reason(explanation)
    children = session.execute(
        select(Child.first_name, Child.date_of_birth).where(
            Child.id.in_(subject.child_ids) if not subject.whole_family else Child.family_id.in_(subject.family_ids)
        )
    ).all()
    names = {name for name, _ in children} | set(subject.references)
    dates = {form for _, born in children for form in (born.isoformat(), f"{born:%d/%m/%Y}", f"{born:%d/%m/%y}")}
    found = any(re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", text, re.IGNORECASE) for name in names)
    if found or any(day in text for day in dates):
        raise InvalidInput(
            "The explanation stays in the audit trail after everything else is erased, so it must not name the "
            "family or child: leave out case references, names and dates of birth."
        )
    return text


def _mentions(session: Session, family_id: int, first_name: str) -> int:
    pattern = f"%{first_name.lower()}%"
    rationales = select(func.count(Rating.id)).where(
        Rating.child_id.in_(select(Child.id).where(Child.family_id == family_id)),
        func.lower(Rating.rationale).like(pattern),
    )
    actions = select(func.count(Action.id)).where(Action.family_id == family_id, func.lower(Action.text).like(pattern))
    return (session.scalar(rationales) or 0) + (session.scalar(actions) or 0)


def _closed_meetings(session: Session, family_id: int) -> list[int]:
    """The closed meetings holding a stored score of the family, oldest first (a trend reads the score before)."""
    return list(
        session.scalars(
            select(Meeting.id)
            .join(FamilyRiskScore, FamilyRiskScore.meeting_id == Meeting.id)
            .where(FamilyRiskScore.family_id == family_id, Meeting.status == MeetingStatus.CLOSED)
            .order_by(Meeting.held_on, Meeting.id)
        )
    )


def _rescore(session: Session, actor: User | None, meeting_ids: list[int]) -> int:
    for meeting_id in meeting_ids:
        store_meeting_scores(session, actor, session.get_one(Meeting, meeting_id))
    return len(meeting_ids)


def _erase(session: Session, table: Table, ids: set[int], subject: Subject) -> ErasureResult:
    """Delete the rows and what depends on them, then rewrite the events about them; inside the audit permit."""
    about = events_about(session, subject)
    own = set(session.scalars(select(AuditEvent.id).where(about.own)))  # read now: it is worked out from the rows
    result = ErasureResult(new_token())
    doomed, cleared = dependent_rows(session, table, ids)
    for target, column, targets in cleared:
        for chunk in _chunks(sorted(targets)):
            statement = update(target).where(column.in_(chunk)).values({column.name: None})
            # an UPDATE's result is a CursorResult, typed as any Result (which has no rowcount)
            done = session.execute(statement).rowcount  # type: ignore[attr-defined]
            if done:
                name = f"{target.name}.{column.name}"
                result.cleared[name] = result.cleared.get(name, 0) + done
    for target in reversed(Base.metadata.sorted_tables):  # what refers to a row goes before the row
        if target not in doomed:
            continue
        key = _single_key(target)
        for chunk in _chunks(sorted(doomed[target])):
            session.execute(delete(target).where(key.in_(chunk)))
        result.rows[target.name] = len(doomed[target])
    session.expire_all()
    result.audit_events_rewritten = _rewrite_trail(session, subject, own, about.shared, about.naming, result.token)
    return result


def dependent_rows(
    session: Session, table: Table, ids: set[int]
) -> tuple[dict[Table, set[Any]], list[tuple[Table, Column[Any], set[Any]]]]:
    """The rows erasing `ids` of `table` takes with it, by table (its own included), and the nullable references to
    them to clear: (table, column, the ids it must no longer point at). Found from the schema's foreign keys."""
    doomed: dict[Table, set[Any]] = {table: set(ids)}
    cleared: list[tuple[Table, Column[Any], set[Any]]] = []
    frontier: list[tuple[Table, set[Any]]] = [(table, set(ids))]
    while frontier:
        parent, parent_ids = frontier.pop()
        for child in Base.metadata.sorted_tables:
            for fk in child.foreign_keys:
                if fk.column.table is not parent:
                    continue
                if fk.column is not _single_key(parent):
                    raise NotImplementedError(f"{child.name}.{fk.parent.name} refers to a column that is not a key")
                if fk.parent.nullable and fk.parent.info.get("on_erase") != "delete":
                    cleared.append((child, fk.parent, parent_ids))
                    continue
                key = _single_key(child)
                found: set[Any] = set()
                for chunk in _chunks(sorted(parent_ids)):
                    found.update(session.scalars(select(key).where(fk.parent.in_(chunk))))
                new = found - doomed.get(child, set())
                if new:
                    doomed.setdefault(child, set()).update(new)
                    frontier.append((child, new))
    return doomed, cleared


def _single_key(table: Table) -> Column[Any]:
    [key] = table.primary_key.columns
    return key


def _chunks(items: list[Any]) -> Iterable[list[Any]]:
    for start in range(0, len(items), _BATCH):
        yield items[start : start + _BATCH]


def _rewrite_trail(
    session: Session, subject: Subject, own: set[int], shared: frozenset[int], naming: frozenset[int], token: str
) -> int:
    """Take the erased records out of the events about them (see the module's docstring). No other event is read
    for rewriting, so no other family's event changes."""
    renames = {
        FAMILY: {reference: token for reference in subject.family_references},
        CHILD: {reference: token for reference in subject.child_references},
    }
    replacer = ReferenceReplacer({reference: token for reference in subject.references})
    family_ids = {str(i) for i in subject.family_ids}
    table = AuditEvent.__table__
    ordered = sorted(own | shared | naming)
    changed = 0
    for start in range(0, len(ordered), _BATCH):
        changes = []
        for event in session.execute(
            select(table.c.id, table.c.verb, table.c.entity_type, table.c.entity_id, table.c.before, table.c.after)
            .where(table.c.id.in_(ordered[start : start + _BATCH]))
            .order_by(table.c.id)
        ):
            if event.id in own:
                before, after = None, {"erased": token}
            else:
                before, after = event.before, event.after
                if event.id in shared and subject.whole_family:
                    before = _without_families(event.verb, before, subject.family_ids)
                    after = _without_families(event.verb, after, subject.family_ids)
                if event.id in naming:
                    if not subject.whole_family and event.entity_type == FAMILY and event.entity_id in family_ids:
                        # the family's own event, naming the erased child wherever it keeps the child's reference
                        before = _child_left_out(map_json(before, replacer), token)
                        after = _child_left_out(map_json(after, replacer), token)
                    else:
                        before, after = _rename_references(before, renames), _rename_references(after, renames)
            if (before, after) != (event.before, event.after):
                changes.append((event.id, before, after))
        changed += rewrite_details(session, changes)
    return changed


def _without_families(verb: str, details: Any, family_ids: frozenset[int]) -> Any:
    """A shared event's details without the erased families' parts (SHARED: keyed by family id, or the chair's
    screen's family)."""
    assert verb in {shared_verb for shared_verb, _ in SHARED}
    if not isinstance(details, dict):
        return details
    if verb == "meeting.focus":
        return {**details, "family_id": None} if details.get("family_id") in family_ids else details
    keys = {str(i) for i in family_ids}
    return {key: value for key, value in details.items() if key not in keys} or None


def _child_left_out(details: Any, token: str) -> Any:
    """What a family's event recorded about the erased child under `children` (its name, date of birth), keyed by
    its reference (now the token), replaced; the token stands wherever else the reference stood."""
    if isinstance(details, dict):
        return {
            key: (
                {ref: (ERASED if ref == token else value) for ref, value in item.items()}
                if key == "children" and isinstance(item, dict)
                else _child_left_out(item, token)
            )
            for key, item in details.items()
        }
    if isinstance(details, list):
        return [_child_left_out(item, token) for item in details]
    return details
