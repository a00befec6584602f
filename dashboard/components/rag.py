"""Red/amber/green always as an icon and a word, never colour alone (colour-blind users, black-and-white projectors)."""

from __future__ import annotations

from dashboard.risk.signals import Trend
from dashboard.risk.vocabulary import RAG, Band

BAND_ICON = {Band.RED: "🔴", Band.AMBER: "🟠", Band.GREEN: "🟢", Band.UNRATED: "⚪"}
BAND_COLOUR = {Band.RED: "#c62828", Band.AMBER: "#ef8f00", Band.GREEN: "#2e7d32", Band.UNRATED: "#9e9e9e"}
TREND_TEXT = {
    Trend.DETERIORATED: "▲ Worse",
    Trend.IMPROVED: "▼ Better",
    Trend.UNCHANGED: "= Same",
    Trend.NEW: "★ New",
    Trend.NOT_RATED: "… Not rated",
}


def band_text(band: Band | RAG | str | None) -> str:
    """'🔴 Red', '🟠 Amber', '🟢 Green', '⚪ Not yet rated'."""
    if band is None:
        return "–"
    band = Band(str(band))
    return f"{BAND_ICON[band]} {band.label}"


def trend_text(trend: Trend | str) -> str:
    return TREND_TEXT[Trend(str(trend))]
