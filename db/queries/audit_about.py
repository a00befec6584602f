"""The audit events about a family or a child: the one selection behind the audit search by case reference,
subject access and the retention rule, so what an administrator finds, what the information governance officer
discloses and what anonymising rewrites are always the same events.

An event is about the subject in one of three ways, each found from what the event itself records:
- **own**: its entity is one of the subject's own records, by entity type and internal id: the family, a child, a
  child's rating, the family's involvement, actions, professionals' updates or decisions (a child's subject: the
  child, its ratings, and its family's updates and decisions);
- **shared**: it is about many families and keeps each one's part under the family's internal id (`SHARED`: a
  meeting's stored scores, keyed by family id; the chair's screen moving to or from the family);
- **naming**: it is about something else (`NAMING_VERBS`: an import, a download) and names the subject by case
  reference in a place kept for references (`NAMING_KEYS`: an import's lists of families, a search's filters, a
  subject access file's subject);
  for a child, also its family's own events in so far as they name the child (an import keys a child's changes
  by its reference).

A case reference is never compared with an id, nor looked for anywhere else in an event's details: with the SSD's
numeric references a family's reference is often another family's internal id (scores keyed "45" are family
45's, whichever family has the case reference 45), and a number such as 45 turns up in times and counts.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, String, cast, false, or_, select
from sqlalchemy.orm import Session

from db.models import Action, AuditEvent, Child, Family, FamilyDecision, Involvement, Rating, SupervisionUpdate
from db.records.pseudonyms import ReferenceReplacer, like_contains, only_mentions, reference_pattern

FAMILY, CHILD = "family", "child"
NAMING_KEYS = {"families": FAMILY, "family_reference": FAMILY, "case_reference": FAMILY, "child_reference": CHILD}
"""Where an event about something else keeps case references, and of what: an import's lists of the families it
created, updated and closed (`families`), and the case reference filters of a search and of its download."""
NAMING_VERBS = ("import", "download")
"""The events about something else that keep case references (an import's summary, a download's details)."""
SUBJECT_KEY = "subject"
"""A subject access export's 'family F-1' or 'child F-1-1' (the export's own event and its files' downloads)."""
SHARED = (("scores.store", "meeting"), ("meeting.focus", "meeting"))
"""Events about many families that keep each family's part under its internal id."""
_PREFILTER_LIMIT = 50
"""Up to this many references (or families), the database narrows the events to read with LIKE; beyond it (a
retention run over many families) the trail is read once, in batches."""
_BATCH = 2_000


@dataclass(frozen=True)
class Subject:
    """Whose events: whole families (every child in them), or children on their own."""

    family_ids: frozenset[int]
    """the families; for children, their families (whose own events may name them)"""
    child_ids: frozenset[int]
    family_references: frozenset[str]
    """lower-cased, as references are matched in any capitals; none for children on their own"""
    child_references: frozenset[str]
    whole_family: bool
    former: Mapping[str, tuple[str, int]] = field(default_factory=dict)
    """References the records had before an administrator corrected them (lower-cased, to (FAMILY or CHILD, the
    record's id)): also included in the two sets above, so events that named the records by them are found."""

    def names(self, kind: str, text: str) -> bool:
        wanted = self.family_references if kind == FAMILY else self.child_references
        return text.strip().lower() in wanted

    @property
    def references(self) -> frozenset[str]:
        return self.family_references | self.child_references


CORRECTION_VERB = "family.correct"
"""An administrator's correction of a family's or a child's details (db/services/family_details.py), an event of
the family: `before` keeps a corrected family's old `case_reference`, and a corrected child's old details under
`children`, keyed by its old reference, with its `child_id`."""


def former_references(session: Session, family_ids: Iterable[int]) -> dict[str, tuple[str, int]]:
    """The references the families and their children had before a correction, from the families' own correction
    events (lower-cased reference -> (FAMILY or CHILD, id))."""
    ids = sorted(family_ids)
    if not ids:
        return {}
    former: dict[str, tuple[str, int]] = {}
    for entity_id, before in session.execute(
        select(AuditEvent.entity_id, AuditEvent.before).where(
            AuditEvent.verb == CORRECTION_VERB,
            AuditEvent.entity_type == FAMILY,
            AuditEvent.entity_id.in_([str(i) for i in ids]),
        )
    ):
        if not isinstance(before, dict) or entity_id is None:
            continue
        if isinstance(reference := before.get("case_reference"), str):
            former[reference.lower()] = (FAMILY, int(entity_id))
        for reference, details in (before.get("children") or {}).items():
            if isinstance(details, dict) and isinstance(details.get("child_id"), int):
                former[str(reference).lower()] = (CHILD, details["child_id"])
    return former


def family_subject(session: Session, family_ids: Iterable[int]) -> Subject:
    ids = frozenset(family_ids)
    families: Iterable[str] = session.scalars(select(Family.case_reference).where(Family.id.in_(ids))) if ids else []
    children = (
        session.execute(select(Child.id, Child.case_reference).where(Child.family_id.in_(ids))).all() if ids else []
    )
    former = former_references(session, ids)
    return Subject(
        ids,
        frozenset(child_id for child_id, _ in children),
        frozenset(r.lower() for r in families) | {r for r, (kind, _) in former.items() if kind == FAMILY},
        frozenset(r.lower() for _, r in children) | {r for r, (kind, _) in former.items() if kind == CHILD},
        whole_family=True,
        former=former,
    )


def child_subject(session: Session, child_ids: Iterable[int]) -> Subject:
    ids = frozenset(child_ids)
    children = (
        session.execute(select(Child.family_id, Child.case_reference).where(Child.id.in_(ids))).all() if ids else []
    )
    families = frozenset(family_id for family_id, _ in children)
    former = {
        reference: (kind, record_id)
        for reference, (kind, record_id) in former_references(session, families).items()
        if kind == CHILD and record_id in ids
    }
    return Subject(
        families,
        ids,
        frozenset(),
        frozenset(r.lower() for _, r in children) | frozenset(former),
        whole_family=False,
        former=former,
    )


def _family_supervision_records(families: list[int]) -> dict[str, Any]:
    return {
        "supervision_update": select(cast(SupervisionUpdate.id, String)).where(
            SupervisionUpdate.family_id.in_(families)
        ),
        "family_decision": select(cast(FamilyDecision.id, String)).where(FamilyDecision.family_id.in_(families)),
    }


def own_records(subject: Subject) -> ColumnElement[bool]:
    """Events whose entity is one of the subject's own records, by entity type and internal id (entity ids are
    stored as text, hence the casts)."""
    if subject.whole_family:
        families = sorted(subject.family_ids)
        children: Any = select(Child.id).where(Child.family_id.in_(families))
        owned: dict[str, Any] = {
            "family": [str(i) for i in families],
            "child": select(cast(Child.id, String)).where(Child.family_id.in_(families)),
            "rating": select(cast(Rating.id, String)).where(Rating.child_id.in_(children)),
            "involvement": select(cast(Involvement.id, String)).where(Involvement.family_id.in_(families)),
            "action": select(cast(Action.id, String)).where(Action.family_id.in_(families)),
            **_family_supervision_records(families),
        }
    else:
        children = sorted(subject.child_ids)
        owned = {
            "child": [str(i) for i in children],
            "rating": select(cast(Rating.id, String)).where(Rating.child_id.in_(children)),
            # the updates and decisions about the child's family are about the child too
            **_family_supervision_records(sorted(subject.family_ids)),
        }
    return or_(*((AuditEvent.entity_type == kind) & AuditEvent.entity_id.in_(ids) for kind, ids in owned.items()))


@dataclass(frozen=True)
class EventsAbout:
    """The events about a subject: `own` as a condition (there may be thousands), the others by id."""

    subject: Subject
    own: ColumnElement[bool]
    shared: frozenset[int]
    naming: frozenset[int]

    def where(self) -> ColumnElement[bool]:
        """Every event about the subject, for a query's WHERE."""
        return or_(self.own, AuditEvent.id.in_(sorted(self.shared | self.naming)))

    def part(self, event: AuditEvent) -> tuple[Any, Any]:
        """The event's before and after details as far as they are about the subject: all of them for its own
        records, this family's entries of a shared event, the references to it of an event that names it. Other
        families' details never come out of here."""
        if event.id in self.shared:
            return _shared_part(event, self.subject)
        if event.id in self.naming:
            return _naming_part(event, self.subject)
        return event.before, event.after


def events_about(session: Session, subject: Subject) -> EventsAbout:
    """The one selection of the events about `subject` (see the module's docstring)."""
    own = own_records(subject) if subject.family_ids or subject.child_ids else false()
    return EventsAbout(subject, own, frozenset(_shared_ids(session, subject)), frozenset(_naming_ids(session, subject)))


# --- shared: keyed by the family's internal id ------------------------------------------------------------------


def _shared_ids(session: Session, subject: Subject) -> Iterator[int]:
    if not subject.whole_family or not subject.family_ids:
        return
    kinds = _shared_kinds()
    if len(subject.family_ids) <= _PREFILTER_LIMIT:
        # exact in SQL: a key of a meeting's scores, or the chair's screen's family id
        keyed = [
            column[str(family_id)].as_string().is_not(None)
            for family_id in sorted(subject.family_ids)
            for column in (AuditEvent.before, AuditEvent.after)
        ]
        focus = [
            column["family_id"].as_integer().in_(sorted(subject.family_ids))
            for column in (AuditEvent.before, AuditEvent.after)
        ]
        kinds = kinds & or_(*keyed, *focus)
    for event in _scan(session, kinds):
        if _shared_part(event, subject) != (None, None):
            yield event.id


def _shared_kinds() -> ColumnElement[bool]:
    return or_(*((AuditEvent.verb == verb) & (AuditEvent.entity_type == kind) for verb, kind in SHARED))


def _shared_part(event: Any, subject: Subject) -> tuple[Any, Any]:
    keys = {str(i) for i in subject.family_ids}

    def part(details: Any) -> Any:
        if not isinstance(details, dict):
            return None
        if event.verb == "meeting.focus":
            return details if details.get("family_id") in subject.family_ids else None
        return {key: value for key, value in details.items() if key in keys} or None

    return part(event.before), part(event.after)


# --- naming: case references in the places kept for them --------------------------------------------------------


def _naming_ids(session: Session, subject: Subject) -> Iterator[int]:
    if not subject.references:
        return
    kept: ColumnElement[bool] = AuditEvent.verb.in_(NAMING_VERBS)
    finder: ReferenceReplacer | None = None
    needles = _stored_forms(subject)
    if needles is not None:
        kept = kept & _text_like(session, needles)
    else:
        finder = ReferenceReplacer({reference: reference for reference in subject.references})
    for event in _scan(session, or_(kept, _family_records(subject)), finder):
        if _naming_part(event, subject) != (None, None):
            yield event.id


def _stored_forms(subject: Subject) -> list[str] | None:
    """How the subject's references look in stored JSON where they stand in a reference's place: a whole string
    ('"45"') or a subject ('"family 45"'), so the database reads only events holding one. None when that cannot
    be said (many references, or one that JSON would escape): then the whole trail is read."""
    references = subject.references
    if len(references) > _PREFILTER_LIMIT or not all(_SAFE.fullmatch(reference) for reference in references):
        return None
    return [f'"{prefix}{reference}"' for reference in references for prefix in ("", f"{FAMILY} ", f"{CHILD} ")]


_SAFE = re.compile(r"[ -!#-\[\]-~]*")
"""Printable ASCII other than the quote and the backslash: written as itself in JSON."""


def _family_records(subject: Subject) -> ColumnElement[bool]:
    """A child's family's own events, which name the child by its reference wherever they hold it (an import
    keys a child's new name or legal status by it, and lists its plans as 'reference: plan')."""
    if subject.whole_family:
        return false()
    return (AuditEvent.entity_type == "family") & AuditEvent.entity_id.in_([str(i) for i in subject.family_ids])


def _in_family_records(event: Any, subject: Subject) -> bool:
    return (
        not subject.whole_family
        and event.entity_type == "family"
        and event.entity_id in {str(i) for i in subject.family_ids}
    )


def _naming_part(event: Any, subject: Subject) -> tuple[Any, Any]:
    if _in_family_records(event, subject):
        pattern = reference_pattern(subject.child_references)
        assert pattern is not None

        def mentioning(details: Any) -> Any:
            return (only_mentions(details, pattern) or None) if details else None

        return mentioning(event.before), mentioning(event.after)
    return _named(event.before, subject), _named(event.after, subject)


_NOTHING = object()


def _named(details: Any, subject: Subject) -> Any:
    """The parts of `details` that name the subject in a place kept for references (None if none)."""

    def walk(value: Any, kind: str | None, key: str | None) -> Any:
        if isinstance(value, dict):
            kept = {}
            for name, item in value.items():
                found = walk(item, NAMING_KEYS.get(name, kind), name)
                if found is not _NOTHING:
                    kept[name] = found
            return kept or _NOTHING
        if isinstance(value, list):
            items = [found for item in value if (found := walk(item, kind, key)) is not _NOTHING]
            return items or _NOTHING
        if isinstance(value, str) and (place := _place(value, kind, key)) and subject.names(place[0], place[1]):
            return value
        return _NOTHING

    found = walk(details, None, None)
    return None if found is _NOTHING else found


def rename_references(details: Any, renames: Mapping[str, Mapping[str, str]]) -> Any:
    """`details` with each case reference in a place kept for references replaced: `renames[kind]` maps a
    lower-cased reference of that kind (FAMILY or CHILD) to its replacement. Everything else is left exactly as
    it was (ids, counts, times, other families' references)."""

    def walk(value: Any, kind: str | None, key: str | None) -> Any:
        if isinstance(value, dict):
            return {name: walk(item, NAMING_KEYS.get(name, kind), name) for name, item in value.items()}
        if isinstance(value, list):
            return [walk(item, kind, key) for item in value]
        if isinstance(value, str) and (place := _place(value, kind, key)):
            found_kind, reference, prefix = place
            new = renames.get(found_kind, {}).get(reference.strip().lower())
            if new is not None:
                return prefix + new
        return value

    return walk(details, None, None)


def _place(text: str, kind: str | None, key: str | None) -> tuple[str, str, str] | None:
    """(kind, reference, what comes before it) if `text` stands in a reference's place: a value under one of
    NAMING_KEYS (the whole value), or a subject ('family ' or 'child ' and the reference)."""
    if key == SUBJECT_KEY:
        prefix, _, rest = text.partition(" ")
        return (prefix, rest, f"{prefix} ") if prefix in (FAMILY, CHILD) and rest else None
    return (kind, text, "") if kind is not None else None


# --- reading the trail ------------------------------------------------------------------------------------------


def _text_like(session: Session, needles: Iterable[str]) -> ColumnElement[bool]:
    """Details whose stored JSON text contains one of `needles` (printable ASCII) in any capitals: only narrows
    what is read. SQLite's LIKE already ignores ASCII capitals; PostgreSQL's ILIKE does the same."""
    sqlite = session.get_bind().dialect.name == "sqlite"
    return or_(
        *(
            cast(column, String).like(like_contains(needle), escape="\\")
            if sqlite
            else cast(column, String).ilike(like_contains(needle), escape="\\")
            for needle in needles
            for column in (AuditEvent.before, AuditEvent.after)
        )
    )


def _scan(session: Session, where: ColumnElement[bool], finder: ReferenceReplacer | None = None) -> Iterator[Any]:
    """The events matching `where`, in id order, a batch at a time; with `finder`, only those whose stored JSON
    text holds one of its references (read as text first, so most events of a long trail are never decoded)."""
    table = AuditEvent.__table__
    columns = (table.c.id, table.c.verb, table.c.entity_type, table.c.entity_id)
    last = 0
    while True:
        if finder is None:
            rows = session.execute(
                select(*columns, table.c.before, table.c.after)
                .where(where, table.c.id > last)
                .order_by(table.c.id)
                .limit(_BATCH)
            ).all()
            yield from rows
            batch = [row[0] for row in rows]
        else:
            texts = session.execute(
                select(table.c.id, cast(table.c.before, String), cast(table.c.after, String))
                .where(where, table.c.id > last)
                .order_by(table.c.id)
                .limit(_BATCH)
            ).all()
            wanted = [i for i, before, after in texts if finder.found_in_json(before) or finder.found_in_json(after)]
            if wanted:
                yield from session.execute(
                    select(*columns, table.c.before, table.c.after).where(table.c.id.in_(wanted)).order_by(table.c.id)
                )
            batch = [row[0] for row in texts]
        if not batch:
            return
        last = batch[-1]
