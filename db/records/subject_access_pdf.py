"""The subject access export as a PDF a person can read: each table as a section in words, dates as dd/mm/yyyy,
professionals by name and role. Same fonts and approach as the meeting record (real text, DejaVu Sans embedded
when the system has it), so names in any alphabet print and the file can be searched and read aloud."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pandas as pd
from fpdf.fonts import FontFace

from db.exports.pdf_document import LandscapeDocument
from db.records.subject_access import TITLES, SubjectAccessExport

# Which columns each section prints, and their headings (the .zip keeps every column).
SECTIONS: dict[str, list[tuple[str, str]]] = {
    "family": [
        ("case_reference", "Case reference"),
        ("display_name", "Family name"),
        ("team", "Team"),
        ("office", "Office"),
        ("social_worker", "Social worker"),
        ("opened_on", "Opened"),
        ("closed_on", "Closed"),
        ("anonymised_at", "Anonymised"),
    ],
    "children": [("case_reference", "Case reference"), ("first_name", "First name"), ("date_of_birth", "Born")],
    "legal_status": [("child", "Child"), ("status", "Plan"), ("started_on", "From"), ("ended_on", "Until")],
    "involvement": [("professional", "Professional"), ("role", "Role"), ("started_on", "From"), ("ended_on", "Until")],
    "ratings": [
        ("meeting_date", "Meeting"),
        ("child", "Child"),
        ("professional", "Professional"),
        ("role", "Role"),
        ("rating", "Rating"),
        ("rationale", "Rationale"),
    ],
    "rating_history": [
        ("when", "When (UTC)"),
        ("rating_id", "Rating"),
        ("who", "Who"),
        ("what", "What"),
        ("rating", "Colour"),
        ("rationale", "Rationale"),
        ("reason", "Reason"),
    ],
    "scores": [
        ("meeting_date", "Meeting"),
        ("band", "Band"),
        ("score", "Score"),
        ("trend", "Trend"),
        ("legal_status", "Legal status"),
        ("explanation", "Explanation"),
    ],
    "actions": [
        ("meeting_date", "Agreed at"),
        ("text", "What"),
        ("responsible", "Who"),
        ("due_on", "By"),
        ("completed_on", "Done"),
    ],
    "discussions": [
        ("meeting_date", "Meeting"),
        ("discussed", "Discussed"),
        ("minutes_spent", "Minutes"),
        ("marked_by", "Marked by"),
    ],
    "updates": [
        ("meeting_date", "Meeting"),
        ("professional", "Professional"),
        ("role", "Role"),
        ("kind_of_work", "Kind of work"),
        ("text", "Update"),
        ("correction_reason", "Corrected because"),
    ],
    "decisions": [
        ("meeting_date", "Meeting"),
        ("chair", "Chair"),
        ("outcome", "Outcome"),
        ("decision", "Decision and next steps"),
        ("next_review_on", "Next review"),
        ("correction_reason", "Corrected because"),
    ],
    "audit_events": [
        ("when", "When (UTC)"),
        ("who", "Who"),
        ("verb", "What"),
        ("entity", "Record"),
        ("details", "Details"),
    ],
}
WIDTHS = {
    "ratings": (24, 30, 50, 50, 18, 105),
    "rating_history": (32, 16, 50, 45, 30, 60, 44),
    "scores": (24, 18, 16, 26, 40, 153),
    "actions": (24, 130, 70, 26, 27),
    "updates": (24, 40, 40, 30, 110, 33),
    "decisions": (24, 40, 40, 110, 26, 37),
    "audit_events": (32, 55, 32, 28, 130),
}


def _uk(value: Any) -> str:
    """ISO dates and times from the export as dd/mm/yyyy (and HH:MM); anything else as it is."""
    text = "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)
    for form, shown in (("%Y-%m-%d %H:%M:%S", "%d/%m/%Y %H:%M"), ("%Y-%m-%d", "%d/%m/%Y")):
        try:
            return dt.datetime.strptime(text, form).strftime(shown)
        except ValueError:
            continue
    return text


def _flat(value: Any) -> str:
    """JSON details in words: 'band: red, score: 88.89' rather than braces and quotes."""
    if isinstance(value, dict):
        return ", ".join(f"{key}: {_flat(item)}" for key, item in value.items())
    if isinstance(value, list):
        return "; ".join(_flat(item) for item in value)
    return "none" if value is None else str(value)


def _details(before: str, after: str) -> str:
    def words(raw: str) -> str:
        if not raw:
            return ""
        value = json.loads(raw)
        return _flat(value)

    parts = []
    if before:
        parts.append(f"before: {words(before)}")
    if after:
        parts.append(f"after: {words(after)}" if before else words(after))
    return " · ".join(parts)


class _Document(LandscapeDocument):
    def __init__(self, export: SubjectAccessExport) -> None:
        super().__init__(f"Subject access: {export.subject}", f"OFFICIAL-SENSITIVE · subject access: {export.subject}")
        self.export = export

    def render(self) -> bytes:
        e = self.export
        self.add_page()
        self.line_of("Subject access export", size=18, bold=True, height=9)
        self.line_of(f"Everything the supervision dashboard holds about {e.subject}.", bold=True)
        self.line_of(f"Made on {e.made_at:%d/%m/%Y at %H:%M} UTC by {e.made_by}.")
        self.line_of(
            "Review for information about other people (for example a sibling named in an explanation) before "
            "disclosure. The accompanying .zip holds the same tables, with every column, as CSV files.",
            size=9,
        )
        counts = "; ".join(f"{TITLES[name].lower()}: {count}" for name, count in e.counts().items())
        self.line_of(f"Contents: {counts}.", size=9)
        for name, frame in e.tables.items():
            self._section(name, frame)
        return bytes(self.output())

    def _section(self, name: str, frame: pd.DataFrame) -> None:
        if self.will_page_break(30):
            self.add_page()
        self.ln(4)
        self.line_of(f"{TITLES[name]} ({len(frame)})", size=13, bold=True, height=7)
        if frame.empty:
            self.line_of("None held.", size=9)
            return
        if name == "audit_events":
            frame = frame.assign(
                entity=frame["entity_type"] + " " + frame["entity_id"].astype(str),
                details=[_details(b, a) for b, a in zip(frame["before"], frame["after"], strict=True)],
            )
        columns = SECTIONS[name]
        self.set_font(self.family_name, size=8)
        with self.table(
            col_widths=WIDTHS.get(name, tuple(1 for _ in columns)),
            text_align="LEFT",
            line_height=4.5,
            headings_style=FontFace(emphasis="BOLD", fill_color=(230, 230, 230)),
        ) as table:
            heading = table.row()
            for _, label in columns:
                heading.cell(label)
            for values in frame.to_dict("records"):
                row = table.row()
                for key, _ in columns:
                    row.cell(self.text_of(_uk(values.get(key))))


def subject_access_pdf(export: SubjectAccessExport) -> bytes:
    return _Document(export).render()
