"""How bands, ratings and trends are shown: one set of words, icons and colours for the app, the PDF and the
spreadsheets, so a family reads the same on the shared screen as in the record that goes on file.

Every colour comes with its word (never colour alone: colour-blind users, black-and-white projectors and printers)
and with the ink that keeps that word readable on it.
"""

from __future__ import annotations

from collections.abc import Iterable

from risk.signals import Trend
from risk.vocabulary import RAG, Band, LegalStatus

BAND_ICON = {Band.RED: "🔴", Band.AMBER: "🟠", Band.GREEN: "🟢", Band.UNRATED: "⚪"}
BAND_COLOUR = {Band.RED: "#c62828", Band.AMBER: "#ef8f00", Band.GREEN: "#2e7d32", Band.UNRATED: "#9e9e9e"}
"""Fill colour of a band's cell, as #rrggbb."""
BAND_INK = {Band.RED: "#ffffff", Band.AMBER: "#000000", Band.GREEN: "#ffffff", Band.UNRATED: "#000000"}
"""Text colour for a band's word on its fill."""
MARK_OUTLINE = "#505a5f"
"""Outline of a band's mark in a chart (7:1 on white): amber and grey fills are only 2.4:1 and 2.7:1 against a white
page, below the 3:1 a graphic needs (WCAG 1.4.11), so their marks are drawn with this edge."""

PLAN_COLOUR = {
    LegalStatus.CIN: "#4c78a8",
    LegalStatus.CP: "#7b4fa0",
    LegalStatus.PLO: "#17becf",
    LegalStatus.CARE_PROCEEDINGS: "#8c564b",
    LegalStatus.CLA: "#393b79",
}
"""One colour per plan in every outcomes chart, whichever plans a chart shows; never red, amber or green, which
mean ratings beside them. Drawn with an outline or labelled in black: some are too light for text on white."""
STATUS_FILL = {
    LegalStatus.CIN: "#c6dbef",
    LegalStatus.CP: "#6baed6",
    LegalStatus.PLO: "#cbc9e2",
    LegalStatus.CARE_PROCEEDINGS: "#9e9ac8",
    LegalStatus.CLA: "#d4b9da",
    LegalStatus.CLOSED: "#e0e0e0",
}
"""A legal status's bar in a child's timeline, in blues and purples light enough for black words: never red, amber
or green beside the ratings."""

TREND_WORD = {
    Trend.DETERIORATED: "Worse",
    Trend.IMPROVED: "Better",
    Trend.UNCHANGED: "Same",
    Trend.NEW: "New",
    Trend.NOT_RATED: "Not rated",
}
_TREND_MARK = {Trend.DETERIORATED: "▲", Trend.IMPROVED: "▼", Trend.UNCHANGED: "=", Trend.NEW: "★", Trend.NOT_RATED: "…"}


def band_text(band: Band | RAG | str | None) -> str:
    """'🔴 Red', '🟠 Amber', '🟢 Green', '⚪ Not yet rated'; '–' where there is no band at all."""
    if band is None:
        return "–"
    band = Band(str(band))
    return f"{BAND_ICON[band]} {band.label}"


def trend_word(trend: Trend | str) -> str:
    """'Worse', 'Better', ...: for files, where a word prints in any font."""
    return TREND_WORD[Trend(str(trend))]


def trend_text(trend: Trend | str) -> str:
    """'▲ Worse', '▼ Better', ...: for the screen, where the mark catches the eye."""
    trend = Trend(str(trend))
    return f"{_TREND_MARK[trend]} {TREND_WORD[trend]}"


def rgb(colour: str) -> tuple[int, int, int]:
    """'#c62828' → (198, 40, 40), for the PDF writer."""
    value = colour.lstrip("#")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


FAMILY_NAME_MAX = 120
"""The longest family name held (the case system's surnames, "Jones / Ahmed")."""
NAME_SEPARATOR = " / "
"""Between the surnames of a family whose members have different ones."""


def family_label(reference: str, display_name: str | None, initials_only: bool = False) -> str:
    """How a family is shown to its team everywhere (pages, the meeting record, exports): its case reference, and
    its name when one is held, "F-100088 · Jones / Ahmed". Teams talk about "the Jones family"; the reference stays
    first because it is what the case system files by. `initials_only` is for Presentation mode in a room where
    visitors can see the projector: "F-100088 · J / A". Runs of white space read as one space."""
    name = " ".join((display_name or "").split())
    if initials_only:
        name = family_initials(name)
    return f"{reference} · {name}" if name else reference


def family_initials(display_name: str) -> str:
    """The first letter of each surname, "Jones / Ahmed" → "J / A", "O'Brien-Smith" → "O": a visitor cannot tell
    who the family is from one letter a surname."""
    parts = (part.strip() for part in display_name.split("/"))
    return NAME_SEPARATOR.join(_initial(part) for part in parts if _initial(part))


def _initial(surname: str) -> str:
    letter = next((c for c in surname if c.isalnum()), "")
    return letter.upper() if len(letter.upper()) == 1 else letter  # "ß" stays one letter, not "SS"


def family_name_from_surnames(surnames: Iterable[str | None]) -> str | None:
    """A family's name from its members' surnames (an SSD extract's `pers_surname`): each surname once (whatever its
    capitals), in alphabetical order so the name does not change with the order the extract lists people in,
    joined by " / ". Whole surnames only: the name stops before one that would take it over FAMILY_NAME_MAX. None
    when no member has a surname."""
    distinct: dict[str, str] = {}
    for surname in surnames:
        name = " ".join((surname or "").replace("/", " ").split())
        if name:
            distinct.setdefault(name.casefold(), name)
    joined = ""
    for key in sorted(distinct):
        longer = f"{joined}{NAME_SEPARATOR}{distinct[key]}" if joined else distinct[key]
        if len(longer) > FAMILY_NAME_MAX:
            break
        joined = longer
    return joined or None
