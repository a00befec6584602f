"""Altair charts for a family's history. Every coloured mark also carries its word (a letter on the cell, the
band in the tooltip and legend), so the charts read on a black-and-white projector and for colour-blind users."""

from __future__ import annotations

import datetime as dt

import altair as alt
import pandas as pd
from altair.typing import ChartType

from db.queries.family_history import RatingPoint, ScorePoint, StatusSpan
from risk.presentation import BAND_COLOUR, BAND_INK, MARK_OUTLINE, STATUS_FILL
from risk.vocabulary import BANDS, RATINGS, Band, LegalStatus

RAG_DOMAIN = [rag.label for rag in RATINGS]
RAG_RANGE = [BAND_COLOUR[Band.of(rag)] for rag in RATINGS]
BAND_DOMAIN = [band.label for band in BANDS]
BAND_RANGE = [BAND_COLOUR[band] for band in BANDS]
STATUS_ORDER = [s.short for s in LegalStatus]
STATUS_RANGE = [STATUS_FILL[s] for s in LegalStatus]
MONTH = "%b %Y"  # "Apr 2026": read aloud the same way on a shared screen
AXES_PX = 110  # room for axis labels and title below a chart's plot area


def element_height(chart: ChartType) -> int:
    """The height to give st.altair_chart: Streamlit's default squeezes layered charts with discrete rows."""
    return int(chart.height) + AXES_PX


def ratings_heatmap(points: tuple[RatingPoint, ...]) -> alt.Chart:
    """Rows: child · professional; columns: meeting month; each cell coloured and lettered R/A/G."""
    months = sorted({p.held_on.replace(day=1) for p in points})
    frame = pd.DataFrame(
        {
            "month": [p.held_on.strftime(MONTH) for p in points],
            "meeting": [p.held_on.strftime("%d/%m/%Y") for p in points],
            "who": [f"{p.child} · {p.professional} ({p.role.label})" for p in points],
            "rating": [p.rag.label for p in points],
            "letter": [p.rag.label[0] for p in points],
            "ink": [BAND_INK[Band.of(p.rag)] for p in points],
        }
    )
    base = alt.Chart(frame).encode(
        x=alt.X(
            "month:O", title="Meeting month", sort=[m.strftime(MONTH) for m in months], axis=alt.Axis(labelAngle=0)
        ),
        y=alt.Y("who:N", title=None, sort=None, axis=alt.Axis(labelLimit=320)),
    )
    cells = base.mark_rect(stroke=MARK_OUTLINE, strokeWidth=1).encode(
        color=alt.Color("rating:N", scale=alt.Scale(domain=RAG_DOMAIN, range=RAG_RANGE), title="Rating"),
        tooltip=[alt.Tooltip("meeting:N", title="Meeting"), alt.Tooltip("who:N", title="Who"), "rating:N"],
    )
    letters = base.mark_text(fontWeight="bold").encode(
        text="letter:N",
        color=alt.Color("ink:N", scale=None),  # the word's colour that reads on its band's fill
    )
    return (cells + letters).properties(height=max(120, 26 * frame["who"].nunique()))


def score_line(points: tuple[ScorePoint, ...]) -> alt.Chart:
    frame = pd.DataFrame(
        {
            "held_on": [pd.Timestamp(p.held_on) for p in points],
            "score": [p.score for p in points],
            "band": [p.band.label for p in points],
        }
    )
    base = alt.Chart(frame).encode(
        x=alt.X("held_on:T", title="Meeting", axis=alt.Axis(format=MONTH, tickCount="month")),
        y=alt.Y("score:Q", title="Family score (0–100)", scale=alt.Scale(domain=[0, 100])),
    )
    line = base.mark_line(color="#555555")
    dots = base.mark_point(filled=True, size=110, stroke=MARK_OUTLINE, strokeWidth=1.5).encode(
        color=alt.Color("band:N", scale=alt.Scale(domain=BAND_DOMAIN, range=BAND_RANGE), title="Band"),
        shape=alt.Shape("band:N", scale=alt.Scale(domain=BAND_DOMAIN), title="Band"),
        tooltip=[alt.Tooltip("held_on:T", title="Meeting", format="%d/%m/%Y"), "band:N", "score:Q"],
    )
    return (line + dots).properties(height=260)


def status_timeline(spans: tuple[StatusSpan, ...], today: dt.date) -> alt.Chart:
    frame = pd.DataFrame(
        {
            "child": [s.child for s in spans],
            "status": [s.status.short for s in spans],
            "label": [s.status.label for s in spans],
            "start": [pd.Timestamp(s.started_on) for s in spans],
            "end": [pd.Timestamp(s.ended_on or today) for s in spans],
        }
    )
    base = alt.Chart(frame).encode(
        x=alt.X("start:T", title=None, axis=alt.Axis(format=MONTH, tickCount="month")),
        x2="end:T",
        y=alt.Y("child:N", title=None),
    )
    bars = base.mark_bar(height=22, stroke="white").encode(
        color=alt.Color(
            "status:N",
            sort=STATUS_ORDER,
            scale=alt.Scale(domain=STATUS_ORDER, range=STATUS_RANGE),
            title="Legal status",
        ),
        tooltip=[
            "child:N",
            alt.Tooltip("label:N", title="Status"),
            alt.Tooltip("start:T", title="From", format="%d/%m/%Y"),
            alt.Tooltip("end:T", title="Until", format="%d/%m/%Y"),
        ],
    )
    words = base.mark_text(align="left", dx=4, color="black").encode(text="status:N")
    return (bars + words).properties(height=max(80, 40 * frame["child"].nunique()))


def ratings_figures(points: tuple[RatingPoint, ...]) -> pd.DataFrame:
    """The ratings heatmap's figures as rows, for the table under it (a screen reader cannot read the chart)."""
    ordered = sorted(points, key=lambda p: (p.held_on, p.child, p.professional))
    return pd.DataFrame(
        {
            "Meeting": [p.held_on.strftime("%d/%m/%Y") for p in ordered],
            "Child": [p.child for p in ordered],
            "Professional": [f"{p.professional} ({p.role.label})" for p in ordered],
            "Rating": [p.rag.label for p in ordered],
        }
    )


def score_figures(points: tuple[ScorePoint, ...]) -> pd.DataFrame:
    """The score line's figures as rows: meeting, band and score."""
    return pd.DataFrame(
        {
            "Meeting": [p.held_on.strftime("%d/%m/%Y") for p in points],
            "Band": [p.band.label for p in points],
            "Score": [f"{p.score:.2f}" if p.score is not None else "–" for p in points],
        }
    )


def status_figures(spans: tuple[StatusSpan, ...]) -> pd.DataFrame:
    """The legal status timeline's figures as rows: each child's plans with their dates."""
    return pd.DataFrame(
        {
            "Child": [s.child for s in spans],
            "Legal status": [s.status.label for s in spans],
            "From": [s.started_on.strftime("%d/%m/%Y") for s in spans],
            "Until": [s.ended_on.strftime("%d/%m/%Y") if s.ended_on else "now" for s in spans],
        }
    )
