"""A supervision record per family, for that family's file in the case system, and one zip per meeting for its
bulk document upload.

The meeting record names every family of the team, so it can go on no child's file. A family's record holds that
family alone: the meeting (team, date, chair), the professionals who rated its children, each child's ratings by
professional with their reasons and last month's beside them, the family's band, score and explanation, the
minutes it was discussed and the actions agreed. It is a draft while the meeting is open and final once it
closes; a rating corrected after the close re-issues it, marked as a correction with the reason. Each
professional's update for supervision and the chair's decision (its outcome and next review) are in it too, and
the family is named as its team knows it (reference and name).

The zip holds each family's PDF, named by case reference, and a manifest as CSV and JSON (case reference, the
children's references, the meeting date, the file name and the file's SHA-256), which is what a case system's bulk
upload matches documents to records by. Everything is read through the same scoped queries as the meeting record.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import os
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from fpdf.fonts import FontFace
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from db.access import command_line_reader
from db.errors import InvalidInput, NotFound
from db.exports.caseload_files import flags
from db.exports.cell_safety import neutralise
from db.exports.meeting_record import RecordAction, band_face, meeting_actions, raters, uk_date, write_actions
from db.exports.pdf_document import LandscapeDocument
from db.models import ACTION_TEXT_MAX, AuditEvent, Child, Meeting, Rating, User
from db.queries.caseload import CaseloadEntry, MeetingSummary, ranked_caseload
from db.queries.discussions import DiscussionRecord, meeting_discussions
from db.queries.family_card import FamilyCard, family_card
from db.services.audit import record
from db.session import reading, transaction
from risk.meeting_pace import minutes_text
from risk.presentation import trend_word
from risk.vocabulary import RAG, MeetingStatus, Role

NOT_RATED = "Not rated"
MANIFEST_COLUMNS = ("case_reference", "child_references", "meeting_date", "file_name", "sha256")


@dataclass(frozen=True)
class Correction:
    """A rating of the family corrected after the meeting closed: the record is re-issued and says so."""

    on: dt.date
    by: str
    child: str
    professional: str
    before: RAG
    after: RAG
    reason: str


@dataclass(frozen=True)
class FamilyRecord:
    case_reference: str
    child_references: tuple[str, ...]
    file_name: str
    pdf: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.pdf).hexdigest()


def supervision_records(
    engine: Engine, actor: User | None, meeting_id: int
) -> tuple[MeetingSummary, list[FamilyRecord]]:
    """Every family's record of the meeting, in rank order."""
    meeting, entries = ranked_caseload(engine, actor, meeting_id)
    cards = {e.family_id: family_card(engine, actor, meeting_id, e.family_id) for e in entries}
    discussions = meeting_discussions(engine, actor, meeting_id)
    with reading(engine) as session:
        actions = meeting_actions(session, meeting_id)  # the whole meeting's, read once for every family
        records = [
            _family_record(session, meeting, discussions, e, cards[e.family_id], actions.get(e.family_id, []))
            for e in entries
        ]
    return meeting, _unique_names(records)


def supervision_records_zip(engine: Engine, actor: User | None, meeting_id: int) -> bytes:
    """The meeting's records as one zip for the case system's bulk upload: a PDF per family and the manifest (drafts
    while the meeting is open, for the chair to check; the manifest says which)."""
    meeting, records = supervision_records(engine, actor, meeting_id)
    buffer = io.BytesIO()
    stamp = (meeting.held_on.year, meeting.held_on.month, meeting.held_on.day, 0, 0, 0)  # the same bytes every time
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in [*((r.file_name, r.pdf) for r in records), *manifest_files(meeting, records).items()]:
            archive.writestr(zipfile.ZipInfo(name, date_time=stamp), content, compress_type=zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def write_supervision_records(engine: Engine, actor: User | None, meeting_id: int, folder: Path) -> list[Path]:
    """The closed meeting's records and manifest as files in `folder`, for the monthly upload job: new files only,
    readable by the job's account alone (they hold special-category data); audited once all are written. The
    command line (no actor) reads the meeting as its team's manager would; anyone else as themselves."""
    if actor is None:
        with reading(engine) as session:
            team_id = session.scalar(select(Meeting.team_id).where(Meeting.id == meeting_id))
        if team_id is None:
            raise NotFound("That meeting does not exist.")
        meeting, records = supervision_records(engine, command_line_reader(team_id), meeting_id)
    else:
        meeting, records = supervision_records(engine, actor, meeting_id)
    if meeting.status is MeetingStatus.OPEN:
        raise InvalidInput("This meeting is still open: its records go to the case system once it has closed.")
    files = {**{r.file_name: r.pdf for r in records}, **manifest_files(meeting, records)}
    if taken := sorted(name for name in files if (folder / name).exists()):
        raise InvalidInput(f"{folder} already holds {', '.join(taken)}: nothing was written. Use an empty folder.")
    written = []
    for name, content in files.items():
        handle = os.open(folder / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(handle, "wb") as file:
            file.write(content)
        written.append(folder / name)
    with transaction(engine) as session:
        record(
            session,
            actor,
            "export.supervision_records",
            "meeting",
            meeting.id,
            after={"folder": folder.name, "families": len(records), "sha256": {r.file_name: r.sha256 for r in records}},
        )
    return written


def manifest_files(meeting: MeetingSummary, records: list[FamilyRecord]) -> dict[str, bytes]:
    """manifest.csv and manifest.json: one row per family's file, so an upload job can match each to its record."""
    rows = [
        {
            "case_reference": r.case_reference,
            "child_references": ";".join(r.child_references),
            "meeting_date": meeting.held_on.isoformat(),
            "file_name": r.file_name,
            "sha256": r.sha256,
        }
        for r in records
    ]
    table = io.StringIO()
    writer = csv.DictWriter(table, fieldnames=MANIFEST_COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows({key: neutralise(value) for key, value in row.items()} for row in rows)
    described = {
        "team": meeting.team,
        "meeting_date": meeting.held_on.isoformat(),
        "status": "final" if meeting.status is MeetingStatus.CLOSED else "draft",
        "classification": "OFFICIAL-SENSITIVE",
        "records": [
            {**row, "child_references": list(r.child_references)} for row, r in zip(rows, records, strict=True)
        ],
    }
    return {
        "manifest.csv": table.getvalue().encode("utf-8-sig"),
        "manifest.json": json.dumps(described, indent=2, ensure_ascii=False).encode("utf-8"),
    }


def file_stem(case_reference: str) -> str:
    """A case reference as a file name any system accepts: letters, digits, dot, dash and underscore."""
    return re.sub(r"[^A-Za-z0-9._-]", "_", case_reference).strip("._") or "family"


def _unique_names(records: list[FamilyRecord]) -> list[FamilyRecord]:
    """Two references that differ only in characters a file name cannot hold still get two files."""
    seen: dict[str, int] = {}
    named = []
    for made in records:
        stem = made.file_name.removesuffix(".pdf")
        seen[stem] = seen.get(stem, 0) + 1
        name = f"{stem}.pdf" if seen[stem] == 1 else f"{stem}-{seen[stem]}.pdf"
        named.append(FamilyRecord(made.case_reference, made.child_references, name, made.pdf))
    return named


def _family_record(
    session: Session,
    meeting: MeetingSummary,
    discussions: DiscussionRecord,
    entry: CaseloadEntry,
    card: FamilyCard,
    actions: list[RecordAction],
) -> FamilyRecord:
    child_ids = [c.child_id for c in card.children]
    references = {
        i: r for i, r in session.execute(select(Child.id, Child.case_reference).where(Child.id.in_(child_ids)))
    }
    document = _FamilyDocument(meeting, card.case_reference)
    pdf = document.render(
        meeting,
        discussions,
        entry,
        card,
        raters(session, meeting.id, child_ids),
        actions,
        _corrections(session, meeting.id, card),
    )
    return FamilyRecord(
        card.case_reference,
        tuple(references[c] for c in child_ids),
        f"{file_stem(card.case_reference)}.pdf",
        pdf,
    )


def _corrections(session: Session, meeting_id: int, card: FamilyCard) -> list[Correction]:
    """The corrections made to this family's ratings of the meeting, oldest first, from the audit trail."""
    child_names = {c.child_id: c.first_name for c in card.children}
    ratings = {
        str(r.id): r
        for r in session.scalars(
            select(Rating).where(Rating.meeting_id == meeting_id, Rating.child_id.in_(list(child_names)))
        )
    }
    if not ratings:
        return []
    people = {p.practitioner_id: f"{p.name} ({p.role.label})" for p in card.professionals}
    found = session.execute(
        select(AuditEvent, User.display_name)
        .outerjoin(User, User.id == AuditEvent.actor_id)
        .where(
            AuditEvent.verb == "rating.correct",
            AuditEvent.entity_type == "rating",
            AuditEvent.entity_id.in_(list(ratings)),
        )
        .order_by(AuditEvent.id)
    )
    corrections = []
    for event, by in found:
        rating = ratings[event.entity_id or ""]
        corrections.append(
            Correction(
                on=event.occurred_at.date(),
                by=by or "an administrator",
                child=child_names[rating.child_id],
                professional=people.get(rating.practitioner_id, "a professional"),
                before=RAG((event.before or {}).get("rag", rating.rag.value)),
                after=RAG((event.after or {}).get("rag", rating.rag.value)),
                reason=str((event.after or {}).get("reason", "")),
            )
        )
    return corrections


class _FamilyDocument(LandscapeDocument):
    text_limit = ACTION_TEXT_MAX

    def __init__(self, meeting: MeetingSummary, case_reference: str) -> None:
        day = uk_date(meeting.held_on)
        draft = " · DRAFT" if meeting.status is MeetingStatus.OPEN else ""
        super().__init__(
            f"Supervision record {case_reference} {day}",
            f"OFFICIAL-SENSITIVE · {case_reference} · {meeting.team} · supervision of {day}{draft}",
        )
        # dated by its meeting, not the moment it was made: the same record is the same file, so an upload job
        # can tell a re-issued record (its checksum changes) from one made again
        self.set_creation_date(dt.datetime.combine(meeting.held_on, dt.time(), tzinfo=dt.UTC))

    def render(
        self,
        meeting: MeetingSummary,
        discussions: DiscussionRecord,
        entry: CaseloadEntry,
        card: FamilyCard,
        attendees: list[tuple[str, Role]],
        actions: list[RecordAction],
        corrections: list[Correction],
    ) -> bytes:
        self.add_page()
        self.line_of("OFFICIAL-SENSITIVE", size=9, bold=True)
        self.line_of(f"Group supervision record: {card.label()}", size=18, bold=True, height=9)
        self.line_of(
            f"Team: {meeting.team} · Date: {uk_date(meeting.held_on)} · Chair: {meeting.chair or 'not recorded'}"
        )
        if meeting.status is MeetingStatus.OPEN:
            self.line_of("DRAFT: the meeting is still open, so ratings may still change.", bold=True)
        elif corrections:
            self.line_of(
                f"Final, re-issued after a correction on {uk_date(corrections[-1].on)} (see Corrections below).",
                bold=True,
            )
        elif any(u.correction_reason for u in card.updates) or (card.decision and card.decision.correction_reason):
            self.line_of("Final, re-issued after a correction (the reason is given where it was made).", bold=True)
        else:
            self.line_of("Final: the meeting is closed and this record is locked.")
        who = "; ".join(f"{name} ({role.label})" for name, role in attendees) or "nobody rated this family"
        self.line_of(f"Professionals who rated: {who}")
        details = [f"Social worker: {entry.social_worker or 'not allocated'}"]
        if entry.legal_status:
            details.append(f"Legal status: {entry.legal_status.label}")
        if found := flags(entry):
            details.append(f"Flags: {found}")
        if discussions.kept or discussions.is_open:
            seconds = discussions.seconds(card.family_id)
            spent = f", {minutes_text(seconds)}" if seconds else ""
            details.append(f"Discussed: yes{spent}" if discussions.discussed(card.family_id) else "Discussed: no")
        self.line_of(" · ".join(details), size=9)
        self.ln(2)
        score = f"score {entry.score:.2f}" if entry.score is not None else "no score"
        self.line_of(
            f"Family: {card.band.label} · {score} · trend: {trend_word(entry.trend)}", size=13, bold=True, height=7
        )
        self.line_of(f"Why: {entry.explanation}", size=9)
        for child in card.children:
            self._child(card, child.child_id)
        self._updates(card)
        self._decision(card)
        self.ln(2)
        write_actions(self, actions)
        earlier = [a for a in card.open_actions if a.agreed_on != meeting.held_on]
        if earlier:
            self.line_of("Still open from earlier meetings:", size=9, bold=True)
            for a in earlier:
                late = " (overdue)" if a.overdue else ""
                self.line_of(f"- {a.text} · {a.owner or 'nobody named'} · by {uk_date(a.due_on)}{late}", size=9)
        if corrections:
            self._corrections(corrections)
        return bytes(self.output())

    def _child(self, card: FamilyCard, child_id: int) -> None:
        child = next(c for c in card.children if c.child_id == child_id)
        if self.will_page_break(30):
            self.add_page()
        self.ln(2)
        legal = f" · {child.legal_status.label}" if child.legal_status else ""
        rating = child.rating.label if child.rating else NOT_RATED
        self.line_of(f"{child.first_name} ({child.age}){legal} · child's rating: {rating}", size=11, bold=True)
        last = f"Last month ({uk_date(card.previous_held_on)})" if card.previous_held_on else "Last month"
        self.set_font(self.family_name, size=8)
        with self.table(
            col_widths=(60, 25, 147, 35),
            text_align="LEFT",
            line_height=4.5,
            headings_style=FontFace(emphasis="BOLD", fill_color=(230, 230, 230)),
        ) as table:
            heading = table.row()
            for label in ("Professional", "This month", "Reason", last):
                heading.cell(label)
            for person in card.professionals:
                given = card.ratings.get((child_id, person.practitioner_id))
                before = card.last_month.get((child_id, person.practitioner_id))
                if given is None and before is None:
                    continue
                row = table.row()
                row.cell(self.text_of(f"{person.name} ({person.role.label})"))
                row.cell(given.rag.label if given else NOT_RATED, style=band_face(given.rag if given else None))
                row.cell(self.text_of(given.rationale or "-") if given else "-")
                row.cell(before.label if before else "-", style=band_face(before))

    def _updates(self, card: FamilyCard) -> None:
        """What each professional reported at supervision: the work done since the last meeting."""
        self.ln(2)
        written = [u for u in card.updates if u.text or u.work_kind]
        if not written:
            self.line_of("Updates for supervision: none written.", size=9)
            return
        self.line_of("Updates for supervision:", size=11, bold=True)
        for u in written:
            kind = f" · {u.work_kind}" if u.work_kind else ""
            self.line_of(f"{u.author} ({u.role.label}){kind}", size=9, bold=True)
            if u.text:
                self.line_of(u.text, size=9)
            if u.correction_reason:
                self.line_of(f"Corrected after the meeting. Reason: {u.correction_reason}", size=8)

    def _decision(self, card: FamilyCard) -> None:
        """The chair's decision and next steps, its outcome and the next review."""
        self.ln(2)
        d = card.decision
        if d is None:
            self.line_of("Decision: none recorded.", size=9, bold=True)
            return
        review = f" · next review {uk_date(d.next_review_on)}" if d.next_review_on else ""
        self.line_of(f"Decision ({d.chair}): {d.outcome}{review}", size=11, bold=True)
        self.line_of(d.text, size=9)
        if d.correction_reason:
            self.line_of(f"Corrected after the meeting. Reason: {d.correction_reason}", size=8)

    def _corrections(self, corrections: list[Correction]) -> None:
        self.ln(2)
        self.line_of("Corrections after the meeting closed:", size=9, bold=True)
        for c in corrections:
            self.line_of(
                f"{uk_date(c.on)}, by {c.by}: {c.professional}'s rating of {c.child} from {c.before.label} to "
                f"{c.after.label}. Reason: {c.reason}",
                size=9,
            )
