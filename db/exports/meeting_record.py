"""The meeting record: what goes on file after group supervision, as a printable PDF.

Team, date, chair and the professionals who rated; then each family in rank order with its children ×
professionals grid (every coloured cell also carries its word, so a black-and-white printout loses nothing), the
score, the explanation and the actions agreed. Text is real text (never an image), so the record can be searched
and read by a screen reader. DejaVu Sans is embedded when the system has it, for any name; otherwise the PDF
uses a built-in font and letters outside Latin-1 are replaced.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from fpdf.fonts import FontFace
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, aliased

from db.exports.caseload_files import flags
from db.exports.pdf_document import LandscapeDocument
from db.models import ACTION_TEXT_MAX, Action, Rating, User
from db.queries.caseload import CaseloadEntry, MeetingSummary, ranked_caseload
from db.queries.discussions import DiscussionRecord, meeting_discussions
from db.queries.family_card import FamilyCard, family_card
from db.session import reading
from risk.meeting_pace import minutes_text
from risk.presentation import BAND_COLOUR, BAND_INK, rgb, trend_word
from risk.vocabulary import RAG, Band, MeetingStatus, Role

NOT_RATED = "Not rated"
TEXT_MAX = ACTION_TEXT_MAX


@dataclass(frozen=True)
class RecordAction:
    text: str
    owner: str | None
    due_on: dt.date | None
    completed_on: dt.date | None


def meeting_record_pdf(engine: Engine, actor: User | None, meeting_id: int) -> bytes:
    """The record of one meeting, for someone who may see that team's cases (checked by the queries)."""
    meeting, entries = ranked_caseload(engine, actor, meeting_id)
    cards = {e.family_id: family_card(engine, actor, meeting_id, e.family_id) for e in entries}
    discussions = meeting_discussions(engine, actor, meeting_id)
    with reading(engine) as session:
        attendees = raters(session, meeting_id)
        actions = meeting_actions(session, meeting_id)
    return _Record(meeting, discussions).render(entries, cards, attendees, actions)


def raters(session: Session, meeting_id: int, child_ids: Sequence[int] | None = None) -> list[tuple[str, Role]]:
    """Who rated at the meeting (only those who rated these children, if given), in the order roles are listed."""
    rated = select(Rating.practitioner_id).where(Rating.meeting_id == meeting_id)
    if child_ids is not None:
        rated = rated.where(Rating.child_id.in_(child_ids))
    people = [
        (name, role) for name, role in session.execute(select(User.display_name, User.role).where(User.id.in_(rated)))
    ]
    return sorted(people, key=lambda person: (person[1].order, person[0]))


def meeting_actions(session: Session, meeting_id: int) -> dict[int, list[RecordAction]]:
    """The actions agreed at the meeting, by family, in the order they fall due."""
    owner = aliased(User)
    actions: dict[int, list[RecordAction]] = defaultdict(list)
    for action, name in session.execute(
        select(Action, owner.display_name)
        .outerjoin(owner, owner.id == Action.owner_id)
        .where(Action.meeting_id == meeting_id)
        .order_by(Action.due_on, Action.id)
    ):
        actions[action.family_id].append(RecordAction(action.text, name, action.due_on, action.completed_on))
    return actions


def uk_date(day: dt.date | None) -> str:
    return day.strftime("%d/%m/%Y") if day else "-"


def band_face(band: Band | RAG | None) -> FontFace:
    if band is None:
        return FontFace()
    band = Band(str(band))
    return FontFace(emphasis="BOLD", color=rgb(BAND_INK[band]), fill_color=rgb(BAND_COLOUR[band]))


class _Record(LandscapeDocument):
    text_limit = TEXT_MAX  # the longest any form accepts

    def __init__(self, meeting: MeetingSummary, discussions: DiscussionRecord) -> None:
        super().__init__(
            f"Supervision record {meeting.team} {uk_date(meeting.held_on)}",
            f"OFFICIAL-SENSITIVE · {meeting.team} · supervision of {uk_date(meeting.held_on)}",
        )
        self.meeting = meeting
        self.discussions = discussions
        # a meeting held before the record of discussion existed has none: the record then says nothing either way
        self.kept = discussions.kept or discussions.is_open

    def render(
        self,
        entries: list[CaseloadEntry],
        cards: dict[int, FamilyCard],
        attendees: list[tuple[str, Role]],
        actions: dict[int, list[RecordAction]],
    ) -> bytes:
        m = self.meeting
        self.add_page()
        self.line_of("Group supervision record", size=18, bold=True, height=9)
        self.line_of(f"Team: {m.team}", bold=True)
        self.line_of(f"Date: {uk_date(m.held_on)}")
        self.line_of(f"Chair: {m.chair or 'not recorded'}")
        if m.status is MeetingStatus.OPEN:
            self.line_of("Draft: this meeting is still open, so ratings may still change.", bold=True)
        else:
            self.line_of("Status: closed; this record is locked.")
        who = "; ".join(f"{name} ({role.label})" for name, role in attendees) or "nobody has rated yet"
        self.line_of(f"Attendees (professionals who rated): {who}")
        self.line_of(f"Families on the caseload, in rank order: {len(entries)}")
        if self.kept and entries:
            self._discussion_summary(entries)
        if not entries:
            self.line_of("No families were open with this team on the meeting date.")
        for entry in entries:
            self._family(entry, cards[entry.family_id], actions.get(entry.family_id, []))
        return bytes(self.output())

    def _discussion_summary(self, entries: list[CaseloadEntry]) -> None:
        """How many families the meeting discussed and in how long, and which it did not reach."""
        d = self.discussions
        ids = [e.family_id for e in entries]
        discussed = sum(d.discussed(f) for f in ids)
        planned = f" of the {d.planned_minutes} minutes planned" if d.planned_minutes else ""
        self.line_of(f"Discussed: {discussed} of {len(entries)}, in {minutes_text(d.total_seconds(ids))}{planned}")
        missed = [e.label() for e in entries if not d.discussed(e.family_id)]
        if missed:
            self.line_of(f"Not discussed: {', '.join(missed)}", bold=True)

    def _family(self, entry: CaseloadEntry, card: FamilyCard, actions: list[RecordAction]) -> None:
        if self.will_page_break(40):
            self.add_page()
        self.ln(4)
        score = f"score {entry.score:.2f}" if entry.score is not None else "no score"
        self.line_of(
            f"{entry.rank}. {entry.label()} · {entry.band.label} · {score} · trend: {trend_word(entry.trend)}",
            size=13,
            bold=True,
            height=7,
        )
        details = [f"Social worker: {entry.social_worker or 'not allocated'}"]
        if entry.legal_status:
            details.append(f"Legal status: {entry.legal_status.label}")
        if found := flags(entry):
            details.append(f"Flags: {found}")
        if self.kept:
            seconds = self.discussions.seconds(entry.family_id)
            spent = f", {minutes_text(seconds)}" if seconds else ""
            details.append(f"Discussed: yes{spent}" if self.discussions.discussed(entry.family_id) else "Discussed: no")
        self.line_of(" · ".join(details), size=9)
        self.line_of(f"Why: {entry.explanation}", size=9)
        self._grid(card)
        self._actions(actions)

    def _grid(self, card: FamilyCard) -> None:
        if not card.children:
            self.line_of("No children to rate on the meeting date.", size=9)
            return
        people = list(card.professionals)
        fixed = [34, 26, 22]
        share = (self.epw - sum(fixed)) / max(len(people), 1)
        self.set_font(self.family_name, size=8)
        with self.table(
            col_widths=(*fixed, *([share] * len(people))),
            width=self.epw if people else sum(fixed),
            text_align="LEFT",
            line_height=4.5,
            headings_style=FontFace(emphasis="BOLD", fill_color=(230, 230, 230)),
        ) as table:
            heading = table.row()
            for label in ["Child", "Legal status", "Child's rating", *(f"{p.name} ({p.role.label})" for p in people)]:
                heading.cell(self.text_of(label))
            for child in card.children:
                row = table.row()
                row.cell(self.text_of(f"{child.first_name} ({child.age})"))
                row.cell(self.text_of(child.legal_status.label if child.legal_status else "-"))
                row.cell(child.rating.label if child.rating else NOT_RATED, style=band_face(child.rating))
                for person in people:
                    given = card.ratings.get((child.child_id, person.practitioner_id))
                    row.cell(given.rag.label if given else NOT_RATED, style=band_face(given.rag if given else None))

    def _actions(self, actions: list[RecordAction]) -> None:
        write_actions(self, actions)


def write_actions(doc: LandscapeDocument, actions: list[RecordAction]) -> None:
    """The actions agreed, as a table (what, who, by when, done), or a line saying there were none."""
    doc.ln(1)
    if not actions:
        doc.line_of("Actions agreed: none recorded at this meeting.", size=9)
        return
    doc.line_of("Actions agreed:", size=9, bold=True)
    doc.set_font(doc.family_name, size=8)
    with doc.table(
        col_widths=(150, 50, 30, 30),
        text_align="LEFT",
        line_height=4.5,
        headings_style=FontFace(emphasis="BOLD", fill_color=(230, 230, 230)),
    ) as table:
        heading = table.row()
        for label in ("What", "Who", "By", "Done"):
            heading.cell(label)
        for action in actions:
            row = table.row()
            row.cell(doc.text_of(action.text))
            row.cell(doc.text_of(action.owner or "Nobody named"))
            row.cell(uk_date(action.due_on))
            row.cell(uk_date(action.completed_on) if action.completed_on else "Open")
