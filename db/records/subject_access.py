"""Subject access: everything the dashboard holds about one family or one child, for the council's information
governance officer to review and disclose.

One read gathers, in one transaction with its own audit event: the people (family, children, the professionals
who worked with them), legal status history, every rating with its rationale and the history of its changes,
the stored scores with their explanations, the actions, and the audit events about them. The same tables become
a readable PDF (words, dates, roles and names of professionals) and a machine-readable .zip (one CSV per table,
cell-safe, and a manifest). The audit events are those db/queries/audit_about.py selects (the same as the audit
search and the retention rule), and an event that concerns several families (an import, a download's filters, a
meeting's scores) is cut down to its part about this one, so the export never carries another family's details.
The officer still reviews it for third parties (a sibling named in an explanation, for instance) before it goes out.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import zipfile
from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, aliased

from db.access import require_admin_or_command_line
from db.errors import InvalidInput, NotFound
from db.exports.cell_safety import neutralise_frame
from db.models import (
    Action,
    AuditEvent,
    Child,
    ChoiceItem,
    Family,
    FamilyAnonymisation,
    FamilyDecision,
    FamilyDiscussion,
    FamilyRiskScore,
    Involvement,
    LegalStatusPeriod,
    Meeting,
    Office,
    Rating,
    SupervisionUpdate,
    Team,
    User,
)
from db.queries.audit_about import child_subject, events_about, family_subject
from db.services.audit import record
from db.session import reading, transaction
from risk.vocabulary import RAG, Band, LegalStatus, Role

TABLES: dict[str, list[str]] = {
    "family": [
        "id",
        "case_reference",
        "display_name",
        "team",
        "office",
        "social_worker",
        "opened_on",
        "closed_on",
        "anonymised_at",
    ],
    "children": ["id", "family_id", "case_reference", "first_name", "date_of_birth"],
    "legal_status": ["id", "child_id", "child", "status", "started_on", "ended_on"],
    "involvement": ["id", "family_id", "professional", "role", "started_on", "ended_on"],
    "ratings": [
        "id",
        "meeting_id",
        "meeting_date",
        "team",
        "child_id",
        "child",
        "professional",
        "role",
        "rating",
        "rationale",
        "first_saved",
        "last_changed",
        "version",
    ],
    "rating_history": ["audit_event_id", "rating_id", "when", "who", "what", "rating", "rationale", "reason"],
    "scores": [
        "id",
        "meeting_id",
        "meeting_date",
        "family_id",
        "band",
        "score",
        "policy",
        "policy_version",
        "trend",
        "legal_status",
        "explanation",
        "computed_at",
    ],
    "actions": ["id", "family_id", "meeting_id", "meeting_date", "text", "responsible", "due_on", "completed_on"],
    "discussions": ["id", "family_id", "meeting_id", "meeting_date", "discussed", "minutes_spent", "marked_by"],
    "updates": [
        "id",
        "family_id",
        "meeting_id",
        "meeting_date",
        "professional",
        "role",
        "kind_of_work",
        "text",
        "correction_reason",
        "first_saved",
        "last_changed",
        "version",
    ],
    "decisions": [
        "id",
        "family_id",
        "meeting_id",
        "meeting_date",
        "chair",
        "outcome",
        "decision",
        "next_review_on",
        "correction_reason",
        "last_changed",
        "version",
    ],
    "audit_events": ["id", "when", "who", "verb", "entity_type", "entity_id", "before", "after"],
}
TITLES = {
    "family": "Family",
    "children": "Children",
    "legal_status": "Legal status history",
    "involvement": "Professionals who worked with the family",
    "ratings": "Ratings",
    "rating_history": "How each rating was saved and changed",
    "scores": "Family risk scores and their explanations",
    "actions": "Actions agreed",
    "discussions": "Supervision's record of discussing the family",
    "updates": "Each professional's update for supervision about the family",
    "decisions": "The chair's decision for the family at each meeting",
    "audit_events": "Audit trail: every recorded event about them",
}
VERB_WORDS = {
    "rating.create": "rating saved",
    "rating.update": "rating changed",
    "rating.correct": "closed rating corrected by the team manager",
}


@dataclass(frozen=True)
class SubjectAccessExport:
    subject: str
    """'family F-1' or 'child C-1'"""
    made_at: dt.datetime
    made_by: str
    tables: dict[str, pd.DataFrame]

    def counts(self) -> dict[str, int]:
        return {name: len(frame) for name, frame in self.tables.items()}

    @property
    def file_stem(self) -> str:
        return export_file_stem(self.subject, self.made_at.date())


def export_file_stem(subject: str, day: dt.date) -> str:
    """'subject-access-family-F-100123-20261123': only letters, digits and dashes, whatever the reference holds."""
    return re.sub(r"[^A-Za-z0-9-]+", "-", f"subject-access-{subject}-{day:%Y%m%d}")


def find_subject(
    engine: Engine,
    actor: User | None,
    *,
    family_reference: str | None = None,
    child_reference: str | None = None,
) -> str:
    """'family F-1' or 'child C-1' if the reference is held (the page checks it before offering the files);
    NotFound in words otherwise. Discloses nothing else, so it is not audited; making the files is."""
    require_admin_or_command_line(actor)
    family_reference, child_reference = _one_reference(family_reference, child_reference)
    with reading(engine) as session:
        if family_reference:
            return f"family {_find(session, Family, family_reference, 'family').case_reference}"
        return f"child {_find(session, Child, child_reference or '', 'child').case_reference}"


def _one_reference(family_reference: str | None, child_reference: str | None) -> tuple[str | None, str | None]:
    """The two references trimmed (empty as None), refused unless exactly one is given."""
    family, child = (family_reference or "").strip() or None, (child_reference or "").strip() or None
    if bool(family) == bool(child):
        raise InvalidInput("Give either a family's case reference or a child's, not both and not neither.")
    return family, child


def subject_access_export(
    engine: Engine,
    actor: User | None,
    *,
    family_reference: str | None = None,
    child_reference: str | None = None,
) -> SubjectAccessExport:
    """Gather everything held about one family (every child in it) or one child, and record that it was made."""
    require_admin_or_command_line(actor)
    family_reference, child_reference = _one_reference(family_reference, child_reference)
    with transaction(engine) as session:
        if family_reference:
            family = _find(session, Family, family_reference, "family")
            children = list(session.scalars(select(Child).where(Child.family_id == family.id).order_by(Child.id)))
            subject = f"family {family.case_reference}"
        else:
            child = _find(session, Child, child_reference or "", "child")
            family = session.get_one(Family, child.family_id)
            children = [child]
            subject = f"child {child.case_reference}"
        tables = _Gather(session, family, children, whole_family=bool(family_reference)).tables()
        export = SubjectAccessExport(
            subject, dt.datetime.now(dt.UTC), actor.display_name if actor else "command line", tables
        )
        record(
            session,
            actor,
            "records.subject_access",
            "family" if family_reference else "child",
            family.id if family_reference else children[0].id,
            after={"subject": subject, "counts": export.counts()},
        )
    return export


def _find(session: Session, model: type[Family] | type[Child], reference: str, kind: str) -> Any:
    exact = session.scalars(select(model).where(model.case_reference == reference)).one_or_none()
    if exact is not None:
        return exact
    found = session.scalars(select(model).where(func.lower(model.case_reference) == reference.lower())).all()
    if len(found) != 1:
        raise NotFound(
            f"No {kind} has the case reference {reference}. (A family anonymised under the retention rule no "
            "longer has its old reference.)"
        )
    return found[0]


def _iso(value: dt.date | dt.datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S")
    return value.isoformat()


def _person(name: str | None, role: Role | str | None) -> str:
    if name is None:
        return "system (command line)"
    return f"{name} ({Role(role).label})" if role else name


class _Gather:
    def __init__(self, session: Session, family: Family, children: list[Child], whole_family: bool) -> None:
        self.s = session
        self.family = family
        self.children = children
        self.whole_family = whole_family
        self.child_ids = [c.id for c in children]
        self.names = {c.id: c.first_name for c in children}

    def tables(self) -> dict[str, pd.DataFrame]:
        ratings = self._ratings()
        rows = {
            "family": self._family(),
            "children": [
                {
                    "id": c.id,
                    "family_id": c.family_id,
                    "case_reference": c.case_reference,
                    "first_name": c.first_name,
                    "date_of_birth": _iso(c.date_of_birth),
                }
                for c in self.children
            ],
            "legal_status": self._legal_status(),
            "involvement": self._involvement(),
            "ratings": ratings,
            "rating_history": self._rating_history([r["id"] for r in ratings]),
            "scores": self._scores(),
            "actions": self._actions(),
            "discussions": self._discussions(),
            "updates": self._updates(),
            "decisions": self._decisions(),
            "audit_events": self._audit_events(),
        }
        return {name: pd.DataFrame(rows[name], columns=columns) for name, columns in TABLES.items()}

    def _family(self) -> list[dict[str, Any]]:
        f = self.family
        team = self.s.get_one(Team, f.team_id)
        office = self.s.get_one(Office, team.office_id)
        worker = self.s.get(User, f.social_worker_id) if f.social_worker_id else None
        anonymised = self.s.get(FamilyAnonymisation, f.id)
        return [
            {
                "id": f.id,
                "case_reference": f.case_reference,
                "display_name": f.display_name or "",
                "team": team.name,
                "office": office.name,
                "social_worker": _person(worker.display_name, worker.role) if worker else "not allocated",
                "opened_on": _iso(f.opened_on),
                "closed_on": _iso(f.closed_on),
                "anonymised_at": _iso(anonymised.anonymised_at) if anonymised else "",
            }
        ]

    def _legal_status(self) -> list[dict[str, Any]]:
        return [
            {
                "id": p.id,
                "child_id": p.child_id,
                "child": self.names[p.child_id],
                "status": LegalStatus(p.status).label,
                "started_on": _iso(p.started_on),
                "ended_on": _iso(p.ended_on),
            }
            for p in self.s.scalars(
                select(LegalStatusPeriod)
                .where(LegalStatusPeriod.child_id.in_(self.child_ids))
                .order_by(LegalStatusPeriod.child_id, LegalStatusPeriod.started_on)
            )
        ]

    def _involvement(self) -> list[dict[str, Any]]:
        return [
            {
                "id": i.id,
                "family_id": i.family_id,
                "professional": name,
                "role": Role(role).label,
                "started_on": _iso(i.started_on),
                "ended_on": _iso(i.ended_on),
            }
            for i, name, role in self.s.execute(
                select(Involvement, User.display_name, User.role)
                .join(User, User.id == Involvement.practitioner_id)
                .where(Involvement.family_id == self.family.id)
                .order_by(Involvement.started_on, Involvement.id)
            )
        ]

    def _ratings(self) -> list[dict[str, Any]]:
        return [
            {
                "id": r.id,
                "meeting_id": r.meeting_id,
                "meeting_date": _iso(held_on),
                "team": team,
                "child_id": r.child_id,
                "child": self.names[r.child_id],
                "professional": name,
                "role": Role(role).label,
                "rating": RAG(r.rag).label,
                "rationale": r.rationale or "",
                "first_saved": _iso(r.created_at),
                "last_changed": _iso(r.updated_at),
                "version": r.version,
            }
            for r, held_on, team, name, role in self.s.execute(
                select(Rating, Meeting.held_on, Team.name, User.display_name, User.role)
                .join(Meeting, Meeting.id == Rating.meeting_id)
                .join(Team, Team.id == Meeting.team_id)
                .join(User, User.id == Rating.practitioner_id)
                .where(Rating.child_id.in_(self.child_ids))
                .order_by(Meeting.held_on, Rating.child_id, Rating.id)
            )
        ]

    def _events(self, condition: Any) -> list[tuple[AuditEvent, str | None, Role | None]]:
        rows = self.s.execute(
            select(AuditEvent, User.display_name, User.role)
            .outerjoin(User, User.id == AuditEvent.actor_id)
            .where(condition)
            .order_by(AuditEvent.occurred_at, AuditEvent.id)
        )
        return [(event, name, role) for event, name, role in rows]

    def _rating_history(self, rating_ids: list[int]) -> list[dict[str, Any]]:
        ids = [str(i) for i in rating_ids]
        rows = []
        for event, name, role in self._events((AuditEvent.entity_type == "rating") & AuditEvent.entity_id.in_(ids)):
            after, before = event.after or {}, event.before or {}
            rag = after.get("rag")
            rows.append(
                {
                    "audit_event_id": event.id,
                    "rating_id": int(event.entity_id or 0),
                    "when": _iso(event.occurred_at),
                    "who": _person(name, role),
                    "what": VERB_WORDS.get(event.verb, event.verb),
                    "rating": (f"{RAG(before['rag']).label} → " if before.get("rag") else "")
                    + (RAG(rag).label if rag else ""),
                    "rationale": after.get("rationale") or "",
                    "reason": after.get("reason") or "",
                }
            )
        return rows

    def _scores(self) -> list[dict[str, Any]]:
        return [
            {
                "id": sc.id,
                "meeting_id": sc.meeting_id,
                "meeting_date": _iso(held_on),
                "family_id": sc.family_id,
                "band": Band(sc.band).label,
                "score": sc.score,
                "policy": sc.policy,
                "policy_version": sc.policy_version,
                "trend": sc.components.get("trend", ""),
                "legal_status": LegalStatus(sc.components["legal_status"]).label
                if sc.components.get("legal_status")
                else "",
                "explanation": sc.components.get("explanation", ""),
                "computed_at": _iso(sc.computed_at),
            }
            for sc, held_on in self.s.execute(
                select(FamilyRiskScore, Meeting.held_on)
                .join(Meeting, Meeting.id == FamilyRiskScore.meeting_id)
                .where(FamilyRiskScore.family_id == self.family.id)
                .order_by(Meeting.held_on, FamilyRiskScore.id)
            )
        ]

    def _actions(self) -> list[dict[str, Any]]:
        owner = aliased(User)
        return [
            {
                "id": a.id,
                "family_id": a.family_id,
                "meeting_id": a.meeting_id,
                "meeting_date": _iso(held_on),
                "text": a.text,
                "responsible": _person(name, role) if name else "nobody named",
                "due_on": _iso(a.due_on),
                "completed_on": _iso(a.completed_on),
            }
            for a, held_on, name, role in self.s.execute(
                select(Action, Meeting.held_on, owner.display_name, owner.role)
                .outerjoin(Meeting, Meeting.id == Action.meeting_id)
                .outerjoin(owner, owner.id == Action.owner_id)
                .where(Action.family_id == self.family.id)
                .order_by(Action.created_at, Action.id)
            )
        ]

    def _discussions(self) -> list[dict[str, Any]]:
        marker = aliased(User)
        return [
            {
                "id": d.id,
                "family_id": d.family_id,
                "meeting_id": d.meeting_id,
                "meeting_date": _iso(held_on),
                "discussed": "yes" if d.discussed_at is not None else "no",
                "minutes_spent": round(d.seconds_spent / 60),
                "marked_by": _person(name, role) if name else "",
            }
            for d, held_on, name, role in self.s.execute(
                select(FamilyDiscussion, Meeting.held_on, marker.display_name, marker.role)
                .join(Meeting, Meeting.id == FamilyDiscussion.meeting_id)
                .outerjoin(marker, marker.id == FamilyDiscussion.marked_by_id)
                .where(FamilyDiscussion.family_id == self.family.id)
                .order_by(Meeting.held_on, FamilyDiscussion.id)
            )
        ]

    def _updates(self) -> list[dict[str, Any]]:
        """The family's updates: a child's export holds them too, as they are about the family the child lives in."""
        kind = aliased(ChoiceItem)
        return [
            {
                "id": u.id,
                "family_id": u.family_id,
                "meeting_id": u.meeting_id,
                "meeting_date": _iso(held_on),
                "professional": name,
                "role": Role(u.role).label,
                "kind_of_work": label or "",
                "text": u.text or "",
                "correction_reason": u.correction_reason or "",
                "first_saved": _iso(u.created_at),
                "last_changed": _iso(u.updated_at),
                "version": u.version,
            }
            for u, held_on, name, label in self.s.execute(
                select(SupervisionUpdate, Meeting.held_on, User.display_name, kind.label)
                .join(Meeting, Meeting.id == SupervisionUpdate.meeting_id)
                .join(User, User.id == SupervisionUpdate.author_id)
                .outerjoin(kind, kind.id == SupervisionUpdate.work_kind_id)
                .where(SupervisionUpdate.family_id == self.family.id)
                .order_by(Meeting.held_on, SupervisionUpdate.id)
            )
        ]

    def _decisions(self) -> list[dict[str, Any]]:
        return [
            {
                "id": d.id,
                "family_id": d.family_id,
                "meeting_id": d.meeting_id,
                "meeting_date": _iso(held_on),
                "chair": _person(name, role),
                "outcome": label,
                "decision": d.text,
                "next_review_on": _iso(d.next_review_on),
                "correction_reason": d.correction_reason or "",
                "last_changed": _iso(d.updated_at),
                "version": d.version,
            }
            for d, held_on, name, role, label in self.s.execute(
                select(FamilyDecision, Meeting.held_on, User.display_name, User.role, ChoiceItem.label)
                .join(Meeting, Meeting.id == FamilyDecision.meeting_id)
                .join(User, User.id == FamilyDecision.chair_id)
                .join(ChoiceItem, ChoiceItem.id == FamilyDecision.outcome_id)
                .where(FamilyDecision.family_id == self.family.id)
                .order_by(Meeting.held_on, FamilyDecision.id)
            )
        ]

    def _audit_events(self) -> list[dict[str, Any]]:
        """The events about the subject (db/queries/audit_about.py), each cut to its part about the subject: the
        subject's own records in full, this family's entries of an event about many, the references to it in an
        event about something else. The audit search and the retention rule select the same events."""
        if self.whole_family:
            subject = family_subject(self.s, [self.family.id])
        else:
            subject = child_subject(self.s, self.child_ids)
        about = events_about(self.s, subject)
        rows = []
        for event, name, role in self._events(about.where()):
            before, after = about.part(event)
            rows.append(
                {
                    "id": event.id,
                    "when": _iso(event.occurred_at),
                    "who": _person(name, role),
                    "verb": event.verb,
                    "entity_type": event.entity_type,
                    "entity_id": event.entity_id or "",
                    "before": json.dumps(before, ensure_ascii=False, sort_keys=True) if before else "",
                    "after": json.dumps(after, ensure_ascii=False, sort_keys=True) if after else "",
                }
            )
        return rows


def subject_access_zip(export: SubjectAccessExport) -> bytes:
    """One CSV per table (UTF-8 with BOM for Excel, formula-like cells neutralised), a manifest and a note."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, frame in export.tables.items():
            archive.writestr(f"{name}.csv", neutralise_frame(frame).to_csv(index=False).encode("utf-8-sig"))
        manifest = {
            "subject": export.subject,
            "made_at": _iso(export.made_at),
            "made_by": export.made_by,
            "tables": {name: {"file": f"{name}.csv", "rows": count} for name, count in export.counts().items()},
        }
        archive.writestr("manifest.json", json.dumps(manifest, indent=2, ensure_ascii=False))
        archive.writestr(
            "README.txt",
            f"Subject access export for {export.subject}, made {_iso(export.made_at)} UTC by {export.made_by}.\n"
            "One CSV file per table; ids link the tables (child_id, rating_id, meeting_id). Dates are YYYY-MM-DD,\n"
            "times UTC. Audit events' before/after details are JSON. Review for third parties before disclosure.\n",
        )
    return out.getvalue()
